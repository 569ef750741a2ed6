// The verbs on served resources: get, list, watch, create, update, patch, delete and
// deletecollection, plus the status, scale, log, eviction and binding subresources, with the
// API server's status codes, list shapes, Table and PartialObjectMetadata forms, and dry runs.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { MetricsSource, PodLogSource } from '../contracts.js';
import type { FaultInjector } from '../faults.js';
import type { KubeObject, ObjectStore, WatchEvent } from '../object-store.js';
import { definitionName } from '../openapi/patch-meta.js';
import { groupVersion, resourceKey, type ResourceType } from '../resources.js';
import {
  matchesFields,
  matchesLabels,
  parseLabelSelector,
  type FieldRequirement,
  type LabelSelector,
} from '../selectors.js';
import { ApiStatusError, badRequest, conflict, invalid, notFound } from '../status-error.js';
import { parseIncludeObject, partialObjectMetadata, toTable, type IncludeObject } from '../tables/index.js';
import { selectorString } from '../tables/printers.js';
import { fromEventsV1, toEventsV1 } from './events-view.js';
import { fieldSelectorFor } from './field-selectors.js';
import {
  contentType,
  decodeBody,
  negotiate,
  ordered,
  queryFlag,
  queryInt,
  readBody,
  send,
  type ResponseForm,
} from './http-util.js';
import { applyPatch, parseApplied, patchKind } from './patch/apply-patch.js';
import { isMap } from './patch/strategic-merge.js';
import { orphanDependents } from './orphan.js';
import { parseLogRequest, serveLogs } from './pod-logs.js';
import type { ResourceRoute } from './route.js';
import { WatchStream, type WatchRegistry } from './watch-stream.js';

export interface ResourceApiDeps {
  readonly store: ObjectStore;
  readonly logs: PodLogSource;
  readonly metrics: MetricsSource;
  readonly faults: FaultInjector;
  readonly watches: WatchRegistry;
  readonly bookmarkIntervalMs: number;
  readonly log: Logger;
  /** Follows that must end when the server closes. */
  readonly streams: Set<() => void>;
}

/** Kinds whose PUT creates a missing object (the registry's AllowCreateOnUpdate). */
const CREATE_ON_UPDATE = new Set(['events', 'endpoints', 'coordination.k8s.io/leases']);
/** Kinds whose immediate DELETE answers with the deleted object rather than a Status. */
const RETURN_DELETED = new Set(['pods', 'namespaces', 'services', 'events']);

type Any = Record<string, unknown>;

interface DeleteRequest {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

function methodNotAllowed(): ApiStatusError {
  return new ApiStatusError(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  for (const v of values) {
    if (v !== 'All')
      throw invalid('DryRun', '', [
        {
          field: 'dryRun',
          reason: 'FieldValueNotSupported',
          message: `Unsupported value: "${v}": supported values: "All"`,
        },
      ]);
  }
  return values.length > 0;
}

function checkFieldValidation(query: URLSearchParams): void {
  const v = query.get('fieldValidation');
  if (v === null || v === '' || v === 'Strict' || v === 'Warn' || v === 'Ignore') return;
  throw badRequest(
    `fieldValidation: Unsupported value: "${v}": supported values: "Ignore", "Strict", "Warn"`,
  );
}

export class ResourceApi {
  readonly #d: ResourceApiDeps;

  constructor(deps: ResourceApiDeps) {
    this.#d = deps;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, route: ResourceRoute): Promise<void> {
    const { type, name, subresource } = route;
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    if (type.virtual) return this.#metrics(req, res, route, query);
    if (subresource) return this.#subresource(req, res, url, route);
    const isWatch = route.legacyWatch || queryFlag(query, 'watch');
    if (method === 'GET') {
      if (isWatch) {
        this.#require(type, 'watch');
        return this.#watch(req, res, url, route);
      }
      if (!name) {
        this.#require(type, 'list');
        return this.#list(req, res, route, query);
      }
      this.#require(type, 'get');
      const obj = this.#d.store.getOrThrow(this.#key(type), route.namespace, name);
      return this.#sendObject(req, res, { type, status: 200, obj, query });
    }
    if (isWatch) throw methodNotAllowed();
    if (!name) {
      if (method === 'POST') {
        this.#require(type, 'create');
        return this.#create(req, res, route, query);
      }
      if (method === 'DELETE') {
        this.#require(type, 'deletecollection');
        return this.#deleteCollection(req, res, route, query);
      }
      throw methodNotAllowed();
    }
    switch (method) {
      case 'PUT':
        this.#require(type, 'update');
        return this.#update(req, res, route, query, undefined);
      case 'PATCH':
        this.#require(type, 'patch');
        return this.#patch(req, res, route, query, undefined);
      case 'DELETE':
        this.#require(type, 'delete');
        return this.#delete(req, res, route, query);
      default:
        throw methodNotAllowed();
    }
  }

  // --- shapes ----------------------------------------------------------------------------------

  #key(type: ResourceType): string {
    return type.viewOf ?? resourceKey(type);
  }

  #require(type: ResourceType, verb: string): void {
    if (!type.verbs.includes(verb)) throw methodNotAllowed();
  }

