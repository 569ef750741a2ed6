// A small client for the Kubernetes API on top of @kubernetes/client-node's KubeConfig:
// client-node handles kubeconfig, contexts, in-cluster credentials and TLS; this adds JSON
// requests and writes, watch streams we can pace ourselves (back-pressure), and errors with status.
import type { Agent } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { KubeConfig } from './kube-config.js';
import { ListDecodeError, ListDecoder } from './list-decoder.js';
import fetch, { Headers, type RequestInit, type Response } from 'node-fetch';
import type { ClusterConfig } from '../config/index.js';
import { KubeApiError, errorMessage } from '../lib/errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeClientOptions {
  /** Per-request timeout for non-streaming calls. */
  readonly requestTimeoutMs?: number;
}

/**
 * Who the API server should treat a request as coming from (the `Impersonate-*` headers).
 * The credentials in the kubeconfig must be allowed to `impersonate` these users and groups.
 */
export interface Impersonation {
  readonly user: string;
  readonly groups?: readonly string[];
  readonly uid?: string;
}

/**
 * The four PATCH flavours the API server accepts, by their Content-Type:
 * `merge` (RFC 7386), `strategic` (merge keys of the Go types; built-in kinds only),
 * `json` (RFC 6902 operations) and `apply` (server-side apply; needs `fieldManager`).
 */
export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface WriteOptions {
  /** Query parameters: `dryRun: 'All'`, `fieldManager`, `force`, `propagationPolicy`, … */
  readonly query?: Query;
  readonly signal?: AbortSignal;
}

export interface DeleteOptions extends WriteOptions {
  /** A `meta/v1 DeleteOptions` body (`propagationPolicy`, `gracePeriodSeconds`, `preconditions`). */
  readonly body?: Readonly<Record<string, unknown>>;
}

interface RequestSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly path: string;
  readonly query: Query;
  readonly signal: AbortSignal | undefined;
  readonly accept: string;
  readonly body?: unknown;
  readonly contentType?: string;
}

/** The TLS agent, shared by a client and the impersonating clients derived from it. */
interface SharedAgent {
  agent: Agent | undefined;
}

export class KubeClient {
  readonly #kc: KubeConfig;
  readonly #server: string;
  readonly #timeoutMs: number;
  readonly #options: KubeClientOptions;
  #shared: SharedAgent = { agent: undefined };
  #impersonation: Impersonation | undefined;

  constructor(kc: KubeConfig, options: KubeClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError('the kubeconfig has no current cluster', { status: 0 });
    this.#kc = kc;
    this.#options = options;
    this.#server = cluster.server.replace(/\/+$/, '');
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  /** Builds a client from a `clusters[]` entry: kubeconfig (+ context) or in-cluster credentials. */
  static fromConfig(
    cluster: Pick<ClusterConfig, 'kubeconfig' | 'context' | 'in_cluster'>,
    options?: KubeClientOptions,
  ): KubeClient {
    const kc = new KubeConfig();
    try {
      if (cluster.in_cluster) kc.loadFromCluster();
      else kc.loadFromFile(cluster.kubeconfig!);
      if (cluster.context) kc.setCurrentContext(cluster.context);
    } catch (error) {
      throw new KubeApiError(`cannot load cluster credentials: ${errorMessage(error)}`, {
        status: 0,
        cause: error,
      });
    }
    return new KubeClient(kc, options);
  }

  get server(): string {
    return this.#server;
  }

  /** The underlying KubeConfig (for client-node APIs such as its typed clients). */
  get kubeConfig(): KubeConfig {
    return this.#kc;
  }

  /** Who this client's requests impersonate; undefined for the kubeconfig's own identity. */
  get impersonation(): Impersonation | undefined {
    return this.#impersonation;
  }

  /**
   * A client that sends every request as `identity` (Kubernetes user impersonation), so the
   * cluster's own RBAC decides what that user may read or change. It shares this client's
   * credentials and connections; this client is unchanged.
   */
  withImpersonation(identity: Impersonation): KubeClient {
    if (identity.user.trim() === '') throw new RangeError('an impersonated user name must not be empty');
    const derived = new KubeClient(this.#kc, this.#options);
    derived.#shared = this.#shared;
    derived.#impersonation = {
      user: identity.user,
      ...(identity.groups ? { groups: [...identity.groups] } : {}),
      ...(identity.uid ? { uid: identity.uid } : {}),
    };
    return derived;
  }

  async #init(spec: RequestSpec): Promise<RequestInit> {
    const init = await this.#kc.applyToFetchOptions({});
    // client-node 1.4 builds a new TLS agent per call; reuse the first one so connections
    // (and file descriptors) are not leaked on every request and reconnect.
    if (init.agent) {
      this.#shared.agent ??= init.agent as Agent;
      init.agent = this.#shared.agent;
    }
    // client-node hands back a node-fetch Headers (credentials included); copy its entries,
    // since spreading a Headers object would silently drop them.
    const headers = new Headers(init.headers);
    headers.set('Accept', spec.accept);
    const who = this.#impersonation;
    if (who) {
      headers.set('Impersonate-User', who.user);
      for (const group of who.groups ?? []) headers.append('Impersonate-Group', group);
      if (who.uid) headers.set('Impersonate-Uid', who.uid);
    }
    if (spec.body !== undefined) {
      headers.set('Content-Type', spec.contentType ?? 'application/json');
      init.body = JSON.stringify(spec.body);
    }
    init.headers = headers;
    init.method = spec.method;
    if (spec.signal) init.signal = spec.signal;
    return init;
  }

