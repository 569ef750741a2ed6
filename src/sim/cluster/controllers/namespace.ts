// The namespace controller: new namespaces are Active; a deleted one turns Terminating, has
// every object inside it deleted (pods gracefully), reports what is left in its conditions,
// and is removed once empty.
import { RESOURCE_TYPES, resourceKey } from '../../resources.js';
import { ApiStatusError } from '../../status-error.js';
import type { SimContext } from '../context.js';
import { keyOf, type Condition } from '../kinds.js';
import type { WorkQueue } from '../work-queue.js';

const NAMESPACED = RESOURCE_TYPES.filter((t) => t.namespaced && !t.virtual && !t.viewOf).map(resourceKey);

export class NamespaceController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#queue = ctx.queue('namespace', (key) => this.sync(key));
    ctx.cache.on('namespaces', (e) => {
      if (e.type !== 'DELETED') this.#queue.add(keyOf(e.object));
    });
    ctx.cache.onAny((e) => {
      // Objects leaving a terminating namespace move its deletion on.
      const ns = e.object.metadata.namespace;
      if (
        e.type === 'DELETED' &&
        ns &&
        ctx.cache.get('namespaces', undefined, ns)?.metadata.deletionTimestamp
      ) {
        this.#queue.add(ns);
      }
    });
  }

  sync(name: string): void {
    const ns = this.#ctx.cache.get('namespaces', undefined, name);
    if (!ns) return;
    const status = (ns.status ?? {}) as { phase?: string; conditions?: Condition[] };
    if (!ns.metadata.deletionTimestamp) {
      if (status.phase !== 'Active') {
        this.#ctx.store.mutate(
          'namespaces',
          undefined,
          name,
          (obj) => (obj.status = { ...status, phase: 'Active' }),
          {
            subresource: 'status',
          },
        );
      }
      return;
    }
    const remaining = new Map<string, number>();
    for (const key of NAMESPACED) {
      for (const obj of this.#ctx.cache.list(key, name)) {
        remaining.set(key, (remaining.get(key) ?? 0) + 1);
        if (obj.metadata.deletionTimestamp) continue;
        try {
          this.#ctx.store.delete(key, name, obj.metadata.name ?? '');
        } catch (error) {
          if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
        }
      }
    }
    if (remaining.size === 0) {
      this.#ctx.store.forceDelete('namespaces', undefined, name);
      return;
    }
    const now = this.#ctx.nowText();
    const summary = [...remaining]
      .map(([k, n]) => `${k.split('/').pop()}. has ${n} resource instances`)
      .join(', ');
    const conditions: Condition[] = [
      {
        type: 'NamespaceDeletionDiscoveryFailure',
        status: 'False',
        reason: 'ResourcesDiscovered',
        message: 'All resources successfully discovered',
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceDeletionGroupVersionParsingFailure',
        status: 'False',
        reason: 'ParsedGroupVersions',
        message: 'All legacy kube types successfully parsed',
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceDeletionContentFailure',
        status: 'False',
        reason: 'ContentDeleted',
        message: 'All content successfully deleted, may be waiting on finalization',
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceContentRemaining',
        status: 'True',
        reason: 'SomeResourcesRemain',
        message: `Some resources are remaining: ${summary}`,
        lastTransitionTime: now,
      },
      {
        type: 'NamespaceFinalizersRemaining',
        status: 'False',
        reason: 'ContentHasNoFinalizers',
        message: 'All content-preserving finalizers finished',
        lastTransitionTime: now,
      },
    ];
    const old = status.conditions ?? [];
    for (const c of conditions) {
      const prev = old.find((o) => o.type === c.type);
      if (prev && prev.status === c.status) c.lastTransitionTime = prev.lastTransitionTime;
    }
    this.#ctx.store.mutate(
      'namespaces',
      undefined,
      name,
      (obj) => (obj.status = { phase: 'Terminating', conditions }),
      { subresource: 'status' },
    );
  }
}