  #view(type: ResourceType, obj: KubeObject): KubeObject {
    return type.viewOf ? toEventsV1(obj) : obj;
  }

  #form(req: IncomingMessage): ResponseForm {
    return negotiate(req.headers.accept, true);
  }

  #sendObject(
    req: IncomingMessage,
    res: ServerResponse,
    reply: { type: ResourceType; status: number; obj: KubeObject; query: URLSearchParams },
  ): void {
    const { type, status, obj, query } = reply;
    const form = this.#form(req);
    send(res, status, this.#shape(type, [obj], form, query, undefined), form);
  }

  /** One object (list undefined) or a list in the negotiated form. */
  #shape(
    type: ResourceType,
    objects: KubeObject[],
    form: ResponseForm,
    query: URLSearchParams,
    list: { resourceVersion: string; continue?: string; remainingItemCount?: number } | undefined,
  ): unknown {
    if (form.kind === 'table') {
      return toTable(this.#key(type), objects, {
        now: this.#d.store.now(),
        includeObject: parseIncludeObject(query.get('includeObject')),
        apiVersion: `meta.k8s.io/${form.version}`,
        ...(list ?? { resourceVersion: objects[0]?.metadata.resourceVersion ?? '' }),
        view: (o) => ordered(this.#view(type, o)) as KubeObject,
      });
    }
    if (form.kind === 'partial') {
      const apiVersion = `meta.k8s.io/${form.version}`;
      const items = objects.map((o) => partialObjectMetadata(this.#view(type, o), apiVersion));
      if (!list) return items[0];
      return {
        kind: 'PartialObjectMetadataList',
        apiVersion,
        metadata: listMeta(list),
        items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => rest),
      };
    }
    if (!list) return ordered(this.#view(type, objects[0]!));
    return {
      kind: type.listKind,
      apiVersion: groupVersion(type),
      metadata: listMeta(list),
      // The API server leaves kind and apiVersion out of list items.
      items: objects.map((o) => {
        const { kind: _k, apiVersion: _a, ...rest } = this.#view(type, o);
        return rest;
      }),
    };
  }

  #selectors(
    type: ResourceType,
    query: URLSearchParams,
  ): { labelSelector: LabelSelector; fieldSelector: FieldRequirement[] } {
    return {
      labelSelector: parseLabelSelector(query.get('labelSelector') ?? undefined),
      fieldSelector: fieldSelectorFor(type, query.get('fieldSelector')),
    };
  }

  // --- read ------------------------------------------------------------------------------------

  #list(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
    const { type } = route;
    const form = this.#form(req);
    const limit = queryInt(query, 'limit');
    const rv = query.get('resourceVersion');
    if (
      query.get('resourceVersionMatch') === 'Exact' &&
      rv &&
      Number(rv) < this.#d.store.compactedResourceVersion
    ) {
      throw new ApiStatusError(410, 'Expired', `The resourceVersion for the provided list is too old.`);
    }
    const result = this.#d.store.list(this.#key(type), {
      namespace: route.namespace,
      ...this.#selectors(type, query),
      limit,
      continue: query.get('continue') ?? undefined,
    });
    send(
      res,
      200,
      this.#shape(type, result.items, form, query, {
        resourceVersion: result.resourceVersion,
        ...(result.continue ? { continue: result.continue } : {}),
        ...(result.remainingItemCount !== undefined ? { remainingItemCount: result.remainingItemCount } : {}),
      }),
      form,
    );
  }

  #watch(req: IncomingMessage, res: ServerResponse, url: URL, route: ResourceRoute): void {
    const { type } = route;
    const query = url.searchParams;
    const form = this.#form(req);
    const selectors = this.#selectors(type, query);
    if (route.name) selectors.fieldSelector.push({ field: 'metadata.name', op: '=', value: route.name });
    const rv = query.get('resourceVersion') ?? undefined;
    if (rv !== undefined && rv !== '' && !/^\d+$/.test(rv))
      throw badRequest(`resourceVersion: Invalid value: "${rv}": must be a non-negative integer`);
    const timeoutSeconds = queryInt(query, 'timeoutSeconds');
    const bookmarks = queryFlag(query, 'allowWatchBookmarks');
    const sendInitialEvents = queryFlag(query, 'sendInitialEvents');
    const forced = this.#d.faults.takeWatchFailure();
    const expired = (): ApiStatusError =>
      new ApiStatusError(
        410,
        'Expired',
        `too old resource version: ${rv ?? '0'} (${this.#d.store.resourceVersion})`,
      );
    if (forced === 'http') throw expired();

    res.writeHead(200, {
      'Content-Type': form.kind === 'yaml' ? 'application/json' : 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    const stream = new WatchStream(res, url.pathname);
    this.#d.watches.add(stream);
    if (this.#d.faults.watchStalled(url.pathname)) stream.stall();
    if (forced === 'event') {
      stream.write('ERROR', expired().toStatus());
      stream.close();
      return;
    }

    const includeObject: IncludeObject = parseIncludeObject(query.get('includeObject'));
    let headersSent = false;
    const encode = (event: WatchEvent): unknown => {
      if (form.kind === 'table') {
        const table = toTable(this.#key(type), [event.object], {
          now: this.#d.store.now(),
          includeObject,
          apiVersion: `meta.k8s.io/${form.version}`,
          resourceVersion: event.object.metadata.resourceVersion ?? '',
          noHeaders: headersSent,
          view: (o) => ordered(this.#view(type, o)) as KubeObject,
        });
        headersSent = true;
        return table;
      }
      if (form.kind === 'partial')
        return partialObjectMetadata(this.#view(type, event.object), `meta.k8s.io/${form.version}`);
      return ordered(this.#view(type, event.object));
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      const metadata = {
        resourceVersion: this.#d.store.resourceVersion,
        ...(annotations ? { annotations } : {}),
      };
      const object =
        form.kind === 'table'
          ? {
              kind: 'Table',
              apiVersion: `meta.k8s.io/${form.version}`,
              metadata,
              columnDefinitions: [],
              rows: [],
            }
          : { kind: type.kind, apiVersion: groupVersion(type), metadata };
      stream.write('BOOKMARK', object);
    };

    let stop: (() => void) | undefined;
    try {
      stop = this.#d.store.watch(
        this.#key(type),
        {
          namespace: route.namespace,
          ...selectors,
          resourceVersion: sendInitialEvents ? undefined : rv,
        },
        (event) => stream.write(event.type, encode(event)),
      );
    } catch (error) {
      if (error instanceof ApiStatusError) {
        stream.write('ERROR', error.toStatus());
        stream.close();
        return;
      }
      stream.close();
      throw error;
    }
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    stream.onClose(() => stop?.());
    if (bookmarks && this.#d.bookmarkIntervalMs > 0) {
      const timer = setInterval(() => bookmark(), this.#d.bookmarkIntervalMs);
      stream.onClose(() => clearInterval(timer));
    }
    if (timeoutSeconds !== undefined && timeoutSeconds > 0) {
      const timer = setTimeout(() => stream.close(), timeoutSeconds * 1000);
      stream.onClose(() => clearTimeout(timer));
    }
    req.on('close', () => stream.close());
  }

  // --- write -----------------------------------------------------------------------------------

  async #body(req: IncomingMessage): Promise<KubeObject> {
    const body = decodeBody(await readBody(req), contentType(req));
    if (!isMap(body)) throw badRequest('the request body must be a JSON or YAML object');
    const obj = body as unknown as KubeObject;
    if (obj.metadata !== undefined && !isMap(obj.metadata)) throw badRequest('metadata must be an object');
    obj.metadata ??= {};
    return obj;
  }

  #checkType(type: ResourceType, obj: KubeObject): void {
    const expected = groupVersion(type);
    if (
      (obj.kind !== undefined && obj.kind !== type.kind) ||
      (obj.apiVersion !== undefined && obj.apiVersion !== expected)
    ) {
      throw badRequest(
        `the object provided is unrecognized (must be of type ${type.kind}): ${obj.apiVersion ?? ''}, Kind=${obj.kind ?? ''}`,
      );
    }
  }

  #checkNamespace(route: ResourceRoute, obj: KubeObject): void {
    if (!route.type.namespaced) return;
    if (obj.metadata.namespace && route.namespace && obj.metadata.namespace !== route.namespace) {
      throw badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    if (route.namespace) obj.metadata.namespace = route.namespace;
  }

  async #create(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type } = route;
    checkFieldValidation(query);
    const isDryRun = dryRun(query);
    const obj = await this.#body(req);
    this.#checkType(type, obj);
    if (type.namespaced && !route.namespace) throw methodNotAllowed();
    this.#checkNamespace(route, obj);
    if (type.viewOf) checkEventsV1(obj);
    const stored = type.viewOf ? fromEventsV1(obj) : obj;
    const created = this.#d.store.create(this.#key(type), stored, {
      namespace: route.namespace,
      dryRun: isDryRun,
    });
    this.#sendObject(req, res, { type, status: 201, obj: created, query });
  }

  async #update(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    subresource: string | undefined,
  ): Promise<void> {
    const { type, name } = route;
    checkFieldValidation(query);
    const isDryRun = dryRun(query);
    const obj = await this.#body(req);
    this.#checkType(type, obj);
    if (obj.metadata.name !== undefined && obj.metadata.name !== name)
      throw badRequest(
        `the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`,
      );
    obj.metadata.name = name;
    this.#checkNamespace(route, obj);
    const key = this.#key(type);
    const existed = this.#d.store.get(key, route.namespace, name!) !== undefined;
    const stored = type.viewOf ? fromEventsV1(obj) : obj;
    const updated = this.#d.store.update(key, stored, {
      subresource,
      createIfMissing: CREATE_ON_UPDATE.has(key),
      dryRun: isDryRun,
    });
    this.#sendObject(req, res, { type, status: existed ? 200 : 201, obj: updated, query });
  }

  async #patch(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
    subresource: string | undefined,
  ): Promise<void> {
    const { type, name } = route;
    checkFieldValidation(query);
    const isDryRun = dryRun(query);
    const kind = patchKind(contentType(req));
    const body = await readBody(req);
    const key = this.#key(type);
    const current = this.#d.store.get(key, route.namespace, name!);
    if (!current) {
      if (kind !== 'apply' || subresource) throw notFound(type, name!);
      const applied = parseApplied(body);
      this.#checkType(type, applied);
      if (applied.metadata.name !== name)
        throw badRequest(
          `the name of the object (${applied.metadata.name}) does not match the name on the URL (${name})`,
        );
      this.#checkNamespace(route, applied);
      const created = this.#d.store.create(key, type.viewOf ? fromEventsV1(applied) : applied, {
        namespace: route.namespace,
        dryRun: isDryRun,
      });
      return this.#sendObject(req, res, { type, status: 201, obj: created, query });
    }
    const shown = this.#view(type, current);
    const patched = applyPatch(kind, shown, body, definitionName(type));
    if (
      typeof patched !== 'object' ||
      patched === null ||
      typeof patched.metadata !== 'object' ||
      patched.metadata === null
    )
      throw badRequest('the patch removed the object metadata');
    if (patched.metadata.name !== undefined && patched.metadata.name !== name) {
      throw invalid(
        type.kind,
        name!,
        [
          {
            field: 'metadata.name',
            message: `Invalid value: "${String(patched.metadata.name)}": field is immutable`,
          },
        ],
        type.group,
      );
    }
    patched.metadata.name = name;
    if (type.namespaced) patched.metadata.namespace = current.metadata.namespace;
    patched.kind = shown.kind;
    patched.apiVersion = shown.apiVersion;
    const stored = type.viewOf ? fromEventsV1(patched) : patched;
    const updated = this.#d.store.update(key, stored, { subresource, dryRun: isDryRun });
    this.#sendObject(req, res, { type, status: 200, obj: updated, query });
  }

  async #deleteOptions(req: IncomingMessage, query: URLSearchParams): Promise<DeleteRequest> {
    const raw = await readBody(req);
    let body: Any = {};
    if (raw.length > 0) {
      const decoded = decodeBody(raw, contentType(req) || 'application/json');
      if (!isMap(decoded)) throw badRequest('the DeleteOptions body must be an object');
      body = decoded;
    }
    const grace =
      queryInt(query, 'gracePeriodSeconds') ??
      (typeof body.gracePeriodSeconds === 'number' ? body.gracePeriodSeconds : undefined);
    let policy =
      query.get('propagationPolicy') ??
      (typeof body.propagationPolicy === 'string' ? body.propagationPolicy : undefined);
    if (policy === undefined && typeof body.orphanDependents === 'boolean')
      policy = body.orphanDependents ? 'Orphan' : 'Background';
    if (query.get('orphanDependents') === 'true') policy = 'Orphan';
    if (policy !== undefined && !['Orphan', 'Background', 'Foreground'].includes(policy)) {
      throw invalid(
        'DeleteOptions',
        '',
        [
          {
            field: 'propagationPolicy',
            reason: 'FieldValueNotSupported',
            message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
          },
        ],
        'meta.k8s.io',
      );
    }
    if (grace !== undefined && grace < 0) {
      throw invalid(
        'DeleteOptions',
        '',
        [
          {
            field: 'gracePeriodSeconds',
            message: `Invalid value: ${grace}: must be greater than or equal to 0`,
          },
        ],
        'meta.k8s.io',
      );
    }
    const bodyDryRun = Array.isArray(body.dryRun) && body.dryRun.includes('All');
    const pre = isMap(body.preconditions)
      ? (body.preconditions as { uid?: string; resourceVersion?: string })
      : undefined;
    return {
      ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
      ...(policy !== undefined ? { propagationPolicy: policy } : {}),
      ...(pre ? { preconditions: pre } : {}),
      dryRun: dryRun(query) || bodyDryRun,
    };
  }

  /** Deletes one object; returns what the response shows (the object, or undefined for a Status). */
  #deleteOne(
    type: ResourceType,
    namespace: string | undefined,
    name: string,
    options: DeleteRequest,
  ): { object: KubeObject; removed: boolean } {
    const key = this.#key(type);
    const current = this.#d.store.getOrThrow(key, namespace, name);
    if (options.propagationPolicy === 'Orphan' && !options.dryRun && current.metadata.uid)
      orphanDependents(this.#d.store, current.metadata.uid);
    const result = this.#d.store.delete(key, namespace, name, {
      gracePeriodSeconds: options.gracePeriodSeconds,
      preconditions: options.preconditions,
      dryRun: options.dryRun,
    });
    const removed = !options.dryRun && this.#d.store.get(key, namespace, name) === undefined;
    return { object: result, removed };
  }

  async #delete(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type, name } = route;
    const options = await this.#deleteOptions(req, query);
    const { object, removed } = this.#deleteOne(type, route.namespace, name!, options);
    if (removed && !RETURN_DELETED.has(this.#key(type))) {
      send(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: {
          name,
          ...(type.group ? { group: type.group } : {}),
          kind: type.plural,
          uid: object.metadata.uid,
        },
      });
      return;
    }
    this.#sendObject(req, res, { type, status: 200, obj: object, query });
  }

  async #deleteCollection(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type } = route;
    const options = await this.#deleteOptions(req, query);
    const list = this.#d.store.list(this.#key(type), {
      namespace: route.namespace,
      ...this.#selectors(type, query),
    });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        deleted.push(
          this.#deleteOne(type, item.metadata.namespace, item.metadata.name ?? '', options).object,
        );
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
    }
    const form = this.#form(req);
    send(
      res,
      200,
      this.#shape(type, deleted, form, query, { resourceVersion: this.#d.store.resourceVersion }),
      form,
    );
  }

  // --- subresources ----------------------------------------------------------------------------

  async #subresource(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    route: ResourceRoute,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    const query = url.searchParams;
    const { type, name, subresource } = route;
    const key = this.#key(type);
    if (!name) throw methodNotAllowed();
    switch (subresource) {
      case 'status':
        if (method === 'GET')
          return this.#sendObject(req, res, {
            type,
            status: 200,
            obj: this.#d.store.getOrThrow(key, route.namespace, name),
            query,
          });
        if (method === 'PUT') return this.#update(req, res, route, query, 'status');
        if (method === 'PATCH') return this.#patch(req, res, route, query, 'status');
        throw methodNotAllowed();
      case 'scale':
        return this.#scale(req, res, route, query);
      case 'log': {
        if (method !== 'GET') throw methodNotAllowed();
        const pod = this.#d.store.getOrThrow('pods', route.namespace, name);
        const request = parseLogRequest(pod, query, this.#d.store.now());
        serveLogs(res, this.#d.logs, pod, request, (stop) => {
          this.#d.streams.add(stop);
          res.on('close', () => this.#d.streams.delete(stop));
        });
        return;
      }
      case 'eviction': {
        if (method !== 'POST') throw methodNotAllowed();
        const body = await this.#body(req);
        if (body.metadata.name !== undefined && body.metadata.name !== name)
          throw badRequest('name in URL does not match name in Eviction object');
        const deleteOptions = isMap(body.deleteOptions) ? body.deleteOptions : {};
        this.#d.store.getOrThrow('pods', route.namespace, name);
        this.#d.store.delete('pods', route.namespace, name, {
          gracePeriodSeconds:
            typeof deleteOptions.gracePeriodSeconds === 'number'
              ? deleteOptions.gracePeriodSeconds
              : undefined,
          dryRun: dryRun(query),
        });
        send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        return;
      }
      case 'binding': {
        if (method !== 'POST') throw methodNotAllowed();
        const body = await this.#body(req);
        const target = isMap(body.target) ? body.target : {};
        if (typeof target.name !== 'string' || target.name === '') {
          throw invalid('Binding', name, [
            { field: 'target.name', reason: 'FieldValueRequired', message: 'Required value' },
          ]);
        }
        const pod = this.#d.store.getOrThrow('pods', route.namespace, name);
        const bound = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
        if (bound) {
          throw new ApiStatusError(
            409,
            'Conflict',
            `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${bound}"`,
          );
        }
        this.#d.store.mutate('pods', route.namespace, name, (p) => {
          (p.spec as Any).nodeName = target.name;
        });
        send(res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
        return;
      }
      default:
        throw methodNotAllowed();
    }
  }

  async #scale(
    req: IncomingMessage,
    res: ServerResponse,
    route: ResourceRoute,
    query: URLSearchParams,
  ): Promise<void> {
    const { type, name } = route;
    const key = this.#key(type);
    const method = req.method ?? 'GET';
    const current = this.#d.store.getOrThrow(key, route.namespace, name!);
    const scale = toScale(current);
    if (method === 'GET') return send(res, 200, scale, this.#scaleForm(req));
    let next: KubeObject;
    if (method === 'PUT') {
      next = await this.#body(req);
      const rv = next.metadata.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(type, name!);
    } else if (method === 'PATCH') {
      next = applyPatch(
        patchKind(contentType(req)),
        scale,
        await readBody(req),
        'io.k8s.api.autoscaling.v1.Scale',
      );
    } else throw methodNotAllowed();
    const replicas = (next.spec as Any | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid(
        'Scale',
        name!,
        [
          {
            field: 'spec.replicas',
            message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
          },
        ],
        'autoscaling',
      );
    }
    const updated = this.#d.store.update(
      key,
      { ...current, spec: { ...(current.spec as Any), replicas } },
      { dryRun: dryRun(query) },
    );
    send(res, 200, toScale(updated), this.#scaleForm(req));
  }

  #scaleForm(req: IncomingMessage): ResponseForm {
    const form = negotiate(req.headers.accept, false);
    return form.kind === 'yaml' ? form : { kind: 'json' };
  }

  // --- metrics.k8s.io --------------------------------------------------------------------------

  #metrics(req: IncomingMessage, res: ServerResponse, route: ResourceRoute, query: URLSearchParams): void {
    const { type, name } = route;
    const method = req.method ?? 'GET';
    if (method !== 'GET' || route.legacyWatch || queryFlag(query, 'watch') || route.subresource)
      throw methodNotAllowed();
    const all =
      type.kind === 'NodeMetrics'
        ? this.#d.metrics.nodeMetrics()
        : this.#d.metrics.podMetrics(route.namespace);
    const form = this.#form(req);
    if (name) {
      const found = all.find(
        (m) => m.metadata.name === name && (!type.namespaced || m.metadata.namespace === route.namespace),
      );
      if (!found) throw notFound(type, name);
      return send(
        res,
        200,
        ordered({ kind: type.kind, apiVersion: groupVersion(type), ...found }),
        form.kind === 'yaml' ? form : { kind: 'json' },
      );
    }
    const labelSelector = parseLabelSelector(query.get('labelSelector') ?? undefined);
    const fieldSelector = fieldSelectorFor(type, query.get('fieldSelector'));
    const items = all.filter(
      (m) => matchesLabels(labelSelector, m.metadata.labels) && matchesFields(fieldSelector, m),
    );
    if (form.kind === 'table') {
      send(
        res,
        200,
        toTable(resourceKey(type), items, {
          now: this.#d.store.now(),
          includeObject: parseIncludeObject(query.get('includeObject')),
          apiVersion: `meta.k8s.io/${form.version}`,
          resourceVersion: '',
        }),
        form,
      );
      return;
    }
    send(
      res,
      200,
      { kind: `${type.kind}List`, apiVersion: groupVersion(type), metadata: {}, items },
      form.kind === 'yaml' ? form : { kind: 'json' },
    );
  }
}

