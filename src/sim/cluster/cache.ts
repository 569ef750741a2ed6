// The controllers' shared view of the store, like client-go's informer caches: every object by
// key, plus the indexes reconcilers need to stay cheap at 10,000 pods (pods by node and by
// namespace, dependents by owner uid, objects by uid). Updated synchronously on each store
// change; handlers registered here only queue work.
import type { KubeObject, ObjectStore, StoreEvent } from '../object-store.js';
import { controllerUid, keyOf, type PodObject } from './kinds.js';

export type ChangeHandler = (event: StoreEvent) => void;

export interface ObjectRef {
  readonly resource: string;
  readonly key: string;
}

export class ClusterCache {
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #byUid = new Map<string, ObjectRef>();
  readonly #byNamespace = new Map<string, Map<string, Set<string>>>();
  readonly #podsByNode = new Map<string, Set<string>>();
  readonly #dependents = new Map<string, Set<string>>(); // owner uid → "resource|key"
  readonly #handlers = new Map<string, ChangeHandler[]>();
  readonly #anyHandlers: ChangeHandler[] = [];
  #unsubscribe: (() => void) | undefined;

  /** Starts mirroring the store (call before anything is written to it). */
  attach(store: ObjectStore): void {
    this.#unsubscribe = store.onChange((event) => this.#apply(event));
  }

  detach(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  /** Calls `handler` after every change to `resource` (after the indexes are updated). */
  on(resource: string, handler: ChangeHandler): void {
    const list = this.#handlers.get(resource) ?? [];
    list.push(handler);
    this.#handlers.set(resource, list);
  }

  onAny(handler: ChangeHandler): void {
    this.#anyHandlers.push(handler);
  }

  /** The stored object, shared: callers must copy before changing it. */
  get<T extends KubeObject = KubeObject>(
    resource: string,
    namespace: string | undefined,
    name: string,
  ): T | undefined {
    const key = namespace ? `${namespace}/${name}` : name;
    return this.#objects.get(resource)?.get(key) as T | undefined;
  }

  getByKey<T extends KubeObject = KubeObject>(resource: string, key: string): T | undefined {
    return this.#objects.get(resource)?.get(key) as T | undefined;
  }

  /** Every object of a resource, or those in one namespace. */
  list<T extends KubeObject = KubeObject>(resource: string, namespace?: string): T[] {
    const bucket = this.#objects.get(resource);
    if (!bucket) return [];
    if (namespace === undefined) return [...bucket.values()] as T[];
    const keys = this.#byNamespace.get(resource)?.get(namespace);
    if (!keys) return [];
    const out: T[] = [];
    for (const key of keys) {
      const obj = bucket.get(key);
      if (obj) out.push(obj as T);
    }
    return out;
  }

  count(resource: string): number {
    return this.#objects.get(resource)?.size ?? 0;
  }

  byUid(uid: string): { resource: string; object: KubeObject } | undefined {
    const ref = this.#byUid.get(uid);
    if (!ref) return undefined;
    const object = this.#objects.get(ref.resource)?.get(ref.key);
    return object ? { resource: ref.resource, object } : undefined;
  }

  podsOnNode(node: string): PodObject[] {
    const keys = this.#podsByNode.get(node);
    if (!keys) return [];
    const bucket = this.#objects.get('pods');
    const out: PodObject[] = [];
    for (const key of keys) {
      const pod = bucket?.get(key);
      if (pod) out.push(pod as PodObject);
    }
    return out;
  }

  /** Objects whose controller owner reference (or any owner reference) points at `uid`. */
  dependents(uid: string): Array<{ resource: string; object: KubeObject }> {
    const refs = this.#dependents.get(uid);
    if (!refs) return [];
    const out: Array<{ resource: string; object: KubeObject }> = [];
    for (const ref of refs) {
      const bar = ref.indexOf('|');
      const resource = ref.slice(0, bar);
      const object = this.#objects.get(resource)?.get(ref.slice(bar + 1));
      if (object) out.push({ resource, object });
    }
    return out;
  }

  /** Pods a workload controls (by controller owner uid). */
  ownedPods(ownerUid: string): PodObject[] {
    return this.dependents(ownerUid)
      .filter((d) => d.resource === 'pods' && controllerUid(d.object) === ownerUid)
      .map((d) => d.object as PodObject);
  }

  #apply(event: StoreEvent): void {
    const { resource, object } = event;
    const key = keyOf(object);
    let bucket = this.#objects.get(resource);
    if (!bucket) {
      bucket = new Map();
      this.#objects.set(resource, bucket);
    }
    const old = bucket.get(key);
    if (old) this.#unindex(resource, key, old);
    if (event.type === 'DELETED') {
      bucket.delete(key);
    } else {
      bucket.set(key, object);
      this.#index(resource, key, object);
    }
    for (const handler of this.#handlers.get(resource) ?? []) handler(event);
    for (const handler of this.#anyHandlers) handler(event);
  }

  #index(resource: string, key: string, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid) this.#byUid.set(uid, { resource, key });
    const ns = obj.metadata.namespace;
    if (ns) {
      let byRes = this.#byNamespace.get(resource);
      if (!byRes) {
        byRes = new Map();
        this.#byNamespace.set(resource, byRes);
      }
      let keys = byRes.get(ns);
      if (!keys) {
        keys = new Set();
        byRes.set(ns, keys);
      }
      keys.add(key);
    }
    if (resource === 'pods') {
      const node = (obj as PodObject).spec?.nodeName;
      if (node) {
        let keys = this.#podsByNode.get(node);
        if (!keys) {
          keys = new Set();
          this.#podsByNode.set(node, keys);
        }
        keys.add(key);
      }
    }
    for (const ref of obj.metadata.ownerReferences ?? []) {
      let set = this.#dependents.get(ref.uid);
      if (!set) {
        set = new Set();
        this.#dependents.set(ref.uid, set);
      }
      set.add(`${resource}|${key}`);
    }
  }

  #unindex(resource: string, key: string, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid) this.#byUid.delete(uid);
    const ns = obj.metadata.namespace;
    if (ns) this.#byNamespace.get(resource)?.get(ns)?.delete(key);
    if (resource === 'pods') {
      const node = (obj as PodObject).spec?.nodeName;
      if (node) this.#podsByNode.get(node)?.delete(key);
    }
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid);
      set?.delete(`${resource}|${key}`);
      if (set && set.size === 0) this.#dependents.delete(ref.uid);
    }
  }
}
