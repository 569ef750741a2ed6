// The node lifecycle controller: a node whose kubelet stops posting status for the grace
// period (40 s) turns Ready=Unknown ("Kubelet stopped posting node status."), gets the
// unreachable taints, its pods are marked not ready (NodeNotReady events), and the taint
// manager evicts pods whose toleration runs out (300 s by default). Taints also follow the
// pressure conditions and cordoning, and come off when the node recovers.
import type { ITaint } from 'kubernetes-models/v1/Taint';
import { ApiStatusError } from '../../status-error.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  findCondition,
  keyOf,
  setCondition,
  type Condition,
  type NodeObject,
  type PodObject,
} from '../kinds.js';
import type { KubeletFleet } from '../kubelet/fleet.js';
import { tolerates } from '../pods.js';
import type { WorkQueue } from '../work-queue.js';

const MONITOR_MS = 5_000;
const GRACE_MS = 40_000;

const CONDITION_TAINTS: ReadonlyArray<{ type: string; status: string; key: string; effects: string[] }> = [
  {
    type: 'Ready',
    status: 'False',
    key: 'node.kubernetes.io/not-ready',
    effects: ['NoSchedule', 'NoExecute'],
  },
  {
    type: 'Ready',
    status: 'Unknown',
    key: 'node.kubernetes.io/unreachable',
    effects: ['NoSchedule', 'NoExecute'],
  },
  {
    type: 'MemoryPressure',
    status: 'True',
    key: 'node.kubernetes.io/memory-pressure',
    effects: ['NoSchedule'],
  },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure', effects: ['NoSchedule'] },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure', effects: ['NoSchedule'] },
];
const MANAGED_KEYS = new Set([...CONDITION_TAINTS.map((t) => t.key), 'node.kubernetes.io/unschedulable']);

export class NodeLifecycleController {
  readonly #ctx: SimContext;
  readonly #fleet: KubeletFleet;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;
  readonly #taintEvents: EventRecorder;
  readonly #evictions = new Map<string, { cancel(): void }>();
  #started = false;

