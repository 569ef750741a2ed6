// The composition root: builds every part of Lookout from the config, owns the start order
// and the shutdown (reverse order). Nothing else wires concrete adapters together.
//
// Start order: store → web UI accounts → delivery → alerting → rules → watch pipeline →
// built-in metrics → PromQL rules → http → chat bot.
// A notification can only be produced once what delivers it runs, and the HTTP server (which
// takes pushed alerts) opens last.
import type { Hono } from 'hono';
import { createAlerting, type Alerting } from './alerting/alerting.js';
import { lazyChartRenderer } from './charts/lazy-chart-renderer.js';
import type { TelegramBot } from './chat/telegram-bot.js';
import { SUBSCRIPTION_ROUTE } from './chat/subscription-notifier.js';
import { ClusterWatcher } from './cluster/cluster-watcher.js';
import { KubeClient } from './cluster/kube-client.js';
import { fetchLogTail } from './cluster/log-fetcher.js';
import type { WatchOptions } from './cluster/resource-watcher.js';
import { createWatchMetrics } from './cluster/watch-metrics.js';
import type { Config } from './config/index.js';
import type { Alert } from './domain/alert.js';
import type { ClusterStateView } from './history/cluster-state.js';
import type { LogSource } from './history/crash-logs.js';
import { WatchPipeline } from './history/watch-pipeline.js';
import { historyApi } from './http/api/history-api.js';
import { queryApi } from './http/api/query-api.js';
import { createHttpApp, type HttpMount } from './http/app.js';
import { startHttpServer, type RunningServer } from './http/server.js';
import { createWebUi, type WebUi } from './http/ui/web-ui.js';
import { errorMessage } from './lib/errors.js';
import { Lifecycle } from './lib/lifecycle.js';
import { Readiness } from './lib/readiness.js';
import { SecretScrubber, collectSecrets } from './lib/secret.js';
import { lookoutVersion } from './lib/version.js';
import { createBuiltinMetrics, type BuiltinMetrics } from './metrics/builtin/builtin-metrics.js';
import { createPrometheusSource } from './metrics/prometheus/prometheus-source.js';
import { QueryRouter } from './metrics/query-router.js';
import { createDelivery, type Delivery } from './notify/delivery.js';
import { RuleEngine } from './rules/engine.js';
import { createPromqlRuleEvaluator } from './rules/promql/promql-rule-evaluator.js';
import { openStore, type Store } from './store/index.js';
import { loadCooldowns, saveCooldown } from './store/repos/cooldown-repo.js';
import type { Logger } from './telemetry/logger.js';
import { createMetrics, type Metrics } from './telemetry/metrics.js';

export interface LookoutOptions {
  readonly config: Config;
  readonly log: Logger;
  /** Secret values to keep out of every answer; filled from the config's secrets. */
  readonly scrubber?: SecretScrubber;
  /** Extra routes (the demo adds its console receiver). */
  readonly mounts?: readonly HttpMount[];
  /** Paths of those mounts reachable without signing in (exact, or a prefix ending in `*`). */
  readonly openPaths?: readonly string[];
  /** Shows the web UI's bootstrap admin token once, at first start (default: stderr). */
  readonly announceBootstrapToken?: (token: string) => void;
}

export interface Lookout {
  readonly config: Config;
  readonly store: Store;
  readonly pipeline: WatchPipeline;
  /** The Telegram bot, when `chat.telegram` is configured. */
  readonly bot: TelegramBot | undefined;
  /** The web UI and the sign-in gate in front of every route. */
  readonly webUi: WebUi;
  /** Lookout's own metrics.k8s.io sampling (clusters without a Prometheus). */
  readonly builtinMetrics: BuiltinMetrics;
  readonly alerting: Alerting;
  readonly delivery: Delivery;
  readonly rules: RuleEngine;
  readonly queries: QueryRouter;
  readonly metrics: Metrics;
  readonly readiness: Readiness;
  readonly app: Hono;
  /** Current state of a watched cluster. */
  state(cluster: string): ClusterStateView | undefined;
  /** The HTTP server's base URL once started. */
  readonly url: string | undefined;
  start(): Promise<void>;
  /** Stops everything in reverse start order within `deadlineMs`. */
  stop(deadlineMs?: number): Promise<void>;
}

function watchOptions(config: Config): WatchOptions {
  const w = config.collect.watch;
  return {
    pageSize: w.page_size,
    watchTimeoutMs: w.timeout,
    watchdogMs: w.watchdog,
    relistIntervalMs: w.relist_interval,
    backoff: { initialMs: w.backoff_initial, maxMs: w.backoff_max },
  };
}

/**
 * Builds Lookout from its config. Asynchronous only because parts a config does not use (the
 * chat bot and its libraries) are loaded when, and only when, they are configured.
 */
