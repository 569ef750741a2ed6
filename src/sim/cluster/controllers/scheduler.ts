// The default scheduler: binds each pending pod to a node that fits (unschedulable flag,
// taints, nodeSelector/affinity, CPU, memory, pod count, bound PVCs), preferring the least
// loaded and spreading replicas. When nothing fits it says why in the real message shape —
// a FailedScheduling event (events.k8s.io series) and PodScheduled=False — and retries when the
// cluster changes or after 5 minutes.
import type { StoreEvent } from '../../object-store.js';
import type { SimContext } from '../context.js';
import { refTo } from '../events/event-writer.js';
import {
  controllerUid,
  keyOf,
  setCondition,
  splitKey,
  type NodeObject,
  type PodObject,
  type PvcObject,
} from '../kinds.js';
import type { NodeAccounting } from '../node-accounting.js';
import { matchesNodeSelection, podRequests, untoleratedTaint } from '../pods.js';
import { bytes, milliCpu } from '../quantity.js';
import type { WorkQueue } from '../work-queue.js';

const SCHEDULER_NAME = 'default-scheduler';
const UNSCHEDULABLE_RETRY_MS = 300_000;
const CHANGE_RETRY_MS = 1_000;

export type Placement = { node: string } | { message: string };

export class Scheduler {
  readonly #ctx: SimContext;
  readonly #accounting: NodeAccounting;
  readonly #queue: WorkQueue;
  readonly #unschedulable = new Set<string>();
  #nodeNames: string[] = [];
  #nodesDirty = true;
  /** Allocatable of each node, parsed once per node change. */
  readonly #allocatable = new Map<string, { cpu: number; memory: number; pods: number }>();
  #next = 0;
  #retryArmed = false;