  constructor(ctx: SimContext, fleet: KubeletFleet) {
    this.#ctx = ctx;
    this.#fleet = fleet;
    this.#events = ctx.recorder({ component: 'node-controller' });
    this.#taintEvents = ctx.recorder({ component: 'taint-eviction-controller' });
    this.#queue = ctx.queue('node-lifecycle', (key) => this.#syncTaints(key));
    ctx.cache.on('nodes', (e) => {
      if (e.type === 'DELETED') return;
      this.#queue.add(keyOf(e.object));
      if (e.type === 'ADDED' && this.#started) {
        this.#events.event(
          refTo(e.object),
          'Normal',
          'RegisteredNode',
          `Node ${e.object.metadata.name} event: Registered Node ${e.object.metadata.name} in Controller`,
        );
      }
    });
    ctx.cache.on('pods', (e) => {
      const pod = e.object as PodObject;
      if (e.type === 'DELETED') {
        this.#evictions.get(pod.metadata.uid ?? '')?.cancel();
        this.#evictions.delete(pod.metadata.uid ?? '');
        return;
      }
      if (e.type === 'ADDED' || pod.spec.nodeName !== (e.previous as PodObject | undefined)?.spec?.nodeName) {
        if (pod.spec.nodeName) this.#queue.add(pod.spec.nodeName);
      }
    });
  }

  start(): void {
    this.#started = true;
    this.#ctx.timers.every(this.#ctx.scaled(MONITOR_MS), () => this.#monitor());
  }

  #monitor(): void {
    const now = this.#ctx.now();
    for (const kubelet of this.#fleet.kubelets()) {
      const down = kubelet.downSince;
      if (down === undefined || now - down < this.#ctx.scaled(GRACE_MS)) continue;
      const node = this.#ctx.cache.get<NodeObject>('nodes', undefined, kubelet.node);
      if (!node) continue;
      if (findCondition(node.status?.conditions, 'Ready')?.status !== 'Unknown') this.#markUnknown(node);
    }
  }

  #markUnknown(node: NodeObject): void {
    const name = node.metadata.name ?? '';
    const now = this.#ctx.nowText();
    this.#ctx.store.mutate(
      'nodes',
      undefined,
      name,
      (obj) => {
        const status = ((obj as NodeObject).status ??= {});
        let conditions = (status.conditions ?? []) as Condition[];
        for (const c of [...conditions]) {
          conditions = setCondition(
            conditions,
            {
              type: c.type,
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
              ...(c.lastHeartbeatTime ? { lastHeartbeatTime: c.lastHeartbeatTime } : {}),
            },
            now,
          );
        }
        status.conditions = conditions;
      },
      { subresource: 'status' },
    );
    this.#events.event(refTo(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    for (const pod of this.#ctx.cache.podsOnNode(name)) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') continue;
      try {
        this.#ctx.store.mutate(
          'pods',
          pod.metadata.namespace,
          pod.metadata.name ?? '',
          (obj) => {
            const status = ((obj as PodObject).status ??= {});
            const conditions = (status.conditions ?? []) as Condition[];
            const ready = conditions.find((c) => c.type === 'Ready');
            if (ready && ready.status !== 'False') {
              ready.status = 'False';
              ready.lastTransitionTime = now;
            }
            status.conditions = conditions;
          },
          { subresource: 'status' },
        );
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
      this.#events.event(refTo(pod), 'Warning', 'NodeNotReady', 'Node is not ready');
    }
  }

  /** Taints from conditions and cordoning; then the taint manager's NoExecute evictions. */
  #syncTaints(name: string): void {
    const node = this.#ctx.cache.get<NodeObject>('nodes', undefined, name);
    if (!node) return;
    const now = this.#ctx.nowText();
    const existing = node.spec?.taints ?? [];
    const wanted: ITaint[] = existing.filter((t) => !MANAGED_KEYS.has(t.key));
    for (const rule of CONDITION_TAINTS) {
      if (findCondition(node.status?.conditions, rule.type)?.status !== rule.status) continue;
      for (const effect of rule.effects) {
        const prior = existing.find((t) => t.key === rule.key && t.effect === effect);
        wanted.push(
          prior ??
            ({ key: rule.key, effect, ...(effect === 'NoExecute' ? { timeAdded: now } : {}) } as ITaint),
        );
      }
    }
    if (node.spec?.unschedulable) {
      const prior = existing.find((t) => t.key === 'node.kubernetes.io/unschedulable');
      wanted.push(prior ?? { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: now });
    }
    const order = (list: ITaint[]): string =>
      JSON.stringify([...list].sort((a, b) => `${a.key}${a.effect}`.localeCompare(`${b.key}${b.effect}`)));
    if (order(wanted) !== order(existing)) {
      this.#ctx.store.mutate('nodes', undefined, name, (obj) => {
        const spec = ((obj as NodeObject).spec ??= {});
        if (wanted.length > 0) spec.taints = wanted;
        else delete spec.taints;
      });
      return; // the node change brings us back with the new taints
    }
    this.#taintManager(
      node,
      existing.filter((t) => t.effect === 'NoExecute'),
    );
  }

  #taintManager(node: NodeObject, noExecute: ITaint[]): void {
    const now = this.#ctx.now();
    for (const pod of this.#ctx.cache.podsOnNode(node.metadata.name ?? '')) {
      const uid = pod.metadata.uid ?? '';
      if (
        pod.metadata.deletionTimestamp ||
        pod.status?.phase === 'Succeeded' ||
        pod.status?.phase === 'Failed'
      )
        continue;
      let evictAt: number | undefined;
      for (const taint of noExecute) {
        const toleration = (pod.spec.tolerations ?? []).find((t) => tolerates(t, taint));
        if (!toleration) {
          evictAt = now;
          break;
        }
        if (toleration.tolerationSeconds === undefined) continue;
        const added = taint.timeAdded ? Date.parse(taint.timeAdded) : now;
        const at = added + this.#ctx.scaled(Math.max(0, toleration.tolerationSeconds) * 1000);
        evictAt = evictAt === undefined ? at : Math.min(evictAt, at);
      }
      this.#evictions.get(uid)?.cancel();
      this.#evictions.delete(uid);
      if (evictAt === undefined) continue;
      const timer = this.#ctx.timers.after(Math.max(0, evictAt - now), () => {
        this.#evictions.delete(uid);
        this.#evict(pod);
      });
      this.#evictions.set(uid, timer);
    }
  }

  #evict(pod: PodObject): void {
    const current = this.#ctx.cache.get<PodObject>('pods', pod.metadata.namespace, pod.metadata.name ?? '');
    if (!current || current.metadata.uid !== pod.metadata.uid || current.metadata.deletionTimestamp) return;
    this.#taintEvents.event(
      refTo(current),
      'Normal',
      'TaintManagerEviction',
      `Marking for deletion Pod ${current.metadata.namespace}/${current.metadata.name}`,
    );
    try {
      this.#ctx.store.mutate(
        'pods',
        current.metadata.namespace,
        current.metadata.name ?? '',
        (obj) => {
          const status = ((obj as PodObject).status ??= {});
          status.conditions = setCondition(
            (status.conditions ?? []) as Condition[],
            {
              type: 'DisruptionTarget',
              status: 'True',
              reason: 'DeletionByTaintManager',
              message: 'Taint manager: deleting due to NoExecute taint',
            },
            this.#ctx.nowText(),
          );
        },
        { subresource: 'status' },
      );
      this.#ctx.store.delete('pods', current.metadata.namespace, current.metadata.name ?? '');
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
    }
  }
}
