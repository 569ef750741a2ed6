// The simulated cluster's state, as etcd plus the API server's registry would keep it: objects
// by resource/namespace/name, one monotonically increasing resourceVersion across everything,
// a bounded history of changes that watches resume from (older → 410 Gone), admission hooks
// (defaulting, validation) and graceful deletion. Everything handed out is a copy.
import { randomUUID } from 'node:crypto';
import type { IIoK8sApimachineryPkgApisMetaV1ObjectMeta as ObjectMeta } from '@kubernetes-models/apimachinery/apis/meta/v1/ObjectMeta';
import { groupVersion, resourceKey, type ResourceType } from './resources.js';
import { matchesFields, matchesLabels, type FieldRequirement, type LabelSelector } from './selectors.js';
import {
  ApiStatusError,
  alreadyExists,
  badRequest,
  conflict,
  gone,
  invalid,
  notFound,
} from './status-error.js';

export type { ObjectMeta };

/** Any Kubernetes object in wire form. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as recorded in the history and delivered to watchers. */
export interface StoreEvent {
  readonly type: ChangeType;
  readonly rv: number;
  readonly resource: string;
  readonly object: KubeObject;
  /** The object before a MODIFIED change (for selector transitions). */
  readonly previous?: KubeObject;
}

export interface WatchEvent {
  readonly type: ChangeType | 'BOOKMARK';
  readonly object: KubeObject;
}

export interface Filter {
  readonly namespace?: string | undefined;
  readonly labelSelector?: LabelSelector | undefined;
  readonly fieldSelector?: readonly FieldRequirement[] | undefined;
}

export interface ListOptions extends Filter {
  readonly limit?: number | undefined;
  readonly continue?: string | undefined;
}

export interface ListResult {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continue?: string;
  readonly remainingItemCount?: number;
}

export interface WatchOptions extends Filter {
  /**
   * Resume after this resourceVersion. Unset, '' or '0': first an ADDED for every existing
   * object, then live changes (what the API server does without a resourceVersion).
   */
  readonly resourceVersion?: string | undefined;
}

export type Operation = 'create' | 'update' | 'delete';

export interface AdmissionRequest {
  readonly resource: ResourceType;
  readonly operation: Operation;
  /** The object as it will be stored (mutable: defaulting hooks change it in place). */
  readonly object: KubeObject;
  readonly old?: KubeObject;
  /** Which part is being written: the main resource or a subresource such as `status`. */
  readonly subresource?: string | undefined;
}

/** Defaults or validates an object before it is stored; throws an {@link ApiStatusError} to refuse. */
export type AdmissionHook = (request: AdmissionRequest) => void;

/**
 * Decides how a delete proceeds. Return 'graceful' to only mark the object (deletionTimestamp)
 * and let a controller finish it later (the kubelet does this for running pods).
 */
export type DeletionPolicy = (object: KubeObject, options: DeleteOptions) => 'immediate' | 'graceful';

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number | undefined;
  readonly preconditions?: { uid?: string; resourceVersion?: string } | undefined;
  /** Check the delete and return what it would do without doing it (`?dryRun=All`). */
  readonly dryRun?: boolean | undefined;
}

export interface ObjectStoreOptions {
  /** Epoch milliseconds; a simulated clock in tests. */
  readonly now?: () => number;
  /** Source of uids; seeded in deterministic scenarios. */
  readonly uid?: () => string;
  /** Random numbers in [0, 1) for generated names. */
  readonly random?: () => number;
  /** Changes kept for watch resume; older resourceVersions get 410 Gone. */
  readonly historyLimit?: number;
}

export interface UpdateOptions {
  /** `status` writes only `.status`; main updates keep the stored status (for types with a status subresource). */
  readonly subresource?: string | undefined;
  /** Create the object if it does not exist (PUT/apply semantics). */
  readonly createIfMissing?: boolean | undefined;
  /** Run defaulting and validation and return the result without storing it (`?dryRun=All`). */
  readonly dryRun?: boolean | undefined;
}

export interface CreateOptions {
  readonly namespace?: string | undefined;
  /** Run defaulting and validation and return the result without storing it (`?dryRun=All`). */
  readonly dryRun?: boolean | undefined;
}

type Listener = (event: WatchEvent) => void;

