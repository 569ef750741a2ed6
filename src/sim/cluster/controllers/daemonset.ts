// The DaemonSet controller: one pod per node that should run it (node selector, affinity, and
// taints the pod tolerates — daemon pods tolerate not-ready, unreachable, pressure and
// unschedulable by default), pinned by node affinity so the scheduler binds it there; pods on
// nodes that should not run it are removed, failed ones replaced, and the status reports
// desired/current/misscheduled/ready/available/updated counts.
import { ApiStatusError } from '../../status-error.js';
import { fnv32a, safeEncode } from '../../random.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  controllerRef,
  controllerUid,
  isPodAvailable,
  isPodReady,
  isTerminalPod,
  keyOf,
  splitKey,
  type DaemonSetObject,
  type NodeObject,
  type PodObject,
} from '../kinds.js';
import { matchesNodeSelection, pinnedNode, podFromTemplate, untoleratedTaint } from '../pods.js';
import type { WorkQueue } from '../work-queue.js';
import type { IToleration } from 'kubernetes-models/v1/Toleration';

const REVISION_LABEL = 'controller-revision-hash';

/** Tolerations every daemon pod gets (the DaemonSet controller adds them). */
export const DAEMON_TOLERATIONS: IToleration[] = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
  { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
  { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
];

export function daemonSetRevision(ds: DaemonSetObject): string {
  return safeEncode(String(fnv32a(JSON.stringify(ds.spec.template ?? {}))));
}

/** The template's tolerations plus the daemon defaults (without duplicates). */
export function daemonTolerations(existing: readonly IToleration[] | undefined): IToleration[] {
  const out = [...(existing ?? [])];
  for (const t of DAEMON_TOLERATIONS) {
    if (!out.some((x) => x.key === t.key && x.effect === t.effect)) out.push({ ...t });
  }
  return out;
}

export class DaemonSetController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#events = ctx.recorder({ component: 'daemonset-controller' });
    this.#queue = ctx.queue('daemonset', (key) => this.sync(key));
    ctx.cache.on('apps/daemonsets', (e) => {
      if (e.type !== 'DELETED') this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('pods', (e) => {
      for (const obj of [e.object, e.previous]) {
        const uid = obj && controllerUid(obj);
        const owner = uid ? ctx.cache.byUid(uid) : undefined;
        if (owner?.resource === 'apps/daemonsets') this.#queue.add(keyOf(owner.object));
      }
    });
    ctx.cache.on('nodes', (e) => {
      // New nodes, and taint/label changes, change where daemons should run.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- narrows the generic object to a Node
      const before = e.previous as NodeObject | undefined;
      const after = e.object as NodeObject;
      if (
        e.type !== 'MODIFIED' ||
        JSON.stringify(before?.spec?.taints) !== JSON.stringify(after.spec?.taints) ||
        JSON.stringify(before?.metadata.labels) !== JSON.stringify(after.metadata.labels)
      ) {
        for (const ds of ctx.cache.list('apps/daemonsets')) this.#queue.add(keyOf(ds));
      }
    });
  }

  /** Whether a daemon pod of this template should run on the node. */
  shouldRun(ds: DaemonSetObject, node: NodeObject): boolean {
    if (node.metadata.deletionTimestamp) return false;
    const spec = ds.spec.template.spec;
    if (!spec) return false;
    if (!matchesNodeSelection(spec, node)) return false;
    return untoleratedTaint(daemonTolerations(spec.tolerations), node.spec?.taints) === undefined;
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const ds = this.#ctx.cache.get<DaemonSetObject>('apps/daemonsets', namespace, name);
    if (!ds || ds.metadata.deletionTimestamp) return;
    const revision = daemonSetRevision(ds);
    const nodes = this.#ctx.cache.list<NodeObject>('nodes');
    const pods = this.#ctx.cache.ownedPods(ds.metadata.uid ?? '');
    const byNode = new Map<string, PodObject[]>();
    for (const pod of pods) {
      const node = pod.spec.nodeName ?? pinnedNode(pod) ?? '';
      const list = byNode.get(node) ?? [];
      list.push(pod);
      byNode.set(node, list);
    }
    let desired = 0;
    let scheduled = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    const now = this.#ctx.now();
    let budget = Math.max(1, Number(ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1) || 1);
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? '';
      const should = this.shouldRun(ds, node);
      const onNode = (byNode.get(nodeName) ?? []).filter((p) => !p.metadata.deletionTimestamp);
      byNode.delete(nodeName);
      if (!should) {
        if (onNode.some((p) => p.spec.nodeName)) misscheduled++;
        for (const pod of onNode) this.#delete(ds, pod);
        continue;
      }
      desired++;
      const failed = onNode.filter(isTerminalPod);
      for (const pod of failed) {
        this.#events.event(
          refTo(ds),
          'Warning',
          'FailedDaemonPod',
          `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it`,
        );
        this.#delete(ds, pod);
      }
      const live = onNode.filter((p) => !isTerminalPod(p));
      if (live.length === 0) {
        if (failed.length === 0) this.#create(ds, nodeName, revision);
        continue;
      }
      for (const extra of live.slice(1)) this.#delete(ds, extra);
      const pod = live[0]!;
      if (pod.spec.nodeName) scheduled++;
      if (isPodReady(pod)) ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
      if (pod.metadata.labels?.[REVISION_LABEL] === revision) updated++;
      else if (budget > 0 && (ds.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate') {
        budget--;
        this.#delete(ds, pod);
      }
    }
    // Pods pinned to nodes that no longer exist.
    for (const [, orphans] of byNode)
      for (const pod of orphans) if (!pod.metadata.deletionTimestamp) this.#delete(ds, pod);

    const status: Record<string, unknown> = {
      currentNumberScheduled: scheduled,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 1,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: desired - available,
    };
    for (const k of ['updatedNumberScheduled', 'numberAvailable', 'numberUnavailable'])
      if (!status[k]) delete status[k];
    if (JSON.stringify(status) === JSON.stringify(ds.status ?? {})) return;
    this.#ctx.store.mutate(
      'apps/daemonsets',
      ds.metadata.namespace,
      ds.metadata.name ?? '',
      (obj) => {
        (obj as DaemonSetObject).status = status as unknown as DaemonSetObject['status'];
      },
      { subresource: 'status' },
    );
  }

  #create(ds: DaemonSetObject, node: string, revision: string): void {
    const pod = podFromTemplate(ds.spec.template, {
      namespace: ds.metadata.namespace ?? 'default',
      generateName: `${ds.metadata.name}-`,
      owner: controllerRef(ds),
      extraLabels: {
        [REVISION_LABEL]: revision,
        'pod-template-generation': String(ds.metadata.generation ?? 1),
      },
      mutateSpec: (spec) => {
        spec.tolerations = daemonTolerations(spec.tolerations);
        spec.affinity = {
          ...(spec.affinity ?? {}),
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: [node] }] },
              ],
            },
          },
        };
      },
    });
    const created = this.#ctx.store.create('pods', pod);
    this.#events.event(refTo(ds), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  #delete(ds: DaemonSetObject, pod: PodObject): void {
    try {
      this.#ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '');
      this.#events.event(refTo(ds), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
    }
  }
}
