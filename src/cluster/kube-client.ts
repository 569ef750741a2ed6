// A small client for the Kubernetes API on top of @kubernetes/client-node's KubeConfig:
// client-node handles kubeconfig, contexts, in-cluster credentials and TLS; this adds JSON
// requests, watch streams we can pace ourselves (back-pressure), and errors with status.
import type { Agent } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import type { ClusterConfig } from '../config/index.js';
import { KubeApiError, errorMessage } from '../lib/errors.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeClientOptions {
  /** Per-request timeout for non-streaming calls. */
  readonly requestTimeoutMs?: number;
}

export class KubeClient {
  readonly #kc: KubeConfig;
  readonly #server: string;
  readonly #timeoutMs: number;
  #agent: Agent | undefined;

  constructor(kc: KubeConfig, options: KubeClientOptions = {}) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeApiError('the kubeconfig has no current cluster', { status: 0 });
    this.#kc = kc;
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

  async #init(signal?: AbortSignal): Promise<RequestInit> {
    const init = await this.#kc.applyToFetchOptions({});
    // client-node 1.4 builds a new TLS agent per call; reuse the first one so connections
    // (and file descriptors) are not leaked on every request and reconnect.
    if (init.agent) {
      this.#agent ??= init.agent as Agent;
      init.agent = this.#agent;
    }
    init.method = 'GET';
    if (signal) init.signal = signal;
    return init;
  }

  #url(path: string, query: Query = {}): string {
    const url = new URL(this.#server + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  async #request(
    path: string,
    query: Query,
    signal: AbortSignal | undefined,
    accept: string,
  ): Promise<Response> {
    const init = await this.#init(signal);
    init.headers = { ...(init.headers as Record<string, string>), Accept: accept };
    let response: Response;
    try {
      response = await fetch(this.#url(path, query), init);
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new KubeApiError(`cannot reach the Kubernetes API at ${this.#server}: ${errorMessage(error)}`, {
        status: 0,
        cause: error,
      });
    }
    if (response.status >= 200 && response.status < 300) return response;
    throw await statusError(response, path);
  }

  /** GET a JSON document. */
  async getJson<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const response = await this.#request(path, query, combined, 'application/json');
    try {
      return (await response.json()) as T;
    } catch (error) {
      throw new KubeApiError(`the API answered ${path} with invalid JSON`, {
        status: response.status,
        cause: error,
      });
    }
  }

  /** GET a text body (logs). */
  async getText(path: string, query: Query = {}, signal?: AbortSignal): Promise<string> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const response = await this.#request(path, query, combined, 'text/plain, */*');
    return response.text();
  }

  /** Opens a streaming GET (watch, log follow). The caller reads `body` and aborts `signal` to stop. */
  async stream(path: string, query: Query, signal: AbortSignal): Promise<NodeJS.ReadableStream> {
    const response = await this.#request(path, query, signal, 'application/json');
    return response.body;
  }
}

async function statusError(response: Response, path: string): Promise<KubeApiError> {
  let reason: string | undefined;
  let message = `${response.status} ${response.statusText}`.trim();
  try {
    const body = (await response.json()) as { kind?: string; reason?: string; message?: string };
    if (body.kind === 'Status') {
      reason = body.reason;
      if (body.message) message = body.message;
    }
  } catch {
    // not a Status document
  }
  return new KubeApiError(`${path}: ${message}`, { status: response.status, reason });
}
