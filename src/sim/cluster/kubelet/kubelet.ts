// One simulated kubelet: runs the pods bound to its node. A pod goes Pending → sandbox →
// image pull (Pulling/Pulled, or ErrImagePull/ImagePullBackOff) → config check
// (CreateContainerConfigError) → Created/Started → Running and Ready; init containers first,
// one by one. Containers that exit are restarted under the pod's restart policy with
// Kubernetes' back-off (CrashLoopBackOff, BackOff events); OOM kills, failing liveness probes
// and flapping readiness probes behave as on a real node; deletion stops containers within
// the grace period and then removes the pod. The node's own status and pressure live here too.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { KubeObject } from '../../object-store.js';
import { rfc3339 } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import { mix32, type SeededRandom } from '../../random.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo, type ObjectRef } from '../events/event-writer.js';
import {
  containersOf,
  fieldPathOf,
  setCondition,
  type Condition,
  type NodeObject,
  type PodObject,
} from '../kinds.js';
import { containerLimits, containerRequest } from '../pods.js';
import { formatBinary } from '../quantity.js';
import type { Timer } from '../timers.js';
import type { Behaviour, BehaviourCatalog, MsRange } from './behaviour.js';
import type { ImageRegistry } from './images.js';
import { InstanceLog } from './instance-log.js';
import {
  isRunning,
  podStatus,
  restartPolicy,
  shouldRestart,
  type ContainerRuntime,
  type Instance,
  type PodRuntime,
} from './pod-runtime.js';

const BACKOFF_INITIAL_MS = 10_000;
const BACKOFF_MAX_MS = 300_000;
const RESYNC_MS = 10_000;
const PLEG_MS = 1_000;
const NODE_STATUS_MS = 300_000;

export interface KubeletDeps {
  readonly ctx: SimContext;
  readonly images: ImageRegistry;
  readonly behaviours: BehaviourCatalog;
  readonly allocateIp: (node: string) => string;
  readonly releaseIp: (node: string, ip: string) => void;
  readonly reserveIp: (node: string, ip: string) => void;
  /** Called when a pod's runtime is gone (metrics and logs forget it). */
  readonly onPodGone: (uid: string) => void;
}

export type Pressure = 'memory' | 'disk' | 'pid';

/** Why a container stopped, and whether that counts as a crash in the journal. */
interface Termination {
  readonly exitCode: number;
  readonly reason: string;
  readonly message?: string;
  readonly signal?: number;
  readonly lastWords?: readonly string[];
  readonly cause: 'exit' | 'oom' | 'liveness' | 'driver' | 'shutdown' | 'evicted';
}

export class Kubelet {
  readonly node: string;
  readonly #deps: KubeletDeps;
  readonly #ctx: SimContext;
  readonly #random: SeededRandom;
  readonly #events: EventRecorder;
  readonly #kernel: EventRecorder;
  readonly #pods = new Map<string, PodRuntime>();
  readonly #pulled = new Set<string>();
  readonly #pullBackoff = new Map<string, { durationMs: number; lastUpdate: number }>();
  readonly #pressure = new Set<Pressure>();
  /** Evictions left in the current pressure episode (each reclaims enough to matter). */
  #evictionBudget = 0;
  #up = true;
  #downSince: number | undefined;
  #flushArmed = false;
  #nodeTimer: Timer | undefined;
  #evictionTimer: Timer | undefined;

  constructor(node: string, deps: KubeletDeps) {
    this.node = node;
    this.#deps = deps;
    this.#ctx = deps.ctx;
    this.#random = deps.ctx.random.fork(`kubelet/${node}`);
    this.#events = deps.ctx.recorder({ component: 'kubelet', host: node });
    this.#kernel = deps.ctx.recorder({ component: 'kernel-monitor', host: node });
  }

  get up(): boolean {
    return this.#up;
  }

  /** When the kubelet stopped posting status (undefined while it is up). */
  get downSince(): number | undefined {
    return this.#downSince;
  }

  get pressure(): ReadonlySet<Pressure> {
    return this.#pressure;
  }

  pods(): IterableIterator<PodRuntime> {
    return this.#pods.values();
  }

  pod(uid: string): PodRuntime | undefined {
    return this.#pods.get(uid);
  }

  start(): void {
    this.#armNodeStatus();
  }

  // ---- pods coming and going ------------------------------------------------------------