function listMeta(list: { resourceVersion: string; continue?: string; remainingItemCount?: number }): Any {
  return {
    resourceVersion: list.resourceVersion,
    ...(list.continue ? { continue: list.continue } : {}),
    ...(list.remainingItemCount !== undefined ? { remainingItemCount: list.remainingItemCount } : {}),
  };
}

/** The autoscaling/v1 Scale of a workload. */
export function toScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as Any;
  const status = (obj.status ?? {}) as Any;
  const m = obj.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 0 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: selectorString(spec.selector),
    },
  };
}

/** events.k8s.io/v1 requires what core/v1 does not (the API server's v1 event validation). */
function checkEventsV1(obj: KubeObject): void {
  const e = obj as Any;
  const causes = [];
  if (!e.eventTime)
    causes.push({ field: 'eventTime', reason: 'FieldValueRequired', message: 'Required value' });
  if (!e.reportingController)
    causes.push({ field: 'reportingController', reason: 'FieldValueRequired', message: 'Required value' });
  if (!e.reportingInstance)
    causes.push({ field: 'reportingInstance', reason: 'FieldValueRequired', message: 'Required value' });
  if (!e.action) causes.push({ field: 'action', reason: 'FieldValueRequired', message: 'Required value' });
  if (!e.reason) causes.push({ field: 'reason', reason: 'FieldValueRequired', message: 'Required value' });
  if (e.type !== 'Normal' && e.type !== 'Warning')
    causes.push({
      field: 'type',
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${JSON.stringify(e.type ?? '')}: supported values: "Normal", "Warning"`,
    });
  if (causes.length > 0) throw invalid('Event', obj.metadata.name ?? '', causes, 'events.k8s.io');
}
