// propagationPolicy=Orphan: before an owner is deleted, its dependents lose their reference to
// it, so the garbage collector (a controller of the simulated cluster) leaves them alone.
import type { ObjectStore } from '../object-store.js';
import { RESOURCE_TYPES, resourceKey } from '../resources.js';
import { ApiStatusError } from '../status-error.js';

/** Strips owner references to `uid` from every stored object; returns how many changed. */
export function orphanDependents(store: ObjectStore, uid: string): number {
  let changed = 0;
  for (const type of RESOURCE_TYPES) {
    if (type.virtual || type.viewOf) continue;
    const key = resourceKey(type);
    for (const obj of store.list(key).items) {
      if (!(obj.metadata.ownerReferences ?? []).some((o) => o.uid === uid)) continue;
      try {
        store.mutate(key, obj.metadata.namespace, obj.metadata.name ?? '', (o) => {
          const remaining = (o.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid);
          if (remaining.length > 0) o.metadata.ownerReferences = remaining;
          else delete o.metadata.ownerReferences;
        });
        changed++;
      } catch (error) {
        // Gone meanwhile: nothing to orphan.
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
    }
  }
  return changed;
}
