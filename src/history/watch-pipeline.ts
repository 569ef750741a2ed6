// The watch pipeline of a running Lookout: the queue between watchers and the history writer,
// the ingest loop, crash-log completion and retention, with their start and stop order.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Config } from '../config/index.js';
import type { Observation } from '../domain/kube.js';
import { BoundedQueue } from '../lib/bounded-queue.js';
import type { Readiness } from '../lib/readiness.js';
import type { Store } from '../store/index.js';
import type { ClusterStateView } from './cluster-state.js';
import { CrashLogWorker, type LogSource } from './crash-logs.js';
import { HistoryWriter } from './history-writer.js';
import { Ingest } from './ingest.js';
import { runRetention } from './retention.js';

/** What the pipeline needs from each cluster's watch layer. */
export interface ClusterSource {
  readonly name: string;
  /** Checkpoint keys of the cluster's watches. */
  streams(): string[];
  /** Starts the watches, resuming from stored checkpoints, pushing into `queue`. */
  start(checkpoints: ReadonlyMap<string, string>, queue: BoundedQueue<Observation>): void;
  /** Streams not synced yet. */
  unsynced(): string[];
  stop(): Promise<void>;
}

export interface WatchPipelineDeps {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly clusters: readonly ClusterSource[];
  readonly logs: LogSource;
}

export class WatchPipeline {
  readonly queue: BoundedQueue<Observation>;
  readonly writer: HistoryWriter;
  readonly ingest: Ingest;
  readonly crashLogs: CrashLogWorker;
  readonly #d: WatchPipelineDeps;
  readonly #controller = new AbortController();
  #ingestRun: Promise<void> | undefined;
  #retentionRun: Promise<void> | undefined;

  constructor(deps: WatchPipelineDeps) {
    this.#d = deps;
    const { config, store, log, registry } = deps;
    this.queue = new BoundedQueue<Observation>(config.collect.queue_size);
    const a = config.collect.abnormal;
    this.writer = new HistoryWriter(store, {
      abnormal: {
        pendingGraceMs: a.pending_grace,
        notReadyGraceMs: a.not_ready_grace,
        oomWindowMs: a.oom_window,
        crashLoopSettleMs: a.crash_loop_settle,
      },
    });
    this.ingest = new Ingest({
      queue: this.queue,
      writer: this.writer,
      log: log.child({ component: 'history' }),
      registry,
      batchSize: config.collect.batch_size,
    });
    const c = config.collect.crash_logs;
    const running = (cluster: string, podUid: string, container: string): boolean => {
      const pod = this.writer.state(cluster)?.get('Pod', podUid);
      const c = pod?.kind === 'Pod' ? pod.containers.find((x) => x.name === container) : undefined;
      return c?.state.kind === 'running';
    };
    this.crashLogs = new CrashLogWorker(store, deps.logs, running, log.child({ component: 'crash-logs' }), {
      retryForMs: c.retry_for,
      eventsWindowMs: c.events_window,
    });
    this.ingest.onUpdate(this.crashLogs.handle);
    for (const cluster of deps.clusters) {
      deps.readiness.register(`watch:${cluster.name}`, () => {
        const pending = cluster.unsynced();
        return pending.length === 0
          ? { ok: true }
          : { ok: false, reason: `not synced yet: ${pending.join(', ')}` };
      });
    }
    deps.readiness.register('history', () =>
      this.ingest.lastError
        ? { ok: false, reason: `cannot write to the database: ${this.ingest.lastError}` }
        : { ok: true },
    );
  }

  /** Current state of a cluster (undefined for unknown clusters). */
  state(cluster: string): ClusterStateView | undefined {
    return this.writer.state(cluster);
  }

  async start(): Promise<void> {
    const signal = this.#controller.signal;
    const loaded = new Map<string, Map<string, string>>();
    for (const cluster of this.#d.clusters) {
      const checkpoints = await this.writer.loadCluster(cluster.name);
      this.writer.expectStreams(cluster.name, cluster.streams());
      loaded.set(cluster.name, checkpoints);
    }
    this.#ingestRun = this.ingest.run(signal);
    for (const cluster of this.#d.clusters) {
      await this.crashLogs.recover(cluster.name);
      cluster.start(loaded.get(cluster.name)!, this.queue);
    }
    this.#retentionRun = runRetention(
      this.#d.store,
      this.#d.config.retention,
      this.#d.log.child({ component: 'retention' }),
      signal,
    );
  }

  /** Stops the watches, writes what is already queued (bounded by the deadline), then stops. */
  async stop(): Promise<void> {
    await Promise.all(this.#d.clusters.map((c) => c.stop()));
    this.queue.close();
    const drained = this.#ingestRun ?? Promise.resolve();
    const deadline = new Promise((resolve) => setTimeout(resolve, 3000).unref());
    await Promise.race([drained, deadline]);
    this.#controller.abort();
    await drained;
    await this.crashLogs.stop();
    await this.#retentionRun;
  }
}
