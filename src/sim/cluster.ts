// The simulated cluster: the object store behind the simulated API server, and everything that
// happens inside a real cluster — scheduler, controllers, a kubelet per node, events with
// Kubernetes' dedup and TTL, usage metrics — playing a named scenario, deterministically from a
// seed, on the real clock (optionally with Kubernetes' durations scaled down) or a manual one.
import type { Logger } from 'pino';
import { silentLogger } from '../telemetry/logger.js';
import { installAdmission } from './admission/index.js';
import { RealClock, type Clock } from './clock.js';
import { installClusterAdmission } from './cluster/admission.js';
import { ClusterCache } from './cluster/cache.js';
import { SimContext } from './cluster/context.js';
import { DaemonSetController } from './cluster/controllers/daemonset.js';
import { DeploymentController } from './cluster/controllers/deployment.js';
import { EndpointsController } from './cluster/controllers/endpoints.js';
import { GarbageCollector } from './cluster/controllers/garbage-collector.js';
import { HpaController } from './cluster/controllers/hpa.js';
import { JobController } from './cluster/controllers/job.js';
import { NamespaceController } from './cluster/controllers/namespace.js';
import { NodeLifecycleController } from './cluster/controllers/node-lifecycle.js';
import { PvcBinder } from './cluster/controllers/pvc-binder.js';
import { ReplicaSetController } from './cluster/controllers/replicaset.js';
import { Scheduler } from './cluster/controllers/scheduler.js';
import { StatefulSetController } from './cluster/controllers/statefulset.js';
import { SimDriver } from './cluster/driver.js';
import { EventBroadcaster } from './cluster/events/event-recorder.js';
import { EventTtl } from './cluster/events/event-ttl.js';
import { EventWriter } from './cluster/events/event-writer.js';
import { SeriesRecorder } from './cluster/events/series-recorder.js';
import { Journal } from './cluster/journal.js';
import type { PodObject } from './cluster/kinds.js';
import { BehaviourCatalog } from './cluster/kubelet/behaviour.js';
import { KubeletFleet } from './cluster/kubelet/fleet.js';
import { ImageRegistry } from './cluster/kubelet/images.js';
import { NodeAccounting } from './cluster/node-accounting.js';
import { Timers } from './cluster/timers.js';
import { UsageModel } from './cluster/usage.js';
import type { MetricsSource, PodLogSource } from './contracts.js';
import { ObjectStore } from './object-store.js';
import { SeededRandom } from './random.js';
import { RESOURCE_TYPES } from './resources.js';
import { SCENARIOS, ScenarioKit, type ScenarioName } from './scenarios/index.js';

export type { ScenarioName } from './scenarios/index.js';
export { SCENARIO_NAMES, isScenarioName } from './scenarios/index.js';

/** The Kubernetes version the simulated nodes report (matches the simulated API server's default). */
export const SIM_KUBERNETES_VERSION = 'v1.32.4';

export interface SimClusterOptions {
  readonly scenario: ScenarioName;
  /** Same seed, same cluster: uids, names, IPs, timings and noise (default 1). */
  readonly seed?: number;
  /** Default the real clock; tests pass a ManualClock and advance it. */
  readonly clock?: Clock;
  /**
   * Multiplies Kubernetes' durations (back-off, grace periods, probe and sync periods, scenario
   * timelines): 0.01 turns the 10 s crash back-off into 100 ms. Default 1.
   */
  readonly timeScale?: number;
  /** How long an Event lives after its last write (default 1 h, as the API server's --event-ttl). */
  readonly eventTtlMs?: number;
  /** Changes kept for watch resume; older resourceVersions answer 410 Gone (default 20,000). */
  readonly historyLimit?: number;
  /** client-go's event spam filter (burst 25, then 1 per 5 min per object); default on. */
  readonly eventSpamFilter?: boolean;
  /** Entries the journal keeps of each kind before dropping the oldest (default 500,000). */
  readonly journalLimit?: number;
  readonly kubernetesVersion?: string;
  readonly log?: Logger;
}

export class SimCluster {
  readonly store: ObjectStore;
  readonly logs: PodLogSource;
  readonly metrics: MetricsSource;
  readonly journal: Journal;
  /** Make things happen: crashes, load, node failures, broken images. */
  readonly driver: SimDriver;
  readonly clock: Clock;
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly timeScale: number;
  readonly #abort = new AbortController();
  readonly #ctx: SimContext;
  readonly #cache: ClusterCache;
  readonly #fleet: KubeletFleet;
  readonly #kit: ScenarioKit;
  readonly #starters: Array<() => void>;
  readonly #log: Logger;
  readonly #ttl: EventTtl;
  readonly #writer: EventWriter;
  readonly #broadcaster: EventBroadcaster;
  #backdate = 0;
  #started = false;
  #stopped = false;

