// Watches one resource of one cluster: list, then watch from the list's resourceVersion (or
// resume from the stored one), forever. Every change is normalised and pushed into the
// bounded queue; a full queue pauses reading the stream (back-pressure), never drops.
import { StringDecoder } from 'node:string_decoder';
import type { Logger } from 'pino';
import type { Observation, Snapshot } from '../domain/kube.js';
import { backoffDelay, sleep, type BackoffPolicy } from '../lib/backoff.js';
import type { BoundedQueue } from '../lib/bounded-queue.js';
import { KubeApiError, errorMessage } from '../lib/errors.js';
import type { ListGate } from './list-gate.js';
import type { KubeClient } from './kube-client.js';
import { normalize } from './normalize.js';
import type { WatchMetrics } from './watch-metrics.js';
import { collectionPath, streamName, type WatchedResource } from './watched-resources.js';

export interface WatchOptions {
  /** Items per LIST page. */
  readonly pageSize: number;
  /** Server-side watch timeout; each watch asks for a random value between this and twice it. */
  readonly watchTimeoutMs: number;
  /** A watch silent for this long (no event, no bookmark) is rebuilt. */
  readonly watchdogMs: number;
  /** A full relist this often, as a safety net. */
  readonly relistIntervalMs: number;
  readonly backoff: BackoffPolicy;
  /** LISTs of one cluster that may run at once (see ListGate); default {@link DEFAULT_LIST_CONCURRENCY}. */
  readonly listConcurrency?: number;
}

export const DEFAULT_WATCH_OPTIONS: WatchOptions = {
  pageSize: 500,
  watchTimeoutMs: 5 * 60_000,
  watchdogMs: 3 * 60_000,
  relistIntervalMs: 60 * 60_000,
  backoff: { initialMs: 1000, maxMs: 30_000 },
};

/** LISTs of one cluster that run at once unless WatchOptions say otherwise. */
export const DEFAULT_LIST_CONCURRENCY = 1;

export interface ResourceWatcherDeps {
  readonly client: KubeClient;
  readonly cluster: string;
  readonly resource: WatchedResource;
  /** Watch one namespace only (namespace-scoped kinds). */
  readonly namespace?: string | undefined;
  /** Objects in these namespaces are ignored. */
  readonly exclude: ReadonlySet<string>;
  /** Only these namespaces (for cluster-wide watches of Namespace objects with an include list). */
  readonly include?: ReadonlySet<string> | undefined;
  readonly queue: BoundedQueue<Observation>;
  readonly log: Logger;
  readonly metrics: WatchMetrics;
  /** The stored checkpoint to resume from; undefined means list first. */
  readonly resumeFrom?: string | undefined;
  readonly options?: Partial<WatchOptions>;
  /** Shared by the watchers of one cluster: how many of them may list at once. */
  readonly listGate?: ListGate | undefined;
}

class GoneError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoneError';
  }
}

class WatchdogError extends Error {}

export class ResourceWatcher {
  readonly #d: ResourceWatcherDeps;
  readonly #o: WatchOptions;
  readonly #stream: string;
  readonly #labels: { cluster: string; resource: string };
  #synced = false;

  constructor(deps: ResourceWatcherDeps) {
    this.#d = deps;
    this.#o = { ...DEFAULT_WATCH_OPTIONS, ...deps.options };
    this.#stream = streamName(deps.resource.kind, deps.namespace);
    this.#labels = { cluster: deps.cluster, resource: this.#stream };
    this.#touch();
  }

  get stream(): string {
    return this.#stream;
  }

  /** True once the first LIST completed or the resumed watch was accepted. */
  get synced(): boolean {
    return this.#synced;
  }

