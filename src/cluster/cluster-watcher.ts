// All the watches of one cluster: one ResourceWatcher per watched kind (per namespace when
// the cluster has an include list), their readiness, and their stop path.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/index.js';
import type { Observation } from '../domain/kube.js';
import type { BoundedQueue } from '../lib/bounded-queue.js';
import type { KubeClient } from './kube-client.js';
import { ListGate } from './list-gate.js';
import { DEFAULT_LIST_CONCURRENCY, ResourceWatcher, type WatchOptions } from './resource-watcher.js';
import type { WatchMetrics } from './watch-metrics.js';
import { WATCHED_RESOURCES, streamName } from './watched-resources.js';

export interface ClusterWatcherDeps {
  readonly cluster: Pick<ClusterConfig, 'name' | 'namespaces'>;
  readonly client: KubeClient;
  readonly log: Logger;
  readonly metrics: WatchMetrics;
  readonly options?: Partial<WatchOptions>;
}

export class ClusterWatcher {
  readonly #watchers: ResourceWatcher[] = [];
  readonly #deps: ClusterWatcherDeps;
  #controller: AbortController | undefined;
  #running: Promise<unknown> | undefined;

  constructor(deps: ClusterWatcherDeps) {
    this.#deps = deps;
  }

  get name(): string {
    return this.#deps.cluster.name;
  }

  get client(): KubeClient {
    return this.#deps.client;
  }

  /** The checkpoint keys this cluster's watches use (kind, or kind/namespace). */
  streams(): string[] {
    const include = this.#deps.cluster.namespaces.include;
    return WATCHED_RESOURCES.flatMap((r) =>
      r.namespaced && include.length > 0 ? include.map((ns) => streamName(r.kind, ns)) : [streamName(r.kind)],
    );
  }

  /** Starts every watch, resuming from the stored checkpoints, pushing into `queue`. */
  start(checkpoints: ReadonlyMap<string, string>, queue: BoundedQueue<Observation>): void {
    const { cluster, client, log, metrics, options } = this.#deps;
    const include = cluster.namespaces.include;
    const exclude = new Set(cluster.namespaces.exclude);
    const listGate = new ListGate(options?.listConcurrency ?? DEFAULT_LIST_CONCURRENCY);
    for (const resource of WATCHED_RESOURCES) {
      const namespaces: Array<string | undefined> =
        resource.namespaced && include.length > 0 ? include : [undefined];
      for (const namespace of namespaces) {
        const stream = streamName(resource.kind, namespace);
        this.#watchers.push(
          new ResourceWatcher({
            client,
            cluster: cluster.name,
            resource,
            namespace,
            exclude,
            include: resource.kind === 'Namespace' ? new Set(include) : undefined,
            queue,
            log: log.child({ stream }),
            metrics,
            resumeFrom: checkpoints.get(stream),
            options,
            listGate,
          }),
        );
      }
    }
    this.#controller = new AbortController();
    const signal = this.#controller.signal;
    // Every watcher waits on this one signal (sleeping, or blocked on a full queue): that is
    // not a leak.
    setMaxListeners(this.#watchers.length * 4 + 10, signal);
    this.#running = Promise.all(this.#watchers.map((w) => w.run(signal)));
  }

  /** Streams that have not synced yet (empty when the cluster is ready). */
  unsynced(): string[] {
    return this.#watchers.filter((w) => !w.synced).map((w) => w.stream);
  }

  async stop(): Promise<void> {
    this.#controller?.abort();
    await this.#running;
  }
}