interface Watcher {
  readonly resource: string;
  readonly filter: Filter;
  readonly listener: Listener;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

export class ObjectStore {
  readonly #types = new Map<string, ResourceType>();
  readonly #objects = new Map<string, Map<string, KubeObject>>();
  readonly #history: StoreEvent[] = [];
  #historyStart = 0; // index of the oldest live entry in #history (amortised trimming)
  #compactedRV = 0;
  #rv = 0;
  readonly #watchers = new Set<Watcher>();
  readonly #admission = new Map<string, AdmissionHook[]>();
  readonly #deletion = new Map<string, DeletionPolicy>();
  readonly #changeListeners = new Set<(event: StoreEvent) => void>();
  readonly #now: () => number;
  readonly #uid: () => string;
  readonly #random: () => number;
  readonly #historyLimit: number;

  constructor(types: readonly ResourceType[], options: ObjectStoreOptions = {}) {
    for (const t of types) if (!t.virtual && !t.viewOf) this.#types.set(resourceKey(t), t);
    this.#now = options.now ?? Date.now;
    this.#uid = options.uid ?? randomUUID;
    this.#random = options.random ?? Math.random;
    this.#historyLimit = options.historyLimit ?? 20_000;
  }

  /** The store's clock (epoch ms): the simulated time in tests, for ages and timestamps. */
  now(): number {
    return this.#now();
  }

