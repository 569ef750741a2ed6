// The StatefulSet controller: pods with stable names `<set>-0 … <set>-(n-1)` created in order
// (each waits for the one before to be Running and Ready under OrderedReady), a PVC per
// volumeClaimTemplate and ordinal, scale-down from the highest ordinal, rolling updates from
// the top, and the status `kubectl rollout status sts` reads.
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
  type PodObject,
  type StatefulSetObject,
} from '../kinds.js';
import { podFromTemplate } from '../pods.js';
import type { WorkQueue } from '../work-queue.js';

const REVISION_LABEL = 'controller-revision-hash';

export function statefulSetRevision(sts: StatefulSetObject): string {
  return `${sts.metadata.name}-${safeEncode(String(fnv32a(JSON.stringify(sts.spec.template ?? {}))))}`;
}

export class StatefulSetController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#events = ctx.recorder({ component: 'statefulset-controller' });
    this.#queue = ctx.queue('statefulset', (key) => this.sync(key));
    ctx.cache.on('apps/statefulsets', (e) => {
      if (e.type !== 'DELETED') this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('pods', (e) => {
      for (const obj of [e.object, e.previous]) {
        const uid = obj && controllerUid(obj);
        const owner = uid ? ctx.cache.byUid(uid) : undefined;
        if (owner?.resource === 'apps/statefulsets') this.#queue.add(keyOf(owner.object));
      }
    });
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const sts = this.#ctx.cache.get<StatefulSetObject>('apps/statefulsets', namespace, name);
    if (!sts || sts.metadata.deletionTimestamp) return;
    const setName = sts.metadata.name ?? '';
    const replicas = sts.spec.replicas ?? 1;
    const ordered = (sts.spec.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const revision = statefulSetRevision(sts);
    const byOrdinal = new Map<number, PodObject>();
    for (const pod of this.#ctx.cache.ownedPods(sts.metadata.uid ?? '')) {
      const m = new RegExp(`^${setName}-(\\d+)$`).exec(pod.metadata.name ?? '');
      if (m) byOrdinal.set(Number(m[1]), pod);
    }
    const healthy = (p: PodObject | undefined): boolean =>
      Boolean(p && !p.metadata.deletionTimestamp && p.status?.phase === 'Running' && isPodReady(p));

    let blocked = false;
    for (let i = 0; i < replicas && !blocked; i++) {
      const pod = byOrdinal.get(i);
      if (pod && isTerminalPod(pod) && !pod.metadata.deletionTimestamp) {
        this.#deletePod(sts, pod);
        blocked = ordered;
        continue;
      }
      if (!pod) {
        this.#createPod(sts, i, revision);
        blocked = ordered;
        continue;
      }
      if (ordered && !healthy(pod)) blocked = true;
    }
    // Scale down: the highest ordinal first, one at a time when ordered.
    const extra = [...byOrdinal.keys()].filter((i) => i >= replicas).sort((a, b) => b - a);
    for (const i of extra) {
      const pod = byOrdinal.get(i)!;
      if (pod.metadata.deletionTimestamp) {
        if (ordered) break;
        continue;
      }
      if (ordered && [...byOrdinal.entries()].some(([j, p]) => j < i && j < replicas && !healthy(p))) break;
      this.#deletePod(sts, pod);
      if (ordered) break;
    }
    // Rolling update from the top, one pod at a time, once everything below is healthy.
    const updateStrategy = sts.spec.updateStrategy?.type ?? 'RollingUpdate';
    const partition = sts.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    if (updateStrategy === 'RollingUpdate' && extra.length === 0) {
      const all = [...byOrdinal.entries()].filter(([i]) => i < replicas);
      if (all.length === replicas && all.every(([, p]) => healthy(p))) {
        const stale = all
          .filter(([i, p]) => i >= partition && p.metadata.labels?.[REVISION_LABEL] !== revision)
          .sort((a, b) => b[0] - a[0]);
        if (stale[0]) this.#deletePod(sts, stale[0][1]);
      }
    }
    this.#status(sts, [...byOrdinal.values()], revision, replicas);
  }

  #createPod(sts: StatefulSetObject, ordinal: number, revision: string): void {
    const ns = sts.metadata.namespace ?? 'default';
    const setName = sts.metadata.name ?? '';
    const podName = `${setName}-${ordinal}`;
    for (const tpl of sts.spec.volumeClaimTemplates ?? []) {
      const claim = `${tpl.metadata?.name}-${podName}`;
      if (this.#ctx.cache.get('persistentvolumeclaims', ns, claim)) continue;
      try {
        this.#ctx.store.create('persistentvolumeclaims', {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claim,
            namespace: ns,
            labels: { ...(sts.spec.selector?.matchLabels ?? {}) },
          },
          spec: structuredClone(tpl.spec ?? {}),
        });
        this.#events.event(
          refTo(sts),
          'Normal',
          'SuccessfulCreate',
          `create Claim ${claim} Pod ${podName} in StatefulSet ${setName} success`,
        );
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 409)) throw error;
      }
    }
    const pod = podFromTemplate(sts.spec.template, {
      namespace: ns,
      name: podName,
      owner: controllerRef(sts),
      extraLabels: {
        [REVISION_LABEL]: revision,
        'statefulset.kubernetes.io/pod-name': podName,
        'apps.kubernetes.io/pod-index': String(ordinal),
      },
      mutateSpec: (spec) => {
        spec.hostname = podName;
        if (sts.spec.serviceName) spec.subdomain = sts.spec.serviceName;
        const volumes = spec.volumes ?? [];
        for (const tpl of sts.spec.volumeClaimTemplates ?? []) {
          const volName = tpl.metadata?.name ?? '';
          if (volumes.some((v) => v.name === volName)) continue;
          volumes.push({ name: volName, persistentVolumeClaim: { claimName: `${volName}-${podName}` } });
        }
        if (volumes.length > 0) spec.volumes = volumes;
      },
    });
    try {
      this.#ctx.store.create('pods', pod);
      this.#events.event(
        refTo(sts),
        'Normal',
        'SuccessfulCreate',
        `create Pod ${podName} in StatefulSet ${setName} successful`,
      );
    } catch (error) {
      if (!(error instanceof ApiStatusError)) throw error;
      if (error.code === 409) return; // the old pod of that name is still being deleted
      this.#events.event(
        refTo(sts),
        'Warning',
        'FailedCreate',
        `create Pod ${podName} in StatefulSet ${setName} failed error: ${error.message}`,
      );
      throw error;
    }
  }

  #deletePod(sts: StatefulSetObject, pod: PodObject): void {
    try {
      this.#ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '');
      this.#events.event(
        refTo(sts),
        'Normal',
        'SuccessfulDelete',
        `delete Pod ${pod.metadata.name} in StatefulSet ${sts.metadata.name} successful`,
      );
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
    }
  }

  #status(sts: StatefulSetObject, pods: PodObject[], revision: string, replicas: number): void {
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const now = this.#ctx.now();
    const updated = live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === revision).length;
    const currentRevision =
      updated === live.length && live.length >= replicas
        ? revision
        : (sts.status?.currentRevision ?? revision);
    const status = {
      observedGeneration: sts.metadata.generation ?? 1,
      replicas: live.length,
      readyReplicas: live.filter(isPodReady).length,
      currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === currentRevision).length,
      updatedReplicas: updated,
      currentRevision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: live.filter((p) => isPodAvailable(p, sts.spec.minReadySeconds ?? 0, now)).length,
    };
    const next: Record<string, unknown> = { ...(sts.status ?? {}), ...status };
    for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas']) if (!next[k]) delete next[k];
    if (JSON.stringify(next) === JSON.stringify(sts.status ?? {})) return;
    this.#ctx.store.mutate(
      'apps/statefulsets',
      sts.metadata.namespace,
      sts.metadata.name ?? '',
      (obj) => {
        (obj as StatefulSetObject).status = next as unknown as StatefulSetObject['status'];
      },
      { subresource: 'status' },
    );
  }
}
