// The Deployment controller: one ReplicaSet per pod template (named by pod-template-hash, with
// revision annotations), rolling updates within maxSurge/maxUnavailable, Recreate, scaling,
// old ReplicaSets cleaned up beyond revisionHistoryLimit, and the status kubectl rollout reads —
// replicas, updated/ready/available counts and the Progressing/Available conditions, including
// ProgressDeadlineExceeded when a rollout stalls.
import type { StoreEvent } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import { fnv32a, safeEncode } from '../../random.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  controllerRef,
  controllerUid,
  keyOf,
  resolveIntOrPercent,
  splitKey,
  type Condition,
  type DeploymentObject,
  type IPodTemplateSpec,
  type ReplicaSetObject,
} from '../kinds.js';
import type { WorkQueue } from '../work-queue.js';

const REVISION = 'deployment.kubernetes.io/revision';
const DESIRED = 'deployment.kubernetes.io/desired-replicas';
const MAX = 'deployment.kubernetes.io/max-replicas';
const HASH_LABEL = 'pod-template-hash';

/** JSON with sorted keys, so equal templates hash and compare equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function withoutHash(template: IPodTemplateSpec | undefined): IPodTemplateSpec {
  const t = structuredClone(template ?? {});
  if (t.metadata?.labels) {
    const { [HASH_LABEL]: _h, ...rest } = t.metadata.labels;
    t.metadata.labels = rest;
  }
  return t;
}

/** The pod-template-hash Kubernetes gives a template (FNV-32a, spelled vowel-free). */
export function podTemplateHash(template: IPodTemplateSpec | undefined, collisionCount = 0): string {
  const h = fnv32a(canonical(withoutHash(template)) + (collisionCount ? String(collisionCount) : ''));
  return safeEncode(String(h));
}

function revisionOf(rs: ReplicaSetObject): number {
  return Number(rs.metadata.annotations?.[REVISION] ?? 0) || 0;
}