  constructor(ctx: SimContext, accounting: NodeAccounting) {
    this.#ctx = ctx;
    this.#accounting = accounting;
    this.#queue = ctx.queue('scheduler', (key) => this.#schedule(key));
    ctx.cache.on('pods', (e) => this.#onPod(e));
    ctx.cache.on('nodes', (e) => {
      this.#allocatable.delete(e.object.metadata.name ?? '');
      if (e.type !== 'MODIFIED') this.#nodesDirty = true;
      this.#retryUnschedulable();
    });
    ctx.cache.on('persistentvolumeclaims', () => this.#retryUnschedulable());
  }

  start(): void {
    this.#ctx.timers.every(this.#ctx.scaled(60_000), () => {
      for (const key of this.#unschedulable) this.#queue.add(key);
    });
  }

  /** Where a pod would go now (pure: nothing is written). */
  place(pod: PodObject): Placement {
    const cache = this.#ctx.cache;
    const ns = pod.metadata.namespace ?? 'default';
    const nodes = this.#nodes();
    const total = nodes.length;
    // Volume binding is checked once for the pod, before any node (a PreFilter failure).
    for (const volume of pod.spec.volumes ?? []) {
      const claim = volume.persistentVolumeClaim?.claimName;
      if (!claim) continue;
      const pvc = cache.get<PvcObject>('persistentvolumeclaims', ns, claim);
      if (!pvc) {
        return {
          message: `0/${total} nodes are available: persistentvolumeclaim "${claim}" not found. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
        };
      }
      if (pvc.status?.phase !== 'Bound') {
        return {
          message: `0/${total} nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.`,
        };
      }
    }
    const req = podRequests(pod.spec);
    const owner = controllerUid(pod);
    const reasons = new Map<string, number>();
    let resourceFailures = 0;
    // Like kube-scheduler's percentageOfNodesToScore: stop after enough feasible nodes.
    const wanted =
      total <= 100 ? total : Math.max(100, Math.floor((total * Math.max(5, 50 - total / 125)) / 100));
    let best: { node: string; score: number } | undefined;
    let feasible = 0;
    const start = total > 0 ? this.#next % total : 0;
    for (let i = 0; i < total && feasible < wanted; i++) {
      const node = nodes[(start + i) % total]!;
      const why = this.#unfit(pod, node, req);
      if (why) {
        reasons.set(why.reason, (reasons.get(why.reason) ?? 0) + 1);
        if (why.resource) resourceFailures++;
        continue;
      }
      feasible++;
      const score = this.#score(node, req, owner);
      if (!best || score > best.score) best = { node: node.metadata.name ?? '', score };
    }
    this.#next = start + 1;
    if (best) return best;
    if (total === 0) {
      return { message: 'no nodes available to schedule pods' };
    }
    const parts = [...reasons].map(([reason, n]) => `${n} ${reason}`).sort();
    const notHelpful = total - resourceFailures;
    const preemption = [
      ...(notHelpful > 0 ? [`${notHelpful} Preemption is not helpful for scheduling`] : []),
      ...(resourceFailures > 0 ? [`${resourceFailures} No preemption victims found for incoming pod`] : []),
    ].sort();
    return {
      message: `0/${total} nodes are available: ${parts.join(', ')}. preemption: 0/${total} nodes are available: ${preemption.join(', ')}.`,
    };
  }

  /** Binds a pod to a node: spec.nodeName, then PodScheduled=True, then the Scheduled event. */
  bind(pod: PodObject, node: string): void {
    const { store } = this.#ctx;
    const ns = pod.metadata.namespace ?? 'default';
    const name = pod.metadata.name ?? '';
    const bound = store.mutate('pods', ns, name, (p) => {
      (p as PodObject).spec.nodeName = node;
    }) as PodObject;
    store.mutate(
      'pods',
      ns,
      name,
      (p) => {
        const status = ((p as PodObject).status ??= {});
        status.phase ??= 'Pending';
        status.conditions = setCondition(
          status.conditions as never,
          { type: 'PodScheduled', status: 'True' },
          this.#ctx.nowText(),
        );
      },
      { subresource: 'status' },
    );
    this.#unschedulable.delete(keyOf(pod));
    this.#ctx.schedulerEvents.event(
      refTo(bound),
      'Normal',
      'Scheduled',
      'Binding',
      `Successfully assigned ${ns}/${name} to ${node}`,
    );
  }

  #onPod(event: StoreEvent): void {
    const pod = event.object as PodObject;
    const key = keyOf(pod);
    if (event.type === 'DELETED') {
      this.#unschedulable.delete(key);
      // Freed resources may let a waiting pod in.
      if (pod.spec?.nodeName) this.#retryUnschedulable();
      return;
    }
    if (this.#wantsScheduling(pod)) {
      if (event.type === 'ADDED' || !this.#unschedulable.has(key)) this.#queue.add(key);
    } else {
      this.#unschedulable.delete(key);
      const prev = event.previous as PodObject | undefined;
      const finished =
        prev?.spec?.nodeName &&
        prev.status?.phase !== pod.status?.phase &&
        (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed');
      if (finished) this.#retryUnschedulable();
    }
  }

  #wantsScheduling(pod: PodObject): boolean {
    return (
      !pod.spec?.nodeName &&
      !pod.metadata.deletionTimestamp &&
      (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME &&
      pod.status?.phase !== 'Succeeded' &&
      pod.status?.phase !== 'Failed'
    );
  }

  #retryUnschedulable(): void {
    if (this.#retryArmed || this.#unschedulable.size === 0) return;
    this.#retryArmed = true;
    this.#ctx.timers.after(this.#ctx.scaled(CHANGE_RETRY_MS), () => {
      this.#retryArmed = false;
      for (const key of this.#unschedulable) this.#queue.add(key);
    });
  }

  #schedule(key: string): void {
    const { namespace, name } = splitKey(key);
    const pod = this.#ctx.cache.get<PodObject>('pods', namespace, name);
    if (!pod || !this.#wantsScheduling(pod)) {
      this.#unschedulable.delete(key);
      return;
    }
    const placement = this.place(pod);
    if ('node' in placement) {
      this.bind(pod, placement.node);
      return;
    }
    this.#unschedulable.add(key);
    this.#ctx.store.mutate(
      'pods',
      namespace,
      name,
      (p) => {
        const status = ((p as PodObject).status ??= {});
        status.phase ??= 'Pending';
        status.conditions = setCondition(
          status.conditions as never,
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: placement.message,
          },
          this.#ctx.nowText(),
        );
      },
      { subresource: 'status' },
    );
    this.#ctx.schedulerEvents.event(
      refTo(pod),
      'Warning',
      'FailedScheduling',
      'Scheduling',
      placement.message,
    );
    this.#queue.addAfter(key, this.#ctx.scaled(UNSCHEDULABLE_RETRY_MS));
  }

  #nodes(): NodeObject[] {
    if (this.#nodesDirty) {
      this.#nodeNames = this.#ctx.cache
        .list<NodeObject>('nodes')
        .map((n) => n.metadata.name ?? '')
        .sort();
      this.#nodesDirty = false;
    }
    const out: NodeObject[] = [];
    for (const name of this.#nodeNames) {
      const node = this.#ctx.cache.get<NodeObject>('nodes', undefined, name);
      if (node) out.push(node);
    }
    return out;
  }

  #unfit(
    pod: PodObject,
    node: NodeObject,
    req: { cpu: number; memory: number },
  ): { reason: string; resource?: boolean } | undefined {
    if (node.metadata.deletionTimestamp) return { reason: 'node(s) were unschedulable' };
    const tolerations = pod.spec.tolerations;
    if (
      node.spec?.unschedulable &&
      !(tolerations ?? []).some(
        (t) =>
          (t.operator === 'Exists' && !t.key) ||
          (t.key === 'node.kubernetes.io/unschedulable' && (!t.effect || t.effect === 'NoSchedule')),
      )
    ) {
      return { reason: 'node(s) were unschedulable' };
    }
    if (!matchesNodeSelection(pod.spec, node))
      return { reason: "node(s) didn't match Pod's node affinity/selector" };
    const taint = untoleratedTaint(tolerations, node.spec?.taints);
    if (taint) return { reason: `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}` };
    const alloc = this.#alloc(node);
    const load = this.#accounting.load(node.metadata.name ?? '');
    if (load.pods + 1 > alloc.pods) return { reason: 'Too many pods', resource: true };
    if (req.cpu > 0 && load.cpu + req.cpu > alloc.cpu) return { reason: 'Insufficient cpu', resource: true };
    if (req.memory > 0 && load.memory + req.memory > alloc.memory) {
      return { reason: 'Insufficient memory', resource: true };
    }
    return undefined;
  }

  #alloc(node: NodeObject): { cpu: number; memory: number; pods: number } {
    const name = node.metadata.name ?? '';
    let alloc = this.#allocatable.get(name);
    if (!alloc) {
      const a = node.status?.allocatable ?? {};
      alloc = { cpu: milliCpu(a.cpu), memory: bytes(a.memory), pods: Number(a.pods ?? 110) };
      this.#allocatable.set(name, alloc);
    }
    return alloc;
  }

  #score(node: NodeObject, req: { cpu: number; memory: number }, owner: string | undefined): number {
    const alloc = this.#alloc(node);
    const name = node.metadata.name ?? '';
    const load = this.#accounting.load(name);
    const cpuFree = 1 - (load.cpu + req.cpu) / Math.max(1, alloc.cpu);
    const memFree = 1 - (load.memory + req.memory) / Math.max(1, alloc.memory);
    return cpuFree + memFree - 0.5 * this.#accounting.siblings(name, owner);
  }
}