export async function createLookout(options: LookoutOptions): Promise<Lookout> {
  const { config, log } = options;
  const scrubber = options.scrubber ?? new SecretScrubber();
  collectSecrets(config, scrubber);
  const version = lookoutVersion();
  const startedAt = Date.now();
  const metrics = createMetrics({ version });
  const registry = metrics.registry;
  const readiness = new Readiness();
  const lifecycle = new Lifecycle(log.child({ component: 'lifecycle' }));
  const storeLog = log.child({ component: 'store' });
  const store = openStore(config.storage, {
    sqlite: {
      backgroundCheckpoints: {
        onFailure: (error) =>
          storeLog.warn(
            { err: error },
            'the SQLite checkpoint thread stopped; the database checkpoints on the main thread again',
          ),
      },
    },
  });
  let server: RunningServer | undefined;
  const externalUrl =
    config.http.external_url ?? `http://${config.http.listen.host}:${config.http.listen.port}`;

  // --- Watchers (their API clients serve logs, metrics, chat and deployments too) -----
  const watchMetrics = createWatchMetrics(registry);
  const watchers = config.clusters.map(
    (cluster) =>
      new ClusterWatcher({
        cluster,
        client: KubeClient.fromConfig(cluster),
        log: log.child({ component: 'watch', cluster: cluster.name }),
        metrics: watchMetrics,
        options: watchOptions(config),
      }),
  );
  const clients = new Map(watchers.map((cw) => [cw.name, cw.client]));
  const clusterNames = config.clusters.map((c) => c.name);
  const telegram = config.chat.telegram;

  // --- Alerting, the chat bot, delivery ------------------------------------------------
  // The bot's subscriptions are a route of the alerting engine and an integration of delivery.
  const alerting = createAlerting({
    config: config.alerting,
    store,
    log,
    registry,
    externalUrl,
    onNotificationsQueued: () => delivery.wake(),
    ...(telegram ? { implicitReceivers: [SUBSCRIPTION_ROUTE] } : {}),
  });
  const sink = async (alerts: Alert[]): Promise<void> => {
    await alerting.ingest(alerts, 'rules');
  };
  const queries = new QueryRouter();
  const charts = lazyChartRenderer();
  const state = (cluster: string): ClusterStateView | undefined => watch.state(cluster);
  const chat = telegram
    ? (await import('./chat/create-chat.js')).createChat({
        config,
        telegram,
        store,
        clusterNames,
        state,
        queries,
        charts,
        alerting,
        clients,
        log,
        registry,
      })
    : undefined;
  const delivery: Delivery = createDelivery({
    receivers: config.alerting.receivers ?? [],
    store,
    log,
    registry,
    version,
    chatBotToken: telegram?.bot_token.reveal(),
    extraNotifiers: chat ? [chat.bot.subscriptionWorker] : [],
  });

  // --- The rule pack -------------------------------------------------------------------
  const rules = new RuleEngine({
    config: config.rules,
    sink,
    log: log.child({ component: 'rules' }),
    usage: (cluster) => builtin.usage(cluster),
    cooldowns: {
      load: (since) => loadCooldowns(store.db, since),
      save: (cluster, rule, key, at) => saveCooldown(store.db, cluster, rule, key, at),
    },
  });

  // --- Watching ------------------------------------------------------------------------
  const crashLogOptions = {
    tailLines: config.collect.crash_logs.tail_lines,
    maxBytes: config.collect.crash_logs.max_bytes,
  };
  const logs: LogSource = {
    crashLogs: (cluster, target, signal) => {
      const client = clients.get(cluster);
      if (!client)
        return Promise.reject(Object.assign(new Error(`unknown cluster ${cluster}`), { retry: false }));
      return fetchLogTail(client, target, crashLogOptions, signal);
    },
  };
  const watch = new WatchPipeline({ config, store, log, registry, readiness, clusters: watchers, logs });

  watch.ingest.onUpdate((updates) => {
    for (const u of updates) {
      const current = watch.state(u.cluster);
      if (
        current &&
        (u.changed.length > 0 ||
          u.deleted.length > 0 ||
          u.abnormalOpened.length > 0 ||
          u.abnormalClosed.length > 0)
      ) {
        rules.changed(current);
      }
      if (u.occurrences.length > 0) void rules.onOccurrences(u.cluster, u.occurrences);
      for (const entry of u.lifecycle) {
        if (entry.action !== 'created') continue;
        const pod = current?.pod(entry.namespace, entry.pod);
        if (pod) void rules.onPodCreated(u.cluster, pod, entry.at);
      }
    }
  });
  watch.crashLogs.onComplete((crash) => rules.onCrash(crash));

  // Lookout's own resource metrics, for clusters without a Prometheus.
  const builtin: BuiltinMetrics = createBuiltinMetrics({ config, store, clients, state, log, registry });
  for (const name of builtin.clusters) queries.register(name, builtin.source);

  // --- Queries and PromQL rules ----------------------------------------------------------
  const promqlRules: Array<{ run(signal: AbortSignal): Promise<void>; close(): void }> = [];
  for (const cluster of config.clusters) {
    if (!cluster.prometheus) continue;
    queries.register(
      cluster.name,
      createPrometheusSource(cluster.prometheus, { cluster: cluster.name, log }),
    );
    const evaluator = createPromqlRuleEvaluator(cluster.prometheus, {
      cluster: cluster.name,
      sink,
      log,
      registry,
    });
    if (evaluator)
      promqlRules.push({ run: (signal) => evaluator.evaluator.run(signal), close: () => evaluator.close() });
  }

  // --- HTTP ----------------------------------------------------------------------------
  readiness.register('database', async () => {
    await store.ping();
    return { ok: true };
  });
  const webUi: WebUi = createWebUi({
    config,
    store,
    state,
    alerting,
    log,
    registry,
    openPaths: [...(chat?.openPaths ?? []), ...(options.openPaths ?? [])],
    ...(options.announceBootstrapToken ? { announce: options.announceBootstrapToken } : {}),
  });
  const app = createHttpApp(
    {
      log: log.child({ component: 'http' }),
      metrics,
      readiness,
      scrubber,
      auth: webUi.auth,
      directGate: webUi.directGate,
      status: () => ({
        name: 'Lookout',
        version,
        uptime_seconds: Math.round((Date.now() - startedAt) / 1000),
        started_at: new Date(startedAt).toISOString(),
        storage: { dialect: store.dialect, location: store.location },
        clusters: config.clusters.map((c) => ({
          name: c.name,
          source: c.in_cluster ? 'in-cluster' : 'kubeconfig',
          metrics: c.prometheus ? 'prometheus' : config.collect.metrics.enabled ? 'built-in' : 'off',
        })),
        http: { listen: `${config.http.listen.host}:${config.http.listen.port}` },
        chat: telegram ? { telegram: chat?.bot.state ?? 'off' } : null,
        memory: (({ rss, heapUsed, heapTotal, external, arrayBuffers }) => ({
          rss_bytes: rss,
          heap_used_bytes: heapUsed,
          heap_total_bytes: heapTotal,
          external_bytes: external,
          array_buffers_bytes: arrayBuffers,
        }))(process.memoryUsage()),
        watched: Object.fromEntries(
          config.clusters.map((c) => {
            const current = state(c.name);
            return [c.name, current ? { pods: current.count('Pod'), nodes: current.count('Node') } : null];
          }),
        ),
      }),
    },
    [
      historyApi({ store, clusters: clusterNames, state }),
      alerting.mount,
      delivery.mount,
      queryApi({ source: queries, renderer: charts, clusters: clusterNames }),
      ...(chat?.mounts ?? []),
      ...(options.mounts ?? []),
      webUi.mount,
    ],
  );

  // --- Lifecycle -----------------------------------------------------------------------
  lifecycle.add({
    name: 'store',
    start: async () => {
      const summary = await store.migrate();
      log.info({ storage: store.location, applied: summary.applied }, 'database ready');
    },
    stop: () => store.close(),
  });
  lifecycle.add({ name: 'web-ui', start: () => webUi.start() });
  lifecycle.add({ name: 'delivery', start: () => delivery.start(), stop: () => delivery.stop() });
  lifecycle.add({ name: 'alerting', start: () => alerting.start(), stop: () => alerting.stop() });
  let ticker: NodeJS.Timeout | undefined;
  lifecycle.add({
    name: 'rules',
    start: async () => {
      await rules.start();
      // Level rules also run on a timer: `for` durations elapse without changes, and firing
      // alerts are kept alive.
      ticker = setInterval(() => {
        for (const name of watch.writer.clusters) {
          const current = watch.state(name);
          if (current)
            rules
              .evaluate(current, true)
              .catch((error: unknown) => log.error({ err: errorMessage(error) }, 'rule evaluation failed'));
        }
      }, config.rules.evaluation_interval);
      ticker.unref();
    },
    stop: async () => {
      clearInterval(ticker);
      await rules.idle();
    },
  });
  lifecycle.add({ name: 'watch', start: () => watch.start(), stop: () => watch.stop() });
  lifecycle.add({ name: 'metrics', start: () => builtin.start(), stop: () => builtin.stop() });
  const promqlAbort = new AbortController();
  const promqlRuns: Array<Promise<void>> = [];
  lifecycle.add({
    name: 'promql-rules',
    start: () => {
      for (const r of promqlRules) promqlRuns.push(r.run(promqlAbort.signal));
    },
    stop: async () => {
      promqlAbort.abort();
      await Promise.allSettled(promqlRuns);
      for (const r of promqlRules) r.close();
    },
  });
  lifecycle.add({
    name: 'http',
    start: async () => {
      server = await startHttpServer(app, config.http.listen);
      log.info({ url: server.url }, `Lookout is listening on ${server.url}`);
    },
    stop: () => server?.close(),
  });
  if (chat) lifecycle.add({ name: 'chat', start: () => chat.start(), stop: () => chat.stop() });

  return {
    config,
    store,
    pipeline: watch,
    alerting,
    delivery,
    bot: chat?.bot,
    webUi,
    builtinMetrics: builtin,
    rules,
    queries,
    metrics,
    readiness,
    app,
    state,
    get url() {
      return server?.url;
    },
    start: () => lifecycle.start(),
    stop: (deadlineMs?: number) => lifecycle.stop(deadlineMs),
  };
}