  /** The current resourceVersion (of the last change anywhere). */
  get resourceVersion(): string {
    return String(this.#rv);
  }

  /** Changes older than this resourceVersion are gone; watches from before it get 410. */
  get compactedResourceVersion(): number {
    return this.#compactedRV;
  }

  get watcherCount(): number {
    return this.#watchers.size;
  }

  type(key: string): ResourceType {
    const t = this.#types.get(key);
    if (!t) throw new Error(`resource ${key} is not stored`);
    return t;
  }

  /** Adds a defaulting/validation hook for a resource (run in registration order). */
  addAdmission(key: string, hook: AdmissionHook): void {
    const hooks = this.#admission.get(key) ?? [];
    hooks.push(hook);
    this.#admission.set(key, hooks);
  }

  setDeletionPolicy(key: string, policy: DeletionPolicy): void {
    this.#deletion.set(key, policy);
  }

  /** Every change to every resource, after it is applied (controllers react to these). */
  onChange(listener: (event: StoreEvent) => void): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  get(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const obj = this.#bucket(key).get(this.#id(key, namespace, name));
    return obj ? structuredClone(obj) : undefined;
  }

  /** Like {@link get} but throws a 404 Status. */
  getOrThrow(key: string, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(key, namespace, name);
    if (!obj) throw notFound(this.type(key), name);
    return obj;
  }

  /** Objects matching the filter, sorted by namespace/name; paginated with `limit`/`continue`. */
  list(key: string, options: ListOptions = {}): ListResult {
    const type = this.type(key);
    let start = '';
    let listRV = this.#rv;
    if (options.continue) {
      const token = decodeContinue(options.continue);
      if (token.rv < this.#compactedRV) {
        throw new ApiStatusError(
          410,
          'Expired',
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
        );
      }
      start = token.start;
      listRV = token.rv;
    }
    const ids = [...this.#bucket(key).keys()].filter((id) => id > start).sort();
    const items: KubeObject[] = [];
    const limit = options.limit && options.limit > 0 ? options.limit : Infinity;
    let last = '';
    let matchedAfter = 0;
    for (const id of ids) {
      const obj = this.#bucket(key).get(id)!;
      if (!this.#matches(type, obj, options)) continue;
      if (items.length < limit) {
        items.push(this.#withTypeMeta(type, structuredClone(obj)));
        last = id;
      } else matchedAfter++;
    }
    return {
      items,
      resourceVersion: String(listRV),
      ...(matchedAfter > 0
        ? { continue: encodeContinue({ rv: listRV, start: last }), remainingItemCount: matchedAfter }
        : {}),
    };
  }

  create(key: string, object: KubeObject, options: CreateOptions = {}): KubeObject {
    const type = this.type(key);
    const obj = structuredClone(object);
    obj.metadata ??= {};
    const meta = obj.metadata;
    if (type.namespaced) {
      const ns = options.namespace ?? meta.namespace ?? 'default';
      if (meta.namespace && options.namespace && meta.namespace !== options.namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta.namespace = ns;
      this.#requireNamespace(ns);
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = meta.generateName + this.#randomSuffix();
    if (!meta.name)
      throw invalid(type.kind, '', [
        {
          field: 'metadata.name',
          reason: 'FieldValueRequired',
          message: 'Required value: name or generateName is required',
        },
      ]);
    const id = this.#id(key, meta.namespace, meta.name);
    if (this.#bucket(key).has(id)) throw alreadyExists(type, meta.name);
    this.#withTypeMeta(type, obj);
    meta.uid = this.#uid();
    meta.creationTimestamp = rfc3339(this.#now());
    if (type.hasGeneration) meta.generation = 1;
    delete meta.deletionTimestamp;
    delete meta.resourceVersion;
    this.#admit({ resource: type, operation: 'create', object: obj });
    if (options.dryRun) return structuredClone(obj);
    meta.resourceVersion = String(++this.#rv);
    this.#bucket(key).set(id, obj);
    this.#record({ type: 'ADDED', rv: this.#rv, resource: key, object: structuredClone(obj) });
    return structuredClone(obj);
  }

  /**
   * Replaces an object. A resourceVersion in the new object must match the stored one (409
   * otherwise); without one the write is unconditional, as for PUT without it.
   */
  update(key: string, object: KubeObject, options: UpdateOptions = {}): KubeObject {
    const type = this.type(key);
    const meta = object.metadata;
    const ns = type.namespaced ? (meta.namespace ?? 'default') : undefined;
    const id = this.#id(key, ns, meta.name ?? '');
    const current = this.#bucket(key).get(id);
    if (!current) {
      if (options.createIfMissing && !options.subresource)
        return this.create(key, object, { namespace: ns, dryRun: options.dryRun });
      throw notFound(type, meta.name ?? '');
    }
    if (meta.resourceVersion && meta.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(type, meta.name ?? '');
    if (meta.uid && meta.uid !== current.metadata.uid) {
      throw new ApiStatusError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${meta.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    const next = this.#merged(type, current, structuredClone(object), options.subresource);
    this.#admit({
      resource: type,
      operation: 'update',
      object: next,
      old: structuredClone(current),
      subresource: options.subresource,
    });
    if (sameContent(current, next)) return structuredClone(current); // no-op writes do not bump the version
    if (options.dryRun) return structuredClone(next);
    next.metadata.resourceVersion = String(++this.#rv);
    // An object being deleted goes away once its last finalizer is removed.
    if (
      next.metadata.deletionTimestamp &&
      (next.metadata.finalizers ?? []).length === 0 &&
      this.#deletion.get(key) === undefined
    ) {
      return this.#remove(key, id, next);
    }
    this.#bucket(key).set(id, next);
    this.#record({
      type: 'MODIFIED',
      rv: this.#rv,
      resource: key,
      object: structuredClone(next),
      previous: structuredClone(current),
    });
    return structuredClone(next);
  }

  /** Reads, changes and writes back an object in one step (no conflict possible). */
  mutate(
    key: string,
    namespace: string | undefined,
    name: string,
    change: (obj: KubeObject) => void,
    options: UpdateOptions = {},
  ): KubeObject {
    const obj = this.getOrThrow(key, namespace, name);
    change(obj);
    obj.metadata.resourceVersion = undefined;
    return this.update(key, obj, options);
  }

  /**
   * Deletes an object. Objects with finalizers, and objects whose deletion policy says
   * 'graceful', are only marked (deletionTimestamp) and go away later.
   */
  delete(key: string, namespace: string | undefined, name: string, options: DeleteOptions = {}): KubeObject {
    const type = this.type(key);
    const id = this.#id(key, type.namespaced ? (namespace ?? 'default') : undefined, name);
    const current = this.#bucket(key).get(id);
    if (!current) throw notFound(type, name);
    const pre = options.preconditions;
    if (pre?.uid && pre.uid !== current.metadata.uid) {
      throw new ApiStatusError(
        409,
        'Conflict',
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`,
      );
    }
    if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion)
      throw conflict(type, name);
    const policy = this.#deletion.get(key)?.(structuredClone(current), options) ?? 'immediate';
    const finalizers = current.metadata.finalizers ?? [];
    if (policy === 'graceful' || finalizers.length > 0) {
      if (current.metadata.deletionTimestamp) return structuredClone(current);
      const next = structuredClone(current);
      next.metadata.deletionTimestamp = rfc3339(this.#now() + (options.gracePeriodSeconds ?? 0) * 1000);
      if (options.gracePeriodSeconds !== undefined)
        next.metadata.deletionGracePeriodSeconds = options.gracePeriodSeconds;
      if (options.dryRun) return next;
      next.metadata.resourceVersion = String(++this.#rv);
      this.#bucket(key).set(id, next);
      this.#record({
        type: 'MODIFIED',
        rv: this.#rv,
        resource: key,
        object: structuredClone(next),
        previous: structuredClone(current),
      });
      return structuredClone(next);
    }
    this.#admit({
      resource: type,
      operation: 'delete',
      object: structuredClone(current),
      old: structuredClone(current),
    });
    if (options.dryRun) return structuredClone(current);
    const final = structuredClone(current);
    final.metadata.resourceVersion = String(++this.#rv);
    return this.#remove(key, id, final);
  }

  /** Removes an object now, whatever its finalizers or deletion policy (a controller finishing a graceful delete). */
  forceDelete(key: string, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.type(key);
    const id = this.#id(key, type.namespaced ? (namespace ?? 'default') : undefined, name);
    const current = this.#bucket(key).get(id);
    if (!current) return undefined;
    const final = structuredClone(current);
    final.metadata.resourceVersion = String(++this.#rv);
    return this.#remove(key, id, final);
  }

  /**
   * Watches a resource. Replays history after `resourceVersion` (or ADDED for every existing
   * object when none is given), then delivers live changes. Throws 410 when the version is
   * older than the history kept. Returns the function that stops the watch.
   */
  watch(key: string, options: WatchOptions, listener: Listener): () => void {
    const type = this.type(key);
    const rvText = options.resourceVersion;
    const initial: WatchEvent[] = [];
    if (rvText === undefined || rvText === '' || rvText === '0') {
      for (const obj of this.list(key, options).items) initial.push({ type: 'ADDED', object: obj });
    } else {
      const since = Number(rvText);
      if (!Number.isInteger(since) || since < 0) throw badRequest(`invalid resource version "${rvText}"`);
      if (since < this.#compactedRV) throw gone(`too old resource version: ${since} (${this.#compactedRV})`);
      for (let i = this.#historyStart; i < this.#history.length; i++) {
        const event = this.#history[i]!;
        if (event.rv <= since || event.resource !== key) continue;
        const translated = this.#translate(type, event, options);
        if (translated) initial.push(translated);
      }
    }
    const watcher: Watcher = { resource: key, filter: options, listener };
    for (const event of initial) listener(event);
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }

  /** Total objects of a resource (cheap; for tests and metrics). */
  count(key: string): number {
    return this.#bucket(key).size;
  }

  // ---------------------------------------------------------------------------------------

  #bucket(key: string): Map<string, KubeObject> {
    let bucket = this.#objects.get(key);
    if (!bucket) {
      this.type(key);
      bucket = new Map();
      this.#objects.set(key, bucket);
    }
    return bucket;
  }

  #id(key: string, namespace: string | undefined, name: string): string {
    return this.type(key).namespaced ? `${namespace ?? 'default'}/${name}` : name;
  }

  #withTypeMeta(type: ResourceType, obj: KubeObject): KubeObject {
    obj.apiVersion = groupVersion(type);
    obj.kind = type.kind;
    return obj;
  }

  #requireNamespace(ns: string): void {
    const namespaces = this.#objects.get('namespaces');
    const found = namespaces?.get(ns);
    if (!found)
      throw new ApiStatusError(404, 'NotFound', `namespaces "${ns}" not found`, {
        name: ns,
        kind: 'namespaces',
      });
    if (found.metadata.deletionTimestamp) {
      throw new ApiStatusError(
        403,
        'Forbidden',
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
    }
  }

  #randomSuffix(): string {
    let out = '';
    for (let i = 0; i < 5; i++) out += NAME_CHARS[Math.floor(this.#random() * NAME_CHARS.length)];
    return out;
  }

  #admit(request: AdmissionRequest): void {
    for (const hook of this.#admission.get(resourceKey(request.resource)) ?? []) hook(request);
  }

  /** The object a write produces: immutable metadata kept, status/spec split by subresource. */
  #merged(
    type: ResourceType,
    current: KubeObject,
    incoming: KubeObject,
    subresource: string | undefined,
  ): KubeObject {
    const hasStatus = type.subresources?.includes('status') ?? false;
    let next: KubeObject;
    if (subresource === 'status') {
      next = structuredClone(current);
      next.status = incoming.status;
    } else {
      next = incoming;
      if (hasStatus) {
        if (current.status === undefined) delete next.status;
        else next.status = structuredClone(current.status);
      }
    }
    this.#withTypeMeta(type, next);
    const meta = next.metadata;
    const old = current.metadata;
    meta.name = old.name;
    if (old.namespace) meta.namespace = old.namespace;
    meta.uid = old.uid;
    meta.creationTimestamp = old.creationTimestamp;
    if (old.deletionTimestamp) meta.deletionTimestamp = old.deletionTimestamp;
    else delete meta.deletionTimestamp;
    if (old.deletionGracePeriodSeconds !== undefined)
      meta.deletionGracePeriodSeconds = old.deletionGracePeriodSeconds;
    if (subresource === 'status') {
      meta.generation = old.generation;
    } else if (type.hasGeneration) {
      meta.generation = (old.generation ?? 1) + (specChanged(current, next) ? 1 : 0);
    }
    meta.resourceVersion = old.resourceVersion;
    return next;
  }

  #remove(key: string, id: string, final: KubeObject): KubeObject {
    this.#bucket(key).delete(id);
    this.#record({
      type: 'DELETED',
      rv: Number(final.metadata.resourceVersion),
      resource: key,
      object: structuredClone(final),
    });
    return structuredClone(final);
  }

  #record(event: StoreEvent): void {
    this.#history.push(event);
    if (this.#history.length - this.#historyStart > this.#historyLimit) {
      this.#compactedRV = this.#history[this.#historyStart]!.rv;
      this.#historyStart++;
      if (this.#historyStart > 4096 && this.#historyStart * 2 > this.#history.length) {
        this.#history.splice(0, this.#historyStart);
        this.#historyStart = 0;
      }
    }
    const type = this.type(event.resource);
    for (const watcher of [...this.#watchers]) {
      if (watcher.resource !== event.resource) continue;
      const translated = this.#translate(type, event, watcher.filter);
      if (translated) watcher.listener(translated);
    }
    for (const listener of [...this.#changeListeners]) listener(event);
  }

  /** What a filtered watch sees of a change: objects entering the filter are ADDED, leaving it DELETED. */
  #translate(type: ResourceType, event: StoreEvent, filter: Filter): WatchEvent | undefined {
    const now = this.#matches(type, event.object, filter);
    if (event.type !== 'MODIFIED' || !event.previous)
      return now ? { type: event.type, object: structuredClone(event.object) } : undefined;
    const before = this.#matches(type, event.previous, filter);
    if (now && before) return { type: 'MODIFIED', object: structuredClone(event.object) };
    if (now) return { type: 'ADDED', object: structuredClone(event.object) };
    if (before) return { type: 'DELETED', object: structuredClone(event.object) };
    return undefined;
  }

  #matches(type: ResourceType, obj: KubeObject, filter: Filter): boolean {
    if (type.namespaced && filter.namespace && obj.metadata.namespace !== filter.namespace) return false;
    if (filter.labelSelector && !matchesLabels(filter.labelSelector, obj.metadata.labels)) return false;
    if (filter.fieldSelector && !matchesFields(filter.fieldSelector, obj)) return false;
    return true;
  }
}

/** metav1.Time: RFC 3339 with second precision, as the API server writes it. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** metav1.MicroTime: RFC 3339 with microseconds (events.k8s.io eventTime). */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

function specChanged(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject): string => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return JSON.stringify(rest);
  };
  return strip(a) !== strip(b);
}

function sameContent(a: KubeObject, b: KubeObject): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function encodeContinue(token: { rv: number; start: string }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString(
    'base64url',
  );
}

function decodeContinue(text: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(text, 'base64url').toString()) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string')
      return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}