export class DeploymentController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#events = ctx.recorder({ component: 'deployment-controller' });
    this.#queue = ctx.queue('deployment', (key) => this.sync(key));
    ctx.cache.on('apps/deployments', (e) => {
      if (e.type !== 'DELETED') this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('apps/replicasets', (e) => this.#onReplicaSet(e));
  }

  #onReplicaSet(event: StoreEvent): void {
    for (const obj of [event.object, event.previous]) {
      const uid = obj && controllerUid(obj);
      if (!uid) continue;
      const owner = this.#ctx.cache.byUid(uid);
      if (owner?.resource === 'apps/deployments') this.#queue.add(keyOf(owner.object));
    }
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const d = this.#ctx.cache.get<DeploymentObject>('apps/deployments', namespace, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const all = this.#ownedReplicaSets(d);
    const template = withoutHash(d.spec.template);
    const wanted = canonical(template);
    let newRS = all.find((rs) => canonical(withoutHash(rs.spec.template)) === wanted);
    const replicas = d.spec.replicas ?? 1;
    const strategy = d.spec.strategy?.type ?? 'RollingUpdate';
    const maxSurge =
      strategy === 'RollingUpdate'
        ? resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge, replicas, true, '25%')
        : 0;
    let maxUnavailable =
      strategy === 'RollingUpdate'
        ? resolveIntOrPercent(d.spec.strategy?.rollingUpdate?.maxUnavailable, replicas, false, '25%')
        : 0;
    if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
    const oldRSs = () => this.#ownedReplicaSets(d).filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
    const maxRevision = all.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
    let createdNew = false;

    if (!d.spec.paused) {
      if (!newRS) {
        const current = all.reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0);
        const initial =
          strategy === 'Recreate'
            ? all.some((rs) => (rs.spec.replicas ?? 0) > 0)
              ? 0
              : replicas
            : Math.max(0, Math.min(replicas, replicas + maxSurge - current));
        newRS = this.#createReplicaSet(d, initial, maxRevision + 1, maxSurge);
        createdNew = true;
      } else {
        this.#syncAnnotations(
          d,
          newRS,
          revisionOf(newRS) < maxRevision ? maxRevision + 1 : revisionOf(newRS),
          maxSurge,
        );
      }
      if (strategy === 'Recreate') this.#recreate(d, newRS, oldRSs(), replicas);
      else this.#rollingUpdate(d, newRS, oldRSs(), { replicas, maxSurge, maxUnavailable });
      this.#cleanup(d, oldRSs());
    }
    this.#syncStatus(d, newRS, replicas, maxUnavailable, createdNew);
  }

  #ownedReplicaSets(d: DeploymentObject): ReplicaSetObject[] {
    return this.#ctx.cache
      .dependents(d.metadata.uid ?? '')
      .filter((x) => x.resource === 'apps/replicasets' && controllerUid(x.object) === d.metadata.uid)
      .map((x) => x.object as ReplicaSetObject)
      .filter((rs) => !rs.metadata.deletionTimestamp);
  }

  #createReplicaSet(
    d: DeploymentObject,
    replicas: number,
    revision: number,
    maxSurge: number,
  ): ReplicaSetObject {
    const ns = d.metadata.namespace ?? 'default';
    let collisions = d.status?.collisionCount ?? 0;
    for (;;) {
      const hash = podTemplateHash(d.spec.template, collisions);
      const template = structuredClone(d.spec.template ?? {});
      template.metadata = { ...(template.metadata ?? {}) };
      template.metadata.labels = { ...(template.metadata.labels ?? {}), [HASH_LABEL]: hash };
      const selector = structuredClone(d.spec.selector ?? {});
      selector.matchLabels = { ...(selector.matchLabels ?? {}), [HASH_LABEL]: hash };
      const name = `${d.metadata.name}-${hash}`;
      try {
        const created = this.#ctx.store.create('apps/replicasets', {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace: ns,
            labels: { ...(template.metadata.labels ?? {}) },
            annotations: {
              [DESIRED]: String(d.spec.replicas ?? 1),
              [MAX]: String((d.spec.replicas ?? 1) + maxSurge),
              [REVISION]: String(revision),
            },
            ownerReferences: [controllerRef(d)],
          },
          spec: {
            replicas,
            ...(d.spec.minReadySeconds ? { minReadySeconds: d.spec.minReadySeconds } : {}),
            selector,
            template,
          },
        }) as ReplicaSetObject;
        this.#setRevision(d, revision);
        if (replicas > 0) {
          this.#events.event(
            refTo(d),
            'Normal',
            'ScalingReplicaSet',
            `Scaled up replica set ${name} to ${replicas} from 0`,
          );
        }
        return created;
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 409)) throw error;
        // A ReplicaSet of that name with another template: bump collisionCount, as Kubernetes does.
        collisions++;
        this.#ctx.store.mutate(
          'apps/deployments',
          ns,
          d.metadata.name ?? '',
          (obj) => {
            const status = ((obj as DeploymentObject).status ??= {});
            status.collisionCount = collisions;
          },
          { subresource: 'status' },
        );
      }
    }
  }

  #setRevision(d: DeploymentObject, revision: number): void {
    if (d.metadata.annotations?.[REVISION] === String(revision)) return;
    this.#ctx.store.mutate('apps/deployments', d.metadata.namespace, d.metadata.name ?? '', (obj) => {
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [REVISION]: String(revision) };
    });
  }

  #syncAnnotations(d: DeploymentObject, rs: ReplicaSetObject, revision: number, maxSurge: number): void {
    const want = {
      [DESIRED]: String(d.spec.replicas ?? 1),
      [MAX]: String((d.spec.replicas ?? 1) + maxSurge),
      [REVISION]: String(revision),
    };
    const have = rs.metadata.annotations ?? {};
    if (Object.entries(want).some(([k, v]) => have[k] !== v)) {
      this.#ctx.store.mutate('apps/replicasets', rs.metadata.namespace, rs.metadata.name ?? '', (obj) => {
        obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...want };
      });
    }
    this.#setRevision(d, revision);
  }

  #scale(d: DeploymentObject, rs: ReplicaSetObject, to: number): void {
    const from = rs.spec.replicas ?? 0;
    if (from === to) return;
    this.#ctx.store.mutate('apps/replicasets', rs.metadata.namespace, rs.metadata.name ?? '', (obj) => {
      (obj as ReplicaSetObject).spec.replicas = to;
      obj.metadata.annotations = {
        ...(obj.metadata.annotations ?? {}),
        [DESIRED]: String(d.spec.replicas ?? 1),
      };
    });
    this.#events.event(
      refTo(d),
      'Normal',
      'ScalingReplicaSet',
      `Scaled ${to > from ? 'up' : 'down'} replica set ${rs.metadata.name} to ${to} from ${from}`,
    );
  }

  #recreate(d: DeploymentObject, newRS: ReplicaSetObject, old: ReplicaSetObject[], replicas: number): void {
    for (const rs of old) this.#scale(d, rs, 0);
    const oldPods = old.some((rs) => (rs.status?.replicas ?? 0) > 0);
    if (!oldPods) this.#scale(d, this.#fresh(newRS), replicas);
  }

  #rollingUpdate(
    d: DeploymentObject,
    newRS: ReplicaSetObject,
    old: ReplicaSetObject[],
    limits: { replicas: number; maxSurge: number; maxUnavailable: number },
  ): void {
    const { replicas, maxSurge, maxUnavailable } = limits;
    const activeOld = old.filter((rs) => (rs.spec.replicas ?? 0) > 0);
    let current = this.#fresh(newRS);
    if (activeOld.length === 0) {
      // Pure scaling (or a finished rollout): the new ReplicaSet gets exactly what is asked.
      this.#scale(d, current, replicas);
      return;
    }
    // Scale up the new ReplicaSet within maxSurge.
    const total = [current, ...old].reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0);
    const maxTotal = replicas + maxSurge;
    const newReplicas = current.spec.replicas ?? 0;
    if (total < maxTotal && newReplicas < replicas) {
      this.#scale(d, current, newReplicas + Math.min(maxTotal - total, replicas - newReplicas));
      current = this.#fresh(newRS);
    }
    // Scale down old ReplicaSets within maxUnavailable: unhealthy pods first, then available ones.
    const all = [current, ...old.map((rs) => this.#fresh(rs))];
    const allPods = all.reduce((s, rs) => s + (rs.spec.replicas ?? 0), 0);
    const minAvailable = replicas - maxUnavailable;
    const newUnavailable = (current.spec.replicas ?? 0) - (current.status?.availableReplicas ?? 0);
    let maxScaledDown = allPods - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return;
    const oldest = [...old].map((rs) => this.#fresh(rs)).sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of oldest) {
      if (maxScaledDown <= 0) break;
      const unhealthy = (rs.spec.replicas ?? 0) - (rs.status?.availableReplicas ?? 0);
      const cut = Math.min(maxScaledDown, Math.max(0, unhealthy));
      if (cut > 0) {
        this.#scale(d, rs, (rs.spec.replicas ?? 0) - cut);
        maxScaledDown -= cut;
      }
    }
    const available = all.reduce((s, rs) => s + (rs.status?.availableReplicas ?? 0), 0);
    let totalScaleDown = Math.min(maxScaledDown, available - minAvailable);
    for (const rs of oldest.map((r) => this.#fresh(r))) {
      if (totalScaleDown <= 0) break;
      const cut = Math.min(rs.spec.replicas ?? 0, totalScaleDown);
      if (cut > 0) {
        this.#scale(d, rs, (rs.spec.replicas ?? 0) - cut);
        totalScaleDown -= cut;
      }
    }
  }

  #fresh(rs: ReplicaSetObject): ReplicaSetObject {
    return (
      this.#ctx.cache.get<ReplicaSetObject>(
        'apps/replicasets',
        rs.metadata.namespace,
        rs.metadata.name ?? '',
      ) ?? rs
    );
  }

  #cleanup(d: DeploymentObject, old: ReplicaSetObject[]): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = old
      .map((rs) => this.#fresh(rs))
      .filter((rs) => (rs.spec.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      try {
        this.#ctx.store.delete('apps/replicasets', rs.metadata.namespace, rs.metadata.name ?? '');
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
    }
  }

  #syncStatus(
    d: DeploymentObject,
    newRS: ReplicaSetObject | undefined,
    replicas: number,
    maxUnavailable: number,
    createdNew: boolean,
  ): void {
    const all = this.#ownedReplicaSets(d);
    const fresh = newRS ? this.#fresh(newRS) : undefined;
    const sum = (f: (rs: ReplicaSetObject) => number | undefined): number =>
      all.reduce((s, rs) => s + (f(rs) ?? 0), 0);
    const old = d.status ?? {};
    const status = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: sum((rs) => rs.status?.replicas),
      updatedReplicas: fresh?.status?.replicas ?? 0,
      readyReplicas: sum((rs) => rs.status?.readyReplicas),
      availableReplicas: sum((rs) => rs.status?.availableReplicas),
      unavailableReplicas: Math.max(0, replicas - sum((rs) => rs.status?.availableReplicas)),
    };
    const now = this.#ctx.now();
    const nowText = this.#ctx.nowText();
    const conditions = ((old.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
    const setCond = (c: Condition, refreshUpdate: boolean): void => {
      const i = conditions.findIndex((x) => x.type === c.type);
      const cur = i >= 0 ? conditions[i] : undefined;
      if (cur && cur.status === c.status && cur.reason === c.reason && !refreshUpdate) return;
      const next: Condition = {
        ...c,
        lastUpdateTime: nowText,
        lastTransitionTime: cur && cur.status === c.status ? (cur.lastTransitionTime ?? nowText) : nowText,
      };
      if (i >= 0) conditions[i] = next;
      else conditions.push(next);
    };
    setCond(
      status.availableReplicas >= replicas - maxUnavailable
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
      false,
    );
    const rsName = fresh?.metadata.name ?? '';
    const deadline = d.spec.progressDeadlineSeconds ?? 600;
    const progressing = conditions.find((c) => c.type === 'Progressing');
    const complete =
      status.updatedReplicas === replicas &&
      status.replicas === replicas &&
      status.availableReplicas === replicas &&
      status.observedGeneration >= (d.metadata.generation ?? 1);
    const progressed =
      status.updatedReplicas > (old.updatedReplicas ?? 0) ||
      status.readyReplicas > (old.readyReplicas ?? 0) ||
      status.availableReplicas > (old.availableReplicas ?? 0) ||
      status.replicas - status.updatedReplicas < (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
    if (d.spec.paused) {
      setCond(
        {
          type: 'Progressing',
          status: 'Unknown',
          reason: 'DeploymentPaused',
          message: 'Deployment is paused',
        },
        false,
      );
    } else if (createdNew && fresh) {
      setCond(
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetCreated',
          message: `Created new replica set "${rsName}"`,
        },
        true,
      );
    } else if (complete) {
      setCond(
        {
          type: 'Progressing',
          status: 'True',
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
        },
        false,
      );
    } else if (!progressing && fresh) {
      setCond(
        {
          type: 'Progressing',
          status: 'True',
          reason: 'FoundNewReplicaSet',
          message: `Found new replica set "${rsName}"`,
        },
        true,
      );
    } else if (progressed && fresh) {
      setCond(
        {
          type: 'Progressing',
          status: 'True',
          reason: 'ReplicaSetUpdated',
          message: `ReplicaSet "${rsName}" is progressing.`,
        },
        true,
      );
    } else if (
      progressing &&
      progressing.reason !== 'ProgressDeadlineExceeded' &&
      progressing.status === 'True'
    ) {
      const since = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? nowText);
      const due = since + this.#ctx.scaled(deadline * 1000);
      if (now >= due) {
        setCond(
          {
            type: 'Progressing',
            status: 'False',
            reason: 'ProgressDeadlineExceeded',
            message: `ReplicaSet "${rsName}" has timed out progressing.`,
          },
          true,
        );
      } else {
        this.#queue.addAfter(keyOf(d), due - now + 1);
      }
    }
    // Available first, then Progressing, as the controller writes them.
    conditions.sort((a, b) => (a.type === 'Available' ? -1 : b.type === 'Available' ? 1 : 0));
    const next = { ...old, ...status, conditions };
    if (!next.readyReplicas) delete (next as { readyReplicas?: number }).readyReplicas;
    if (!next.availableReplicas) delete (next as { availableReplicas?: number }).availableReplicas;
    if (!next.unavailableReplicas) delete (next as { unavailableReplicas?: number }).unavailableReplicas;
    if (!next.updatedReplicas) delete (next as { updatedReplicas?: number }).updatedReplicas;
    if (!next.replicas) delete (next as { replicas?: number }).replicas;
    if (JSON.stringify(next) === JSON.stringify(old)) return;
    this.#ctx.store.mutate(
      'apps/deployments',
      d.metadata.namespace,
      d.metadata.name ?? '',
      (obj) => {
        (obj as DeploymentObject).status = next;
      },
      { subresource: 'status' },
    );
  }
}
