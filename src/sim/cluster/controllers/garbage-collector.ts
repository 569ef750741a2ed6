// The garbage collector, background propagation: when an owner goes away, every dependent
// whose owners are all gone is deleted (pods gracefully, through the kubelet); a dependent that
// still has a live owner just loses the dangling reference. Runs on the cluster clock.
import type { KubeObject, StoreEvent } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import type { SimContext } from '../context.js';

export class GarbageCollector {
  readonly #ctx: SimContext;
  readonly #pending = new Set<string>();
  #armed = false;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    ctx.cache.onAny((e) => this.#onChange(e));
  }

  #onChange(event: StoreEvent): void {
    if (event.type !== 'DELETED') return;
    const uid = event.object.metadata.uid;
    if (!uid || this.#ctx.cache.dependents(uid).length === 0) return;
    this.#pending.add(uid);
    if (this.#armed) return;
    this.#armed = true;
    this.#ctx.timers.after(0, () => {
      this.#armed = false;
      this.#collect();
    });
  }

  #collect(): void {
    const gone = [...this.#pending];
    this.#pending.clear();
    for (const uid of gone) {
      for (const { resource, object } of this.#ctx.cache.dependents(uid)) this.#collectOne(resource, object);
    }
  }

  #collectOne(resource: string, object: KubeObject): void {
    const { store, cache } = this.#ctx;
    const owners = object.metadata.ownerReferences ?? [];
    const alive = owners.filter((o) => cache.byUid(o.uid) !== undefined);
    try {
      if (alive.length > 0) {
        store.mutate(resource, object.metadata.namespace, object.metadata.name ?? '', (obj) => {
          obj.metadata.ownerReferences = (obj.metadata.ownerReferences ?? []).filter(
            (o) => cache.byUid(o.uid) !== undefined,
          );
        });
      } else if (!object.metadata.deletionTimestamp) {
        store.delete(resource, object.metadata.namespace, object.metadata.name ?? '');
      }
    } catch (error) {
      // Someone else removed it first: nothing left to collect.
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
    }
  }
}
