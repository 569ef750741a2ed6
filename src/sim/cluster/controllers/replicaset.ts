// The ReplicaSet controller: keeps `spec.replicas` active pods (creating from the template with
// an owner reference, deleting the least valuable first), reports replicas/ready/available,
// and emits SuccessfulCreate / SuccessfulDelete / FailedCreate like replicaset-controller.
import type { StoreEvent } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  controllerRef,
  controllerUid,
  findCondition,
  isActivePod,
  isPodAvailable,
  isPodReady,
  keyOf,
  splitKey,
  type PodObject,
  type ReplicaSetObject,
} from '../kinds.js';
import { podFromTemplate } from '../pods.js';
import type { WorkQueue } from '../work-queue.js';
import { matchesLabels, selectorFromObject } from '../../selectors.js';

/** Pods created per sync at most (the real controller's burstReplicas). */
const BURST = 500;

export class ReplicaSetController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#events = ctx.recorder({ component: 'replicaset-controller' });
    this.#queue = ctx.queue('replicaset', (key) => this.sync(key));
    ctx.cache.on('apps/replicasets', (e) => {
      if (e.type !== 'DELETED') this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('pods', (e) => this.#onPod(e));
  }

  #onPod(event: StoreEvent): void {
    const uids = new Set<string>();
    const now = controllerUid(event.object);
    if (now) uids.add(now);
    if (event.previous) {
      const before = controllerUid(event.previous);
      if (before) uids.add(before);
    }
    for (const uid of uids) {
      const owner = this.#ctx.cache.byUid(uid);
      if (owner?.resource === 'apps/replicasets') this.#queue.add(keyOf(owner.object));
    }
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const rs = this.#ctx.cache.get<ReplicaSetObject>('apps/replicasets', namespace, name);
    if (!rs || rs.metadata.deletionTimestamp) return;
    const uid = rs.metadata.uid ?? '';
    const selector = selectorFromObject(rs.spec.selector);
    const owned = this.#ctx.cache.ownedPods(uid).filter((p) => matchesLabels(selector, p.metadata.labels));
    const active = owned.filter(isActivePod);
    const want = rs.spec.replicas ?? 1;
    const diff = active.length - want;
    if (diff < 0) this.#create(rs, Math.min(-diff, BURST));
    else if (diff > 0) this.#delete(rs, active, diff);
    this.#updateStatus(rs, owned);
  }

  #create(rs: ReplicaSetObject, count: number): void {
    const ns = rs.metadata.namespace ?? 'default';
    for (let i = 0; i < count; i++) {
      const pod = podFromTemplate(rs.spec.template ?? {}, {
        namespace: ns,
        generateName: `${rs.metadata.name}-`,
        owner: controllerRef(rs),
      });
      try {
        const created = this.#ctx.store.create('pods', pod);
        this.#events.event(refTo(rs), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      } catch (error) {
        if (!(error instanceof ApiStatusError)) throw error;
        this.#events.event(refTo(rs), 'Warning', 'FailedCreate', `Error creating: ${error.message}`);
        throw error;
      }
    }
  }

  #delete(rs: ReplicaSetObject, active: PodObject[], count: number): void {
    const now = this.#ctx.now();
    // The real ranking: unscheduled before scheduled, pending before running, not ready before
    // ready, more restarts first, newer first.
    const rank = (p: PodObject): number[] => {
      const phase = p.status?.phase === 'Pending' ? 0 : p.status?.phase === 'Running' ? 2 : 1;
      const restarts = (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
      const created = Date.parse(p.metadata.creationTimestamp ?? '') || now;
      return [p.spec.nodeName ? 1 : 0, phase, isPodReady(p) ? 1 : 0, -restarts, -created];
    };
    const victims = [...active]
      .sort((a, b) => {
        const ra = rank(a);
        const rb = rank(b);
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i]! - rb[i]!;
        return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
      })
      .slice(0, count);
    for (const pod of victims) {
      try {
        this.#ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '');
        this.#events.event(refTo(rs), 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
    }
  }

  #updateStatus(rs: ReplicaSetObject, owned: PodObject[]): void {
    const active = owned.filter(isActivePod);
    const now = this.#ctx.now();
    const minReady = rs.spec.minReadySeconds ?? 0;
    const templateLabels = rs.spec.template?.metadata?.labels ?? {};
    const status = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady, now)).length,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    // Pods that are ready but not yet available need another look when they become so.
    if (minReady > 0) {
      for (const p of active) {
        const ready = findCondition(p.status?.conditions, 'Ready');
        if (ready?.status !== 'True' || isPodAvailable(p, minReady, now)) continue;
        const at = Date.parse(ready.lastTransitionTime ?? '') + minReady * 1000;
        this.#queue.addAfter(keyOf(rs), Math.max(0, at - now) + 1);
      }
    }
    const current: Partial<NonNullable<ReplicaSetObject['status']>> = rs.status ?? {};
    const same =
      current.replicas === status.replicas &&
      (current.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas &&
      (current.readyReplicas ?? 0) === status.readyReplicas &&
      (current.availableReplicas ?? 0) === status.availableReplicas &&
      current.observedGeneration === status.observedGeneration;
    if (same) return;
    this.#ctx.store.mutate(
      'apps/replicasets',
      rs.metadata.namespace,
      rs.metadata.name ?? '',
      (obj) => {
        const next: Partial<NonNullable<ReplicaSetObject['status']>> = {
          ...((obj as ReplicaSetObject).status ?? {}),
          ...status,
        };
        // The API omits zero counts.
        if (!next.readyReplicas) delete next.readyReplicas;
        if (!next.availableReplicas) delete next.availableReplicas;
        if (!next.fullyLabeledReplicas) delete next.fullyLabeledReplicas;
        (obj as ReplicaSetObject).status = next as ReplicaSetObject['status'];
      },
      { subresource: 'status' },
    );
  }
}