  /** A pod bound to this node was added or changed. */
  observe(pod: PodObject): void {
    const uid = pod.metadata.uid ?? '';
    let pr = this.#pods.get(uid);
    if (!pr) {
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      if (pod.status?.phase === 'Running' && pod.status.containerStatuses?.some((s) => s.state?.running)) {
        // Created already running (a scenario adding to a live cluster): take it over as is.
        this.adopt(pod);
        return;
      }
      pr = this.#admit(pod);
    } else {
      this.#addEphemeral(pr, pod);
    }
    if (pod.metadata.deletionTimestamp && !pr.terminating && this.#up) this.#beginTermination(pr, pod);
  }

  /** The pod object is gone from the store: forget it (containers are killed without ceremony). */
  forget(uid: string): void {
    const pr = this.#pods.get(uid);
    if (!pr) return;
    this.#dispose(pr);
  }

  /**
   * Takes over a pod that was already running when the simulation began (scenario set-up):
   * instances are rebuilt from its stored status, with no events.
   */
  adopt(pod: PodObject): void {
    const uid = pod.metadata.uid ?? '';
    if (this.#pods.has(uid)) return;
    const pr = this.#newRuntime(
      pod,
      pod.status?.startTime ? Date.parse(pod.status.startTime) : this.#ctx.now(),
    );
    pr.sandboxReady = true;
    pr.podIP = pod.status?.podIP;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    for (const cr of pr.containers.values()) {
      const s = statuses.find((x) => x.name === cr.name);
      if (!s) continue;
      cr.imageId = s.imageID || undefined;
      if (cr.spec.image) this.#pulled.add(cr.spec.image);
      const attempt = s.restartCount ?? 0;
      const prev = s.lastState?.terminated;
      if (prev) {
        cr.previous = this.#deadInstance(pr, cr, attempt - 1, prev);
      }
      if (s.state?.running) {
        const started = Date.parse(s.state.running.startedAt ?? pr.startTime.toString());
        cr.current = this.#instance(pr, cr, attempt, started, s.ready);
      } else if (s.state?.terminated) {
        cr.current = this.#deadInstance(pr, cr, attempt, s.state.terminated);
      }
    }
    if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') pr.final = true;
    if (!pod.spec.hostNetwork) {
      if (pr.podIP) this.#deps.reserveIp(this.node, pr.podIP);
      else pr.podIP = this.#deps.allocateIp(this.node);
    }
    this.#pods.set(uid, pr);
    if (!pr.final) {
      for (const cr of pr.containers.values()) if (isRunning(cr)) this.#armBehaviour(pr, cr, cr.current!);
    }
  }

  #newRuntime(pod: PodObject, startTime: number): PodRuntime {
    const containers = new Map<string, ContainerRuntime>();
    for (const { container, kind } of containersOf(pod.spec)) {
      containers.set(container.name, this.#containerRuntime(pod, container, kind));
    }
    return {
      uid: pod.metadata.uid ?? '',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      spec: structuredClone(pod.spec),
      containers,
      startTime,
      sandboxReady: false,
      terminating: false,
      final: false,
      timers: new Set(),
      dirty: false,
    };
  }

  #containerRuntime(pod: PodObject, container: IContainer, kind: ContainerRuntime['kind']): ContainerRuntime {
    const seed = mix32(this.#random.seed, hashOf(`${pod.metadata.uid}/${container.name}`));
    return {
      name: container.name,
      kind,
      spec: container,
      behaviour: this.#deps.behaviours.forContainer(container, seed),
      starting: false,
      livenessFailures: 0,
      readinessFailures: 0,
    };
  }

  #admit(pod: PodObject): PodRuntime {
    const pr = this.#newRuntime(pod, this.#ctx.now());
    this.#pods.set(pr.uid, pr);
    if (!this.#up) return pr;
    this.#markDirty(pr);
    this.#prepareSandbox(pr);
    return pr;
  }

  #addEphemeral(pr: PodRuntime, pod: PodObject): void {
    for (const ec of pod.spec.ephemeralContainers ?? []) {
      if (pr.containers.has(ec.name)) continue;
      const container = ec as unknown as IContainer;
      pr.spec.ephemeralContainers = [...(pr.spec.ephemeralContainers ?? []), ec];
      pr.containers.set(ec.name, this.#containerRuntime(pod, container, 'ephemeral'));
      if (this.#up && pr.sandboxReady && !pr.final && !pr.terminating) this.#sync(pr);
    }
  }

  // ---- start-up --------------------------------------------------------------------------

  #prepareSandbox(pr: PodRuntime): void {
    const missing = this.#missingVolumeSources(pr);
    if (missing) {
      this.#events.event(this.#podRef(pr), 'Warning', 'FailedMount', missing);
      this.#podTimer(pr, this.#ctx.scaled(this.#random.between(8_000, 16_000)), () =>
        this.#prepareSandbox(pr),
      );
      return;
    }
    this.#podTimer(pr, this.#ctx.scaled(this.#random.between(300, 1200)), () => {
      pr.sandboxReady = true;
      if (!pr.spec.hostNetwork) pr.podIP = this.#deps.allocateIp(this.node);
      this.#markDirty(pr);
      this.#sync(pr);
    });
  }

  #missingVolumeSources(pr: PodRuntime): string | undefined {
    const cache = this.#ctx.cache;
    for (const v of pr.spec.volumes ?? []) {
      if (
        v.configMap &&
        !v.configMap.optional &&
        !cache.get('configmaps', pr.namespace, v.configMap.name ?? '')
      ) {
        return `MountVolume.SetUp failed for volume "${v.name}" : configmap "${v.configMap.name}" not found`;
      }
      if (v.secret && !v.secret.optional && !cache.get('secrets', pr.namespace, v.secret.secretName ?? '')) {
        return `MountVolume.SetUp failed for volume "${v.name}" : secret "${v.secret.secretName}" not found`;
      }
    }
    return undefined;
  }

  /** The pod worker's sync: start what should run, restart what died (or wait out its back-off). */
  #sync(pr: PodRuntime): void {
    if (!this.#up || pr.final || pr.terminating || !pr.sandboxReady) return;
    if (!this.#pods.has(pr.uid)) return;
    const policy = restartPolicy(pr.spec);
    let waitingForBackoff = false;
    const inits = [...pr.containers.values()].filter((c) => c.kind === 'init');
    for (const cr of inits) {
      const cur = cr.current;
      if (cur && cur.finishedAt !== undefined && cur.exitCode === 0) continue;
      if (cr.starting || (cur && cur.finishedAt === undefined)) return;
      if (cur && !shouldRestart(cr, policy)) {
        this.#finishPod(pr);
        return;
      }
      if (cur && this.#inBackoff(pr, cr)) waitingForBackoff = true;
      else this.#startContainer(pr, cr);
      if (waitingForBackoff) this.#armResync(pr);
      return;
    }
    for (const cr of pr.containers.values()) {
      if (cr.kind === 'init' || cr.starting || isRunning(cr)) continue;
      const cur = cr.current;
      if (cur) {
        if (cr.kind === 'ephemeral' || !shouldRestart(cr, policy)) continue;
        if (this.#inBackoff(pr, cr)) {
          waitingForBackoff = true;
          continue;
        }
      }
      if (cr.waiting && cr.waiting.reason !== 'CrashLoopBackOff' && this.#pullBlocked(pr, cr)) {
        waitingForBackoff = true;
        continue;
      }
      this.#startContainer(pr, cr);
    }
    const apps = [...pr.containers.values()].filter((c) => c.kind === 'app');
    const done = apps.every(
      (c) => c.current?.finishedAt !== undefined && !shouldRestart(c, policy) && !c.starting,
    );
    if (done && apps.length > 0) {
      this.#finishPod(pr);
      return;
    }
    if (waitingForBackoff || [...pr.containers.values()].some((c) => c.waiting && !c.starting))
      this.#armResync(pr);
    this.#markDirty(pr);
  }

  /** The kubelet's doBackOff: in back-off → CrashLoopBackOff + BackOff event; else record the restart. */
  #inBackoff(pr: PodRuntime, cr: ContainerRuntime): boolean {
    const finished = cr.current?.finishedAt ?? this.#ctx.now();
    const now = this.#ctx.now();
    const b = cr.backoff;
    const max = this.#ctx.scaled(BACKOFF_MAX_MS);
    const expired = !b || finished - b.lastUpdate > 2 * max;
    if (!expired && now - finished < b.durationMs) {
      cr.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${goDuration(b.durationMs)} restarting failed container=${cr.name} pod=${pr.name}_${pr.namespace}(${pr.uid})`,
      };
      this.#events.event(
        this.#containerRef(pr, cr),
        'Warning',
        'BackOff',
        `Back-off restarting failed container ${cr.name} in pod ${pr.name}_${pr.namespace}(${pr.uid})`,
      );
      this.#markDirty(pr);
      return true;
    }
    cr.backoff =
      expired || !b
        ? { durationMs: this.#ctx.scaled(BACKOFF_INITIAL_MS), lastUpdate: now }
        : { durationMs: Math.min(b.durationMs * 2, max), lastUpdate: now };
    return false;
  }

  /** Image pull back-off for a container whose last pull failed. */
  #pullBlocked(pr: PodRuntime, cr: ContainerRuntime): boolean {
    const key = `${pr.uid}/${cr.spec.image ?? ''}`;
    const b = this.#pullBackoff.get(key);
    if (!b || (cr.waiting?.reason !== 'ErrImagePull' && cr.waiting?.reason !== 'ImagePullBackOff'))
      return false;
    if (this.#ctx.now() - b.lastUpdate >= b.durationMs) return false;
    const image = cr.spec.image ?? '';
    cr.waiting = { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` };
    this.#events.event(this.#containerRef(pr, cr), 'Normal', 'BackOff', `Back-off pulling image "${image}"`);
    this.#events.event(this.#containerRef(pr, cr), 'Warning', 'Failed', 'Error: ImagePullBackOff');
    this.#markDirty(pr);
    return true;
  }

  #armResync(pr: PodRuntime): void {
    if (pr.resync) return;
    const delay = this.#ctx.scaled(RESYNC_MS * (1 + 0.5 * this.#random.next()));
    pr.resync = this.#podTimer(pr, delay, () => {
      pr.resync = undefined;
      this.#sync(pr);
    });
  }

  #startContainer(pr: PodRuntime, cr: ContainerRuntime): void {
    cr.starting = true;
    const image = cr.spec.image ?? '';
    const ref = this.#containerRef(pr, cr);
    const policy =
      cr.spec.imagePullPolicy ??
      (/:latest$|^[^:]*$/.test(image.split('/').pop() ?? '') ? 'Always' : 'IfNotPresent');
    const present = this.#pulled.has(image);
    const proceed = (): void => this.#createContainer(pr, cr);
    if (policy === 'Never' && !present) {
      cr.starting = false;
      cr.waiting = {
        reason: 'ErrImageNeverPull',
        message: `Container image "${image}" is not present with pull policy of Never`,
      };
      this.#events.event(ref, 'Warning', 'ErrImageNeverPull', cr.waiting.message!);
      this.#events.event(ref, 'Warning', 'Failed', 'Error: ErrImageNeverPull');
      this.#markDirty(pr);
      this.#armResync(pr);
      return;
    }
    if (policy === 'Always' || !present) {
      this.#events.event(ref, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const pullMs = this.#deps.images.pullMs(image) * (0.8 + 0.4 * this.#random.next());
      this.#podTimer(pr, this.#ctx.scaled(pullMs), () => {
        const error = this.#deps.images.pullError(image);
        if (error) {
          cr.starting = false;
          cr.waiting = { reason: 'ErrImagePull', message: error };
          const key = `${pr.uid}/${image}`;
          const b = this.#pullBackoff.get(key);
          const max = this.#ctx.scaled(BACKOFF_MAX_MS);
          this.#pullBackoff.set(key, {
            durationMs: b ? Math.min(b.durationMs * 2, max) : this.#ctx.scaled(BACKOFF_INITIAL_MS),
            lastUpdate: this.#ctx.now(),
          });
          this.#events.event(ref, 'Warning', 'Failed', `Failed to pull image "${image}": ${error}`);
          this.#events.event(ref, 'Warning', 'Failed', 'Error: ErrImagePull');
          this.#markDirty(pr);
          this.#armResync(pr);
          return;
        }
        this.#pullBackoff.delete(`${pr.uid}/${image}`);
        this.#pulled.add(image);
        const info = this.#deps.images.info(image);
        cr.imageId = info.imageId;
        const took = (pullMs / 1000).toFixed(3);
        this.#events.event(
          ref,
          'Normal',
          'Pulled',
          `Successfully pulled image "${image}" in ${took}s (${took}s including waiting). Image size: ${info.sizeBytes} bytes.`,
        );
        proceed();
      });
      return;
    }
    cr.imageId ??= this.#deps.images.info(image).imageId;
    this.#events.event(ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
    proceed();
  }

  #createContainer(pr: PodRuntime, cr: ContainerRuntime): void {
    if (pr.terminating || pr.final || !this.#pods.has(pr.uid)) {
      cr.starting = false;
      return;
    }
    const ref = this.#containerRef(pr, cr);
    const configError = this.#configError(pr, cr.spec);
    if (configError) {
      cr.starting = false;
      cr.waiting = { reason: 'CreateContainerConfigError', message: configError };
      this.#events.event(ref, 'Warning', 'Failed', `Error: ${configError}`);
      this.#markDirty(pr);
      this.#armResync(pr);
      return;
    }
    this.#podTimer(pr, this.#ctx.scaled(this.#random.between(80, 400)), () => {
      if (pr.terminating || pr.final || !this.#pods.has(pr.uid)) {
        cr.starting = false;
        return;
      }
      this.#events.event(ref, 'Normal', 'Created', `Created container: ${cr.name}`);
      const attempt = cr.current ? cr.current.attempt + 1 : 0;
      const inst = this.#instance(pr, cr, attempt, this.#ctx.now(), false);
      if (cr.current) cr.previous = cr.current;
      cr.current = inst;
      cr.waiting = undefined;
      cr.starting = false;
      this.#events.event(ref, 'Normal', 'Started', `Started container ${cr.name}`);
      const ctx = inst.log.context;
      for (const line of cr.behaviour.logs.startup(ctx, inst.startedAt)) inst.log.append(line);
      this.#armBehaviour(pr, cr, inst);
      this.#markDirty(pr);
    });
  }

  /** CreateContainerConfigError: env and envFrom pointing at missing ConfigMaps, Secrets or keys. */
  #configError(pr: PodRuntime, c: IContainer): string | undefined {
    const cache = this.#ctx.cache;
    const ns = pr.namespace;
    for (const e of c.env ?? []) {
      const sk = e.valueFrom?.secretKeyRef;
      if (sk && !sk.optional) {
        const s = cache.get('secrets', ns, sk.name ?? '');
        if (!s) return `secret "${sk.name}" not found`;
        const data = {
          ...((s.data as Record<string, string>) ?? {}),
          ...((s.stringData as Record<string, string>) ?? {}),
        };
        if (!(sk.key in data)) return `couldn't find key ${sk.key} in Secret ${ns}/${sk.name}`;
      }
      const ck = e.valueFrom?.configMapKeyRef;
      if (ck && !ck.optional) {
        const cm = cache.get('configmaps', ns, ck.name ?? '');
        if (!cm) return `configmap "${ck.name}" not found`;
        const data = (cm.data as Record<string, string>) ?? {};
        if (!(ck.key in data)) return `couldn't find key ${ck.key} in ConfigMap ${ns}/${ck.name}`;
      }
    }
    for (const f of c.envFrom ?? []) {
      if (f.secretRef && !f.secretRef.optional && !cache.get('secrets', ns, f.secretRef.name ?? '')) {
        return `secret "${f.secretRef.name}" not found`;
      }
      if (
        f.configMapRef &&
        !f.configMapRef.optional &&
        !cache.get('configmaps', ns, f.configMapRef.name ?? '')
      ) {
        return `configmap "${f.configMapRef.name}" not found`;
      }
    }
    return undefined;
  }

  #instance(
    pr: PodRuntime,
    cr: ContainerRuntime,
    attempt: number,
    startedAt: number,
    ready: boolean,
  ): Instance {
    const seed = mix32(hashOf(pr.uid), hashOf(cr.name), attempt);
    const log = new InstanceLog(
      cr.behaviour.logs,
      {
        namespace: pr.namespace,
        pod: pr.name,
        container: cr.name,
        image: cr.spec.image ?? '',
        podIP: pr.podIP ?? '',
        seed,
      },
      startedAt,
      this.#ctx.timeScale,
      this.#ctx.timers,
    );
    const req = containerRequest(cr.spec);
    const lim = containerLimits(cr.spec);
    const u = (mix32(seed, 1) % 1000) / 1000;
    const memoryBase =
      cr.behaviour.usage?.memoryBytes ??
      (req.memory > 0 ? req.memory * (0.45 + 0.4 * u) : (24 + 160 * u) * 2 ** 20);
    const cappedMemory = lim.memory ? Math.min(memoryBase, lim.memory * 0.85) : memoryBase;
    const cpuBase = cr.behaviour.usage?.cpuMilli ?? (req.cpu > 0 ? req.cpu * (0.1 + 0.4 * u) : 1 + 15 * u);
    return {
      id: `containerd://${this.#random.hex(64)}`,
      attempt,
      startedAt,
      ready,
      started: ready || !cr.spec.startupProbe,
      log,
      timers: [],
      memoryBase: cr.behaviour.memoryLeakBytesPerSecond
        ? Math.min(memoryBase, (lim.memory ?? memoryBase) * 0.5)
        : cappedMemory,
      cpuBase,
      leakBytesPerSecond: cr.behaviour.memoryLeakBytesPerSecond ?? 0,
    };
  }

  #deadInstance(
    pr: PodRuntime,
    cr: ContainerRuntime,
    attempt: number,
    t: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string; containerID?: string },
  ): Instance {
    const started = t.startedAt ? Date.parse(t.startedAt) : pr.startTime;
    const inst = this.#instance(pr, cr, Math.max(0, attempt), started, false);
    const dead: Instance = { ...inst, id: t.containerID ?? inst.id };
    dead.finishedAt = t.finishedAt ? Date.parse(t.finishedAt) : started;
    dead.exitCode = t.exitCode;
    dead.reason = t.reason;
    dead.log.end(dead.finishedAt);
    return dead;
  }

  // ---- what a running instance does ------------------------------------------------------

  #draw(range: MsRange): number {
    return range[0] + (range[1] - range[0]) * this.#random.next();
  }

  #instanceTimer(inst: Instance, delay: number, fn: () => void): void {
    inst.timers.push(this.#ctx.timers.after(delay, fn));
  }

  #armBehaviour(pr: PodRuntime, cr: ContainerRuntime, inst: Instance): void {
    const b: Behaviour = cr.behaviour;
    const scaled = (ms: number): number => this.#ctx.scaled(ms);
    const elapsed = this.#ctx.now() - inst.startedAt;
    // Readiness: no probe → ready at once; a probe → after its initial delay and the app's start-up.
    if (!inst.ready) {
      const probe = cr.spec.readinessProbe;
      const startup = cr.spec.startupProbe;
      const appReady = scaled(this.#draw(b.startupMs));
      const initial = Math.max(appReady, scaled(((probe ?? startup)?.initialDelaySeconds ?? 0) * 1000));
      if (!probe && !startup) {
        inst.ready = cr.kind === 'app' || cr.kind === 'ephemeral';
        inst.started = true;
      } else {
        this.#instanceTimer(
          inst,
          initial + scaled(periodOf(probe ?? startup) * 1000 * this.#random.next()),
          () => {
            inst.started = true;
            inst.ready = true;
            this.#markDirty(pr);
          },
        );
      }
    }
    for (const line of b.script ?? []) {
      this.#instanceTimer(inst, scaled(line.delayMs), () => inst.log.append(line.text));
    }
    if (b.exit) {
      const after = Math.max(0, scaled(this.#draw(b.exit.afterMs)) - elapsed);
      const exit = b.exit;
      this.#instanceTimer(inst, after, () =>
        this.#terminate(pr, cr, {
          exitCode: exit.code,
          reason: exit.code === 0 ? 'Completed' : 'Error',
          lastWords: [
            ...(exit.lastWords ?? []),
            ...(exit.code !== 0 ? b.logs.crash(inst.log.context, this.#ctx.now(), exit.code) : []),
          ],
          cause: 'exit',
        }),
      );
    }
    const limit = containerLimits(cr.spec).memory;
    if (inst.leakBytesPerSecond > 0 && limit) {
      const seconds = Math.max(0, (limit - inst.memoryBase) / inst.leakBytesPerSecond);
      this.#instanceTimer(inst, Math.max(0, scaled(seconds * 1000) - elapsed), () => this.#oomKill(pr, cr));
    }
    if (b.livenessFailsAfterMs && cr.spec.livenessProbe) {
      this.#instanceTimer(inst, Math.max(0, scaled(this.#draw(b.livenessFailsAfterMs)) - elapsed), () =>
        this.#livenessFailing(pr, cr, inst),
      );
    }
    if (b.readinessFlap && cr.spec.readinessProbe) {
      this.#instanceTimer(inst, scaled(this.#draw(b.readinessFlap.upMs)), () =>
        this.#readinessFailing(pr, cr, inst),
      );
    }
  }

  #livenessFailing(pr: PodRuntime, cr: ContainerRuntime, inst: Instance): void {
    if (inst.finishedAt !== undefined || pr.terminating) return;
    const probe = cr.spec.livenessProbe!;
    cr.livenessFailures++;
    this.#events.event(
      this.#containerRef(pr, cr),
      'Warning',
      'Unhealthy',
      `Liveness probe failed: ${probeFailure(probe, pr.podIP ?? '', 500)}`,
    );
    if (cr.livenessFailures >= (probe.failureThreshold ?? 3)) {
      this.#events.event(
        this.#containerRef(pr, cr),
        'Normal',
        'Killing',
        `Container ${cr.name} failed liveness probe, will be restarted`,
      );
      const grace = (pr.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      this.#instanceTimer(inst, this.#ctx.scaled(Math.min(grace, 2000)), () =>
        this.#terminate(pr, cr, { exitCode: 137, reason: 'Error', cause: 'liveness' }),
      );
      return;
    }
    this.#instanceTimer(inst, this.#ctx.scaled(periodOf(probe) * 1000), () =>
      this.#livenessFailing(pr, cr, inst),
    );
  }

  #readinessFailing(pr: PodRuntime, cr: ContainerRuntime, inst: Instance): void {
    if (inst.finishedAt !== undefined || pr.terminating) return;
    const probe = cr.spec.readinessProbe!;
    const flap = cr.behaviour.readinessFlap!;
    cr.readinessFailures++;
    this.#events.event(
      this.#containerRef(pr, cr),
      'Warning',
      'Unhealthy',
      `Readiness probe failed: ${probeFailure(probe, pr.podIP ?? '', 503)}`,
    );
    if (cr.readinessFailures === (probe.failureThreshold ?? 3) && inst.ready) {
      inst.ready = false;
      this.#markDirty(pr);
    }
    const downFor = this.#ctx.scaled(this.#draw(flap.downMs));
    const period = this.#ctx.scaled(periodOf(probe) * 1000);
    if (cr.readinessFailures * period >= downFor) {
      this.#instanceTimer(inst, period, () => {
        cr.readinessFailures = 0;
        if (!inst.ready && inst.finishedAt === undefined) {
          inst.ready = true;
          this.#markDirty(pr);
        }
        this.#instanceTimer(inst, this.#ctx.scaled(this.#draw(flap.upMs)), () =>
          this.#readinessFailing(pr, cr, inst),
        );
      });
      return;
    }
    this.#instanceTimer(inst, period, () => this.#readinessFailing(pr, cr, inst));
  }

  #oomKill(pr: PodRuntime, cr: ContainerRuntime): void {
    const inst = cr.current;
    if (!inst || inst.finishedAt !== undefined) return;
    const limit = containerLimits(cr.spec).memory ?? 0;
    const pid = 1000 + (mix32(hashOf(inst.id)) % 60000);
    const process = processName(cr);
    this.#kernel.event(
      this.#nodeRef(),
      'Warning',
      'OOMKilling',
      `Memory cgroup out of memory: Killed process ${pid} (${process}) total-vm:${Math.round((limit * 1.6) / 1024)}kB, anon-rss:${Math.round(limit / 1024)}kB, file-rss:${Math.round(limit / 1024 / 40)}kB, shmem-rss:0kB, UID:1000 pgtables:${Math.round(limit / 1024 / 512)}kB oom_score_adj:${pr.spec.containers.length > 0 ? 999 : 0}`,
    );
    this.#terminate(pr, cr, { exitCode: 137, reason: 'OOMKilled', cause: 'oom' });
  }

  /** Ends the running instance of a container. */
  #terminate(pr: PodRuntime, cr: ContainerRuntime, t: Termination): void {
    const inst = cr.current;
    if (!inst || inst.finishedAt !== undefined) return;
    const now = this.#ctx.now();
    for (const line of t.lastWords ?? []) inst.log.append(line, now);
    inst.finishedAt = now;
    inst.exitCode = t.exitCode;
    inst.reason = t.reason;
    if (t.message) inst.message = t.message;
    if (t.signal !== undefined) inst.signal = t.signal;
    inst.ready = false;
    for (const timer of inst.timers) timer.cancel();
    inst.timers.length = 0;
    inst.log.end(now);
    cr.livenessFailures = 0;
    cr.readinessFailures = 0;
    const policy = restartPolicy(pr.spec);
    const success = t.exitCode === 0 && (policy !== 'Always' || cr.kind === 'init');
    if (t.cause !== 'shutdown' && t.cause !== 'evicted' && !success && cr.kind !== 'ephemeral') {
      this.#ctx.journal.recordCrash({
        podUid: pr.uid,
        namespace: pr.namespace,
        pod: pr.name,
        container: cr.name,
        restartCount: inst.attempt,
        reason: t.reason,
        exitCode: t.exitCode,
        at: now,
        containerId: inst.id,
        ...(t.signal !== undefined ? { signal: t.signal } : {}),
      });
    }
    this.#markDirty(pr);
    if (!pr.terminating && !pr.final) {
      // The pod lifecycle event generator notices within about a second.
      this.#podTimer(pr, this.#ctx.scaled(PLEG_MS * (0.5 + this.#random.next())), () => this.#sync(pr));
    } else if (pr.terminating) {
      this.#maybeFinishTermination(pr);
    }
  }

  #finishPod(pr: PodRuntime): void {
    pr.final = true;
    for (const t of pr.timers) t.cancel();
    pr.timers.clear();
    pr.resync = undefined;
    this.#markDirty(pr);
  }

  // ---- deletion and eviction ---------------------------------------------------------------

  #beginTermination(pr: PodRuntime, pod: PodObject): void {
    pr.terminating = true;
    for (const t of pr.timers) t.cancel();
    pr.timers.clear();
    pr.resync = undefined;
    const graceSeconds =
      pod.metadata.deletionGracePeriodSeconds ?? pr.spec.terminationGracePeriodSeconds ?? 30;
    const grace = this.#ctx.scaled(graceSeconds * 1000);
    for (const cr of pr.containers.values()) {
      cr.starting = false;
      const inst = cr.current;
      if (!inst || inst.finishedAt !== undefined) continue;
      this.#events.event(this.#containerRef(pr, cr), 'Normal', 'Killing', `Stopping container ${cr.name}`);
      for (const line of cr.behaviour.logs.shutdown(inst.log.context, this.#ctx.now())) inst.log.append(line);
      const needs = this.#ctx.scaled(this.#draw(cr.behaviour.shutdownMs ?? [200, 1500]));
      const inTime = needs <= grace;
      this.#podTimer(pr, Math.min(needs, grace), () =>
        this.#terminate(
          pr,
          cr,
          inTime
            ? { exitCode: 0, reason: 'Completed', cause: 'shutdown' }
            : { exitCode: 137, reason: 'Error', cause: 'shutdown' },
        ),
      );
    }
    this.#markDirty(pr);
    this.#maybeFinishTermination(pr);
  }

  #maybeFinishTermination(pr: PodRuntime): void {
    if ([...pr.containers.values()].some((c) => isRunning(c))) return;
    this.#flush();
    // All containers stopped: the kubelet deletes the pod object for good.
    this.#podTimer(pr, this.#ctx.scaled(100), () => {
      const current = this.#ctx.store.get('pods', pr.namespace, pr.name);
      if (current?.metadata.uid === pr.uid) this.#ctx.store.forceDelete('pods', pr.namespace, pr.name);
      this.#dispose(pr);
    });
  }

  /** Kubelet-initiated eviction under node pressure: the pod ends Failed/Evicted and stays. */
  evict(
    pr: PodRuntime,
    resource: 'memory' | 'ephemeral-storage',
    threshold: string,
    available: string,
  ): void {
    if (pr.final || pr.terminating) return;
    const main = [...pr.containers.values()].find((c) => c.kind === 'app');
    const usage = main?.current ? formatBinary(Math.round(main.current.memoryBase / 2 ** 20) * 2 ** 20) : '0';
    const request = main ? containerRequest(main.spec) : { memory: 0 };
    const message = `The node was low on resource: ${resource}. Threshold quantity: ${threshold}, available: ${available}. Container ${main?.name ?? ''} was using ${usage}, request is ${request.memory > 0 ? formatBinary(request.memory) : '0'}, has larger consumption of ${resource}. `;
    this.#events.event(this.#podRef(pr), 'Warning', 'Evicted', message);
    pr.phaseOverride = { phase: 'Failed', reason: 'Evicted', message };
    for (const cr of pr.containers.values()) {
      if (!isRunning(cr)) continue;
      this.#events.event(this.#containerRef(pr, cr), 'Normal', 'Killing', `Stopping container ${cr.name}`);
      this.#terminate(pr, cr, {
        exitCode: 137,
        reason: 'ContainerStatusUnknown',
        message: 'The container could not be located when the pod was terminated',
        cause: 'evicted',
      });
    }
    this.#finishPod(pr);
    this.#ctx.store.mutate(
      'pods',
      pr.namespace,
      pr.name,
      (p) => {
        const status = ((p as PodObject).status ??= {});
        status.conditions = setCondition(
          (status.conditions ?? []) as Condition[],
          { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message },
          this.#ctx.nowText(),
        );
      },
      { subresource: 'status' },
    );
  }

  #dispose(pr: PodRuntime): void {
    for (const t of pr.timers) t.cancel();
    pr.timers.clear();
    for (const cr of pr.containers.values()) {
      for (const inst of [cr.current, cr.previous]) {
        if (!inst) continue;
        for (const t of inst.timers) t.cancel();
        inst.log.end();
      }
    }
    if (pr.podIP && !pr.spec.hostNetwork) this.#deps.releaseIp(this.node, pr.podIP);
    for (const cr of pr.containers.values()) this.#pullBackoff.delete(`${pr.uid}/${cr.spec.image ?? ''}`);
    this.#pods.delete(pr.uid);
    this.#deps.onPodGone(pr.uid);
  }

  // ---- driver hooks ------------------------------------------------------------------------

  /** Ends a running container now, as if it crashed by itself. */
  crash(
    uid: string,
    container: string | undefined,
    options: { exitCode?: number; reason?: string; lastWords?: string[] },
  ): boolean {
    const pr = this.#pods.get(uid);
    if (!pr) return false;
    const cr = container
      ? pr.containers.get(container)
      : [...pr.containers.values()].find((c) => c.kind === 'app');
    if (!cr || !isRunning(cr)) return false;
    if (options.reason === 'OOMKilled') {
      this.#oomKill(pr, cr);
      return true;
    }
    const exitCode = options.exitCode ?? 1;
    this.#terminate(pr, cr, {
      exitCode,
      reason: options.reason ?? (exitCode === 0 ? 'Completed' : 'Error'),
      lastWords:
        options.lastWords ??
        (exitCode !== 0 ? cr.behaviour.logs.crash(cr.current!.log.context, this.#ctx.now(), exitCode) : []),
      cause: 'driver',
    });
    return true;
  }

  /** Makes a container's liveness probe start failing now (it needs a livenessProbe). */
  failLiveness(uid: string, container: string | undefined): boolean {
    const pr = this.#pods.get(uid);
    const cr =
      pr &&
      (container ? pr.containers.get(container) : [...pr.containers.values()].find((c) => c.kind === 'app'));
    if (!pr || !cr || !isRunning(cr) || !cr.spec.livenessProbe) return false;
    this.#livenessFailing(pr, cr, cr.current!);
    return true;
  }

  /** The kubelet stops (node failure): nothing is posted until {@link recover}. */
  fail(): void {
    if (!this.#up) return;
    this.#up = false;
    this.#downSince = this.#ctx.now();
    this.#nodeTimer?.cancel();
    this.#evictionTimer?.cancel();
    for (const pr of this.#pods.values()) {
      for (const t of pr.timers) t.cancel();
      pr.timers.clear();
      pr.resync = undefined;
      for (const cr of pr.containers.values()) {
        cr.starting = false;
        if (cr.current) {
          for (const t of cr.current.timers) t.cancel();
          cr.current.timers.length = 0;
        }
      }
    }
  }

  /** The kubelet is back: it posts Ready, resumes its pods and finishes pending deletions. */
  recover(): void {
    if (this.#up) return;
    this.#up = true;
    this.#downSince = undefined;
    this.#events.event(this.#nodeRef(), 'Normal', 'Starting', 'Starting kubelet.');
    this.#writeNodeStatus({ ready: true, event: true });
    this.#armNodeStatus();
    for (const pr of [...this.#pods.values()]) {
      const pod = this.#ctx.cache.get<PodObject>('pods', pr.namespace, pr.name);
      if (!pod || pod.metadata.uid !== pr.uid) {
        this.#dispose(pr);
        continue;
      }
      if (pod.metadata.deletionTimestamp) {
        this.#beginTermination(pr, pod);
        continue;
      }
      if (pr.final) continue;
      if (!pr.sandboxReady) this.#prepareSandbox(pr);
      for (const cr of pr.containers.values()) if (isRunning(cr)) this.#armBehaviour(pr, cr, cr.current!);
      this.#markDirty(pr);
      this.#sync(pr);
    }
  }

  /** Node pressure on or off; under pressure the kubelet evicts pods every 10 s until relieved. */
  setPressure(kind: Pressure, on: boolean, evictions = 3): void {
    if (on === this.#pressure.has(kind)) return;
    if (on) {
      this.#pressure.add(kind);
      this.#evictionBudget = evictions;
    } else this.#pressure.delete(kind);
    const names = {
      memory: ['NodeHasInsufficientMemory', 'NodeHasSufficientMemory'],
      disk: ['NodeHasDiskPressure', 'NodeHasNoDiskPressure'],
      pid: ['NodeHasInsufficientPID', 'NodeHasSufficientPID'],
    }[kind];
    const reason = on ? names[0]! : names[1]!;
    this.#events.event(this.#nodeRef(), 'Normal', reason, `Node ${this.node} status is now: ${reason}`);
    this.#writeNodeStatus({ ready: this.#up });
    if (on && kind !== 'pid') this.#evictionRound(kind);
    if (this.#pressure.size === 0) this.#evictionTimer?.cancel();
  }

  #evictionRound(kind: 'memory' | 'disk'): void {
    if (!this.#pressure.has(kind) || !this.#up || this.#evictionBudget <= 0) return;
    this.#evictionBudget--;
    const resource = kind === 'memory' ? 'memory' : 'ephemeral-storage';
    this.#events.event(
      this.#nodeRef(),
      'Warning',
      'EvictionThresholdMet',
      `Attempting to reclaim ${resource}`,
    );
    // BestEffort first, then Burstable, the biggest user first; never static/critical pods.
    const rank = { BestEffort: 0, Burstable: 1, Guaranteed: 2 } as const;
    const candidates = [...this.#pods.values()]
      .filter(
        (p) =>
          !p.final &&
          !p.terminating &&
          p.spec.priorityClassName !== 'system-node-critical' &&
          p.spec.priorityClassName !== 'system-cluster-critical',
      )
      .map((p) => {
        const stored = this.#ctx.cache.get<PodObject>('pods', p.namespace, p.name);
        const qos = stored?.status?.qosClass ?? 'Burstable';
        const mem = [...p.containers.values()].reduce((s, c) => s + (c.current?.memoryBase ?? 0), 0);
        return { p, qos: rank[qos] ?? 1, mem };
      })
      .sort((a, b) => a.qos - b.qos || b.mem - a.mem);
    const victim = candidates[0];
    if (victim) {
      this.evict(
        victim.p,
        resource,
        kind === 'memory' ? '100Mi' : '10%',
        kind === 'memory' ? `${40 + this.#random.int(0, 50)}Mi` : `${this.#random.int(3, 9)}%`,
      );
    }
    this.#evictionTimer = this.#ctx.timers.after(this.#ctx.scaled(10_000), () => this.#evictionRound(kind));
  }

  // ---- status ---------------------------------------------------------------------------------

  #markDirty(pr: PodRuntime): void {
    if (!this.#up) return;
    pr.dirty = true;
    if (this.#flushArmed) return;
    this.#flushArmed = true;
    this.#ctx.timers.after(0, () => {
      this.#flushArmed = false;
      this.#flush();
    });
  }

  #flush(): void {
    if (!this.#up) return;
    const hostIP = this.#hostIP();
    for (const pr of this.#pods.values()) {
      if (!pr.dirty) continue;
      pr.dirty = false;
      try {
        this.#ctx.store.mutate(
          'pods',
          pr.namespace,
          pr.name,
          (p) => {
            if (p.metadata.uid !== pr.uid) return;
            const pod = p as PodObject;
            pod.status = podStatus(pr, { now: this.#ctx.now(), hostIP, stored: pod.status });
          },
          { subresource: 'status' },
        );
      } catch (error) {
        if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      }
    }
  }

  #hostIP(): string {
    const node = this.#ctx.cache.get<NodeObject>('nodes', undefined, this.node);
    return node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
  }

  #armNodeStatus(): void {
    this.#nodeTimer?.cancel();
    this.#nodeTimer = this.#ctx.timers.every(
      this.#ctx.scaled(NODE_STATUS_MS),
      () => this.#writeNodeStatus({ ready: true }),
      {
        firstDelayMs: this.#ctx.scaled(NODE_STATUS_MS * this.#random.next()),
        jitter: 0.1,
        random: () => this.#random.next(),
      },
    );
  }

  /** Posts the node's conditions (the kubelet's part of node status) with a fresh heartbeat. */
  #writeNodeStatus(options: { ready: boolean; event?: boolean }): void {
    if (!this.#up) return;
    const now = this.#ctx.nowText();
    try {
      this.#ctx.store.mutate(
        'nodes',
        undefined,
        this.node,
        (n) => {
          const node = n as NodeObject;
          const status = (node.status ??= {});
          let conditions = (status.conditions ?? []) as Condition[];
          const set = (c: Condition): void => {
            conditions = setCondition(conditions, { ...c, lastHeartbeatTime: now }, now);
          };
          const mem = this.#pressure.has('memory');
          const disk = this.#pressure.has('disk');
          const pid = this.#pressure.has('pid');
          set(
            mem
              ? {
                  type: 'MemoryPressure',
                  status: 'True',
                  reason: 'KubeletHasInsufficientMemory',
                  message: 'kubelet has insufficient memory available',
                }
              : {
                  type: 'MemoryPressure',
                  status: 'False',
                  reason: 'KubeletHasSufficientMemory',
                  message: 'kubelet has sufficient memory available',
                },
          );
          set(
            disk
              ? {
                  type: 'DiskPressure',
                  status: 'True',
                  reason: 'KubeletHasDiskPressure',
                  message: 'kubelet has disk pressure',
                }
              : {
                  type: 'DiskPressure',
                  status: 'False',
                  reason: 'KubeletHasNoDiskPressure',
                  message: 'kubelet has no disk pressure',
                },
          );
          set(
            pid
              ? {
                  type: 'PIDPressure',
                  status: 'True',
                  reason: 'KubeletHasInsufficientPID',
                  message: 'kubelet has insufficient PID available',
                }
              : {
                  type: 'PIDPressure',
                  status: 'False',
                  reason: 'KubeletHasSufficientPID',
                  message: 'kubelet has sufficient PID available',
                },
          );
          set(
            options.ready
              ? {
                  type: 'Ready',
                  status: 'True',
                  reason: 'KubeletReady',
                  message: 'kubelet is posting ready status',
                }
              : {
                  type: 'Ready',
                  status: 'False',
                  reason: 'KubeletNotReady',
                  message: 'container runtime is down',
                },
          );
          status.conditions = conditions;
        },
        { subresource: 'status' },
      );
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
      return;
    }
    if (options.event) {
      this.#events.event(
        this.#nodeRef(),
        'Normal',
        'NodeReady',
        `Node ${this.node} status is now: NodeReady`,
      );
    }
  }

  /** Flushes pending status writes now (tests and the scenario driver). */
  flush(): void {
    this.#flush();
  }

  // ---- references -------------------------------------------------------------------------------

  #podTimer(pr: PodRuntime, delay: number, fn: () => void): Timer {
    const timer = this.#ctx.timers.after(delay, () => {
      pr.timers.delete(timer);
      fn();
    });
    pr.timers.add(timer);
    return timer;
  }

  #podRef(pr: PodRuntime): ObjectRef {
    const stored = this.#ctx.cache.get('pods', pr.namespace, pr.name);
    if (stored && stored.metadata.uid === pr.uid) return refTo(stored);
    return { apiVersion: 'v1', kind: 'Pod', namespace: pr.namespace, name: pr.name, uid: pr.uid };
  }

  #containerRef(pr: PodRuntime, cr: ContainerRuntime): ObjectRef {
    return { ...this.#podRef(pr), fieldPath: fieldPathOf(cr.kind, cr.name) };
  }

  /** The kubelet refers to its node by name, with the name as uid (as the real one does). */
  #nodeRef(): ObjectRef {
    return { kind: 'Node', name: this.node, uid: this.node };
  }
}

function hashOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function periodOf(probe: IProbe | undefined): number {
  return probe?.periodSeconds ?? 10;
}

/** A probe failure in the prober's words, by probe type. */
function probeFailure(probe: IProbe, podIP: string, status: number): string {
  if (probe.httpGet) return `HTTP probe failed with statuscode: ${status}`;
  if (probe.tcpSocket)
    return `dial tcp ${podIP}:${String(probe.tcpSocket.port)}: connect: connection refused`;
  if (probe.grpc) return `timeout: failed to connect service ":${probe.grpc.port}" within 1s`;
  const cmd = probe.exec?.command ?? [];
  const file = cmd.find((a) => a.startsWith('/'));
  return cmd[0] === 'cat' && file ? `cat: can't open '${file}': No such file or directory` : '';
}

function processName(cr: ContainerRuntime): string {
  const cmd = cr.spec.command?.[0];
  if (cmd) return cmd.split('/').pop() ?? cmd;
  const profile = cr.behaviour.logs.name;
  return (
    {
      java: 'java',
      node: 'node',
      python: 'python3',
      go: 'app',
      nginx: 'nginx',
      apache: 'apache2',
      postgres: 'postgres',
      redis: 'redis-server',
    }[profile] ?? 'app'
  );
}

/** Go's time.Duration formatting: 10s, 1m20s, 5m0s, 100ms. */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  const sText = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  if (h > 0) return `${h}h${m}m${sText}s`;
  if (m > 0) return `${m}m${sText}s`;
  return `${sText}s`;
}

export type { KubeObject };
export { rfc3339 };