  /** Runs until `signal` aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    const { metrics, log } = this.#d;
    let rv = this.#d.resumeFrom;
    let lastList = Date.now();
    let attempt = 0;
    let first = true;
    while (!signal.aborted) {
      try {
        if (rv === undefined || Date.now() - lastList >= this.#o.relistIntervalMs) {
          rv = await this.#gatedList(signal);
          lastList = Date.now();
        }
        if (!first) metrics.reconnects.inc(this.#labels);
        first = false;
        const outcome = await this.#watch(rv, signal);
        rv = outcome.rv;
        // A watch that ends at once without delivering anything is a server in trouble:
        // back off instead of reconnecting in a tight loop.
        if (outcome.events > 0 || outcome.durationMs > 5000) attempt = 0;
        else await sleep(backoffDelay(this.#o.backoff, attempt++), signal);
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof GoneError) {
          metrics.gone.inc(this.#labels);
          log.info({ stream: this.#stream, reason: error.message }, 'resourceVersion expired; listing again');
          rv = undefined;
          continue;
        }
        if (error instanceof WatchdogError) {
          metrics.watchdogRestarts.inc(this.#labels);
          log.warn(
            { stream: this.#stream, silentMs: this.#o.watchdogMs },
            'watch was silent for too long; rebuilding it',
          );
          continue;
        }
        metrics.errors.inc(this.#labels);
        const delay = backoffDelay(this.#o.backoff, attempt++);
        log.warn(
          { stream: this.#stream, err: errorMessage(error), retryInMs: delay },
          'watch failed; retrying',
        );
        await sleep(delay, signal);
      }
    }
  }

  #touch(): void {
    this.#d.metrics.lastEventAt.set(`${this.#d.cluster}/${this.#stream}`, {
      ...this.#labels,
      at: Date.now(),
    });
  }

  #path(): string {
    return collectionPath(this.#d.resource, this.#d.namespace);
  }

  #inScope(namespace: string | undefined, name: string): boolean {
    const ns = this.#d.resource.kind === 'Namespace' ? name : namespace;
    if (ns === undefined) return true;
    if (this.#d.exclude.has(ns)) return false;
    if (this.#d.include && this.#d.include.size > 0 && !this.#d.include.has(ns)) return false;
    return true;
  }

  async #push(observation: Observation, signal: AbortSignal): Promise<void> {
    await this.#d.queue.push(observation, signal);
  }

  #gatedList(signal: AbortSignal): Promise<string> {
    const gate = this.#d.listGate;
    return gate ? gate.run(() => this.#list(signal), signal) : this.#list(signal);
  }

  /** Lists everything (paginated), pushes each object and then the `synced` marker. */
  async #list(signal: AbortSignal): Promise<string> {
    const { cluster, resource, metrics } = this.#d;
    metrics.relists.inc(this.#labels);
    const uids = new Set<string>();
    let continueToken: string | undefined;
    let listRV = '';
    do {
      const page = await this.#listPage(continueToken, uids, signal);
      listRV = page.resourceVersion ?? listRV;
      continueToken = page.continueToken;
      for (const s of page.snapshots) {
        // List items do not move the checkpoint: only the `synced` marker does, so a stop
        // half-way through a list resumes with a full relist.
        await this.#push(
          { type: 'upsert', cluster, stream: this.#stream, resourceVersion: '', snapshot: s },
          signal,
        );
      }
    } while (continueToken);
    await this.#push(
      {
        type: 'synced',
        cluster,
        stream: this.#stream,
        kind: resource.kind,
        namespace: this.#d.namespace,
        resourceVersion: listRV,
        uids,
      },
      signal,
    );
    this.#markSynced();
    this.#touch();
    return listRV;
  }

  /**
   * Reads one list page and returns its in-scope snapshots (malformed items are counted,
   * logged and skipped). The whole page is normalised before any of it is pushed, and the wire
   * objects are dropped on return: a page of 500 pods parses into several MiB of objects
   * which, held across the waits for room in the queue, would survive into V8's old
   * generation and keep the process's memory high long after the list. The snapshots are a
   * fraction of that size.
   */
  async #listPage(
    continueToken: string | undefined,
    uids: Set<string>,
    signal: AbortSignal,
  ): Promise<{
    snapshots: Snapshot[];
    resourceVersion: string | undefined;
    continueToken: string | undefined;
  }> {
    const { client, resource, metrics, log } = this.#d;
    const snapshots: Snapshot[] = [];
    const onItem = (item: unknown): void => {
      const result = normalize(resource.kind, item);
      if (!result.ok) {
        metrics.handlerFailures.inc(this.#labels);
        log.warn(
          { stream: this.#stream, reason: result.reason },
          'skipping a malformed object from the list',
        );
        return;
      }
      const s = result.snapshot;
      if (!this.#inScope(s.namespace, s.name)) return;
      uids.add(s.uid);
      snapshots.push(s);
    };
    let list: Record<string, unknown>;
    try {
      list = await client.list(
        this.#path(),
        { limit: this.#o.pageSize, continue: continueToken },
        onItem,
        signal,
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 410) throw new GoneError(error.message);
      throw error;
    }
    const metadata = (list.metadata ?? {}) as { resourceVersion?: unknown; continue?: unknown };
    return {
      snapshots,
      resourceVersion: typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : undefined,
      continueToken:
        typeof metadata.continue === 'string' && metadata.continue !== '' ? metadata.continue : undefined,
    };
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#d.metrics.synced.set(this.#labels, 1);
  }

  async #watch(rv: string, signal: AbortSignal): Promise<{ rv: string; events: number; durationMs: number }> {
    const { client, metrics } = this.#d;
    const started = Date.now();
    const controller = new AbortController();
    const combined = AbortSignal.any([signal, controller.signal]);
    let timer: NodeJS.Timeout | undefined;
    let silent = false;
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        silent = true;
        controller.abort();
      }, this.#o.watchdogMs);
    };
    const disarm = (): void => clearTimeout(timer);
    const timeoutSeconds = Math.round((this.#o.watchTimeoutMs * (1 + Math.random())) / 1000);
    let current = rv;
    let events = 0;
    arm();
    try {
      let body: NodeJS.ReadableStream;
      try {
        body = await client.stream(
          this.#path(),
          { watch: true, resourceVersion: rv, allowWatchBookmarks: true, timeoutSeconds },
          combined,
        );
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 410) throw new GoneError(error.message);
        throw error;
      }
      metrics.connects.inc(this.#labels);
      this.#markSynced();
      const decoder = new StringDecoder('utf8');
      let buffer = '';
      for await (const chunk of body) {
        this.#touch();
        buffer += typeof chunk === 'string' ? chunk : decoder.write(chunk);
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + 1);
          if (line.trim() === '') continue;
          // While we wait for room in the queue the server is not silent — we are slow.
          disarm();
          current = await this.#handleLine(line, current, signal);
          events++;
          arm();
        }
      }
    } catch (error) {
      if (silent && !signal.aborted) throw new WatchdogError();
      throw error;
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
    return { rv: current, events, durationMs: Date.now() - started };
  }

  async #handleLine(line: string, rv: string, signal: AbortSignal): Promise<string> {
    const { cluster, resource, metrics, log } = this.#d;
    let message: { type?: unknown; object?: unknown };
    try {
      message = JSON.parse(line) as { type?: unknown; object?: unknown };
    } catch {
      metrics.handlerFailures.inc(this.#labels);
      log.warn({ stream: this.#stream, line: line.slice(0, 200) }, 'skipping a watch line that is not JSON');
      return rv;
    }
    const type = message.type;
    const object = (message.object ?? {}) as {
      metadata?: { resourceVersion?: string };
      code?: number;
      message?: string;
      reason?: string;
    };
    metrics.events.inc({ ...this.#labels, type: typeof type === 'string' ? type : 'invalid' });
    if (type === 'ERROR') {
      if (object.code === 410) throw new GoneError(object.message ?? 'resourceVersion too old');
      throw new KubeApiError(`watch error: ${object.message ?? 'unknown'}`, {
        status: object.code ?? 500,
        reason: object.reason,
      });
    }
    const nextRv = object.metadata?.resourceVersion || rv;
    if (type === 'BOOKMARK') {
      await this.#push({ type: 'bookmark', cluster, stream: this.#stream, resourceVersion: nextRv }, signal);
      return nextRv;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED' && type !== 'DELETED') {
      metrics.handlerFailures.inc(this.#labels);
      log.warn({ stream: this.#stream, type: String(type) }, 'skipping a watch event of unknown type');
      return rv;
    }
    const result = normalize(resource.kind, object);
    if (!result.ok) {
      metrics.handlerFailures.inc(this.#labels);
      log.warn({ stream: this.#stream, reason: result.reason }, 'skipping a malformed watch event');
      return nextRv;
    }
    const s = result.snapshot;
    if (!this.#inScope(s.namespace, s.name)) return nextRv;
    await this.#push(
      {
        type: type === 'DELETED' ? 'delete' : 'upsert',
        cluster,
        stream: this.#stream,
        resourceVersion: nextRv,
        snapshot: s,
      },
      signal,
    );
    return nextRv;
  }
}