  constructor(options: SimClusterOptions) {
    this.clock = options.clock ?? new RealClock();
    this.scenario = options.scenario;
    this.seed = options.seed ?? 1;
    this.timeScale = options.timeScale ?? 1;
    if (!(this.timeScale > 0)) throw new RangeError('timeScale must be greater than 0');
    if (!SCENARIOS[options.scenario]) throw new RangeError(`unknown scenario "${options.scenario}"`);
    this.#log = (options.log ?? silentLogger()).child({ component: 'sim-cluster' });
    const clock = this.clock;
    const random = new SeededRandom(this.seed);
    const uids = random.fork('uids');
    const names = random.fork('names');
    this.store = new ObjectStore(RESOURCE_TYPES, {
      now: () => clock.now() - this.#backdate,
      uid: () => uids.uuid(),
      random: () => names.next(),
      historyLimit: options.historyLimit,
    });
    installAdmission(this.store);
    this.#cache = new ClusterCache();
    this.#cache.attach(this.store);
    installClusterAdmission(this.store, this.#cache, random);
    // Pods on a node are deleted gracefully (the kubelet stops them); the rest at once.
    this.store.setDeletionPolicy('pods', (pod, opts) => {
      const p = pod as PodObject;
      const terminal = p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
      return p.spec?.nodeName && !terminal && opts.gracePeriodSeconds !== 0 ? 'graceful' : 'immediate';
    });
    this.store.setDeletionPolicy('namespaces', () => 'graceful');

    // Timer failures are counted by the context (built just below, before any timer can fire).
    const timers = new Timers(clock, this.#abort.signal, (error) => this.#ctx.fail(error));
    this.journal = new Journal(options.journalLimit);
    this.#writer = new EventWriter(
      this.store,
      this.journal,
      random.fork('event-names'),
      () => clock.now(),
      this.#log,
    );
    this.#broadcaster = new EventBroadcaster(this.#writer, () => clock.now(), {
      timeScale: this.timeScale,
      spamFilter: options.eventSpamFilter ?? true,
    });
    const unfiltered = new EventBroadcaster(this.#writer, () => clock.now(), {
      timeScale: this.timeScale,
      spamFilter: false,
    });
    const schedulerEvents = new SeriesRecorder(this.#writer, timers, {
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-control-plane',
      timeScale: this.timeScale,
    });
    const ctx = new SimContext({
      store: this.store,
      cache: this.#cache,
      timers,
      random,
      timeScale: this.timeScale,
      log: this.#log,
      broadcaster: this.#broadcaster,
      unfilteredBroadcaster: unfiltered,
      schedulerEvents,
      journal: this.journal,
      kubernetesVersion: options.kubernetesVersion ?? SIM_KUBERNETES_VERSION,
    });
    this.#ctx = ctx;
    const images = new ImageRegistry();
    const behaviours = new BehaviourCatalog();
    const accounting = new NodeAccounting(this.#cache);
    this.#fleet = new KubeletFleet(ctx, images, behaviours);
    const usage = new UsageModel(ctx, this.#fleet);
    const scheduler = new Scheduler(ctx, accounting);
    new ReplicaSetController(ctx);
    new DeploymentController(ctx);
    new StatefulSetController(ctx);
    new DaemonSetController(ctx);
    new JobController(ctx);
    new GarbageCollector(ctx);
    new NamespaceController(ctx);
    const pvcs = new PvcBinder(ctx);
    new EndpointsController(ctx);
    const nodes = new NodeLifecycleController(ctx, this.#fleet);
    const hpa = new HpaController(ctx, usage);
    this.#ttl = new EventTtl(this.store, this.#cache, timers, options.eventTtlMs ?? 3_600_000);
    this.driver = new SimDriver(ctx, this.#fleet, usage, images, behaviours);
    this.logs = this.#fleet;
    this.metrics = usage;
    this.#kit = new ScenarioKit({
      ctx,
      fleet: this.#fleet,
      scheduler,
      images,
      driver: this.driver,
      pvcs,
      backdate: (ms) => {
        this.#backdate = ms;
      },
    });
    this.#starters = [
      () => this.#fleet.start(),
      () => scheduler.start(),
      () => nodes.start(),
      () => hpa.start(),
      () => schedulerEvents.start(),
    ];
  }

  /** The scenario's building blocks and timers, for tests that add to it. */
  get kit(): ScenarioKit {
    return this.#kit;
  }

  /** Loops stop on this signal (aborted by {@link stop}). */
  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** Counters for operators and tests. */
  stats(): {
    events: { dropped: number; skippedBySpamFilter: number; expired: number };
    objects: number;
    failures: number;
  } {
    let objects = 0;
    for (const t of RESOURCE_TYPES)
      if (!t.virtual && !t.viewOf)
        objects += this.#cache.count(t.group ? `${t.group}/${t.plural}` : t.plural);
    return {
      events: {
        dropped: this.#writer.dropped,
        skippedBySpamFilter: this.#broadcaster.skipped,
        expired: this.#ttl.expired,
      },
      objects,
      failures: this.#ctx.failures,
    };
  }

  /** Creates the scenario's objects and starts every controller, kubelet and scenario timer. */
  start(): Promise<void> {
    if (this.#started) return Promise.resolve();
    if (this.#stopped) return Promise.reject(new Error('a stopped simulated cluster cannot start again'));
    this.#started = true;
    const scenario = SCENARIOS[this.scenario];
    const t0 = performance.now();
    scenario.setup(this.#kit);
    for (const start of this.#starters) start();
    scenario.run?.(this.#kit);
    this.#log.info(
      {
        scenario: this.scenario,
        seed: this.seed,
        timeScale: this.timeScale,
        ms: Math.round(performance.now() - t0),
        pods: this.#cache.count('pods'),
        nodes: this.#cache.count('nodes'),
      },
      'simulated cluster started',
    );
    return Promise.resolve();
  }

  /** Stops every timer and loop; the store stays readable. Log followers are ended. */
  stop(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#stopped = true;
    this.#abort.abort();
    this.#fleet.stop();
    this.#cache.detach();
    return Promise.resolve();
  }
}