  #url(path: string, query: Query = {}): string {
    const url = new URL(this.#server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async #request(spec: RequestSpec): Promise<Response> {
    const init = await this.#init(spec);
    let response: Response;
    try {
      response = await fetch(this.#url(spec.path, spec.query), init);
    } catch (error) {
      if (spec.signal?.aborted) throw error;
      throw new KubeApiError(`cannot reach the Kubernetes API at ${this.#server}: ${errorMessage(error)}`, {
        status: 0,
        cause: error,
      });
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw await statusError(response, spec.path);
  }

  #timed(signal: AbortSignal | undefined): AbortSignal {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return signal ? AbortSignal.any([signal, timeout]) : timeout;
  }

  async #json<T>(spec: RequestSpec): Promise<T> {
    const response = await this.#request({ ...spec, signal: this.#timed(spec.signal) });
    let text: string;
    try {
      text = await readText(response.body);
    } catch (error) {
      throw new KubeApiError(
        `reading the answer to ${spec.method} ${spec.path} failed: ${errorMessage(error)}`,
        {
          status: response.status,
          cause: error,
        },
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new KubeApiError(`the API answered ${spec.method} ${spec.path} with invalid JSON`, {
        status: response.status,
        cause: error,
      });
    }
  }

  /**
   * GET a list (`{"metadata":…,"items":[…]}`) and hand each item to `onItem` as soon as it is
   * read, without holding the whole answer in memory (see ListDecoder). Answers the list's
   * other members (`metadata`, `kind`, `apiVersion`). A body that is not such a list is a
   * {@link KubeApiError}, like an invalid JSON answer to {@link getJson}.
   */
  async list(
    path: string,
    query: Query,
    onItem: (item: unknown) => void,
    signal?: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const spec: RequestSpec = {
      method: 'GET',
      path,
      query,
      signal: this.#timed(signal),
      accept: 'application/json',
    };
    const response = await this.#request(spec);
    const decoder = new ListDecoder(onItem);
    try {
      await eachText(response.body, (text) => decoder.write(text));
      return decoder.end();
    } catch (error) {
      if (!(error instanceof ListDecodeError)) throw error;
      throw new KubeApiError(`${path}: ${error.message}`, {
        status: response.status,
        cause: error,
      });
    }
  }

  /** GET a JSON document. */
  async getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    return this.#json<T>({ method: 'GET', path, query, signal, accept: 'application/json' });
  }

  /** GET a text body (logs). */
  async getText(path: string, query: Query = {}, signal?: AbortSignal): Promise<string> {
    const response = await this.#request({
      method: 'GET',
      path,
      query,
      signal: this.#timed(signal),
      accept: 'text/plain, */*',
    });
    return response.text();
  }

  /** Opens a streaming GET (watch, log follow). The caller reads `body` and aborts `signal` to stop. */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    const response = await this.#request({ method: 'GET', path, query, signal, accept: 'application/json' });
    return response.body;
  }

  /** POST (create) a JSON object; answers the object the API server stored (or would store, with dryRun). */
  async post<T>(path: string, body: unknown, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({ ...write('POST', path, options), body });
  }

  /** PUT (replace) a JSON object; a stale `metadata.resourceVersion` is a 409 Conflict. */
  async put<T>(path: string, body: unknown, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({ ...write('PUT', path, options), body });
  }

  /** PATCH an object with the Content-Type of `type` (see {@link PatchType}). */
  async patch<T>(path: string, body: unknown, type: PatchType, options: WriteOptions = {}): Promise<T> {
    return this.#json<T>({ ...write('PATCH', path, options), body, contentType: PATCH_CONTENT_TYPES[type] });
  }

  /**
   * DELETE an object (or a collection). The answer is the object (still there with a
   * `deletionTimestamp` when deleted gracefully or held by finalizers) or a `Status`.
   */
  async delete<T>(path: string, options: DeleteOptions = {}): Promise<T> {
    return this.#json<T>({ ...write('DELETE', path, options), body: options.body });
  }
}

function write(method: RequestSpec['method'], path: string, options: WriteOptions): RequestSpec {
  return { method, path, query: options.query ?? {}, signal: options.signal, accept: 'application/json' };
}

/** Hands each piece of a UTF-8 body to `onText` as it arrives (characters split across chunks are joined). */
async function eachText(body: NodeJS.ReadableStream, onText: (text: string) => void): Promise<void> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of body) onText(typeof chunk === 'string' ? chunk : decoder.write(chunk));
  onText(decoder.end());
}

/**
 * A body as text. Unlike node-fetch's `text()`/`json()`, which first concatenate every chunk
 * into one buffer (a large malloc'd block for a large answer), only the strings are joined: V8
 * owns that memory and gives it back when it is collected.
 */
async function readText(body: NodeJS.ReadableStream): Promise<string> {
  const parts: string[] = [];
  await eachText(body, (text) => parts.push(text));
  return parts.join('');
}

async function statusError(response: Response, path: string): Promise<KubeApiError> {
  let reason: string | undefined;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as {
      kind?: string;
      reason?: string;
      message?: string;
      details?: { causes?: Array<{ field?: string; message?: string }> };
    };
    if (body.kind === 'Status') {
      reason = body.reason;
      if (body.message) message = body.message;
      // A 422's message usually lists its causes already; add those it does not mention.
      for (const cause of body.details?.causes ?? []) {
        const text = [cause.field, cause.message].filter(Boolean).join(': ');
        if (text && cause.message && !message.includes(cause.message)) message += `; ${text}`;
      }
    }
  } catch {
    // not a Status document
  }
  return new KubeApiError(`${path}: ${message}`, { status: response.status, reason });
}
