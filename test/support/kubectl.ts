// Drives the real kubectl against the simulated API server (a kubeconfig file and a fresh
// discovery cache per run), and builds a small hand-filled cluster for API tests that need
// exact objects: namespaces, nodes, pods in several states, events, logs and metrics.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogLine, MetricsSource, PodLogSource } from '../../src/sim/contracts.js';
import { installAdmission } from '../../src/sim/admission/index.js';
import { ObjectStore, rfc3339, type KubeObject } from '../../src/sim/object-store.js';
import { RESOURCE_TYPES } from '../../src/sim/resources.js';
import { startSimServer, type SimServer, type SimServerOptions } from '../../src/sim/server/index.js';
import { REPO_ROOT } from './cli.js';

export interface KubectlBinary {
  /** `newest` (the image's dispatcher, which runs the 1.27–1.33 binary matching the server) or `1.20`. */
  readonly label: string;
  readonly path: string;
}

/** The newest kubectl on this machine (the dispatcher), if any. */
export function newestKubectl(): KubectlBinary | undefined {
  for (const path of ['/usr/bin/kubectl', '/usr/local/bin/kubectl']) {
    if (existsSync(path)) return { label: 'newest', path };
  }
  return undefined;
}

/** Debian's kubectl 1.20: `KUBECTL_120`, or `.ci/bin/kubectl` (where .ci/run puts it). */
export function kubectl120(): KubectlBinary | undefined {
  const candidates = [
    process.env.KUBECTL_120,
    join(REPO_ROOT, '.ci/bin/kubectl-1.20'),
    join(REPO_ROOT, '.ci/bin/kubectl'),
  ];
  for (const path of candidates) if (path && existsSync(path)) return { label: '1.20', path };
  return undefined;
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** A kubeconfig file and a discovery cache dir for one server; remove with `dispose`. */
export class KubectlSession {
  readonly #binary: KubectlBinary;
  readonly #dir: string;
  readonly #kubeconfig: string;
  readonly #children = new Set<ChildProcess>();

  private constructor(binary: KubectlBinary, dir: string) {
    this.#binary = binary;
    this.#dir = dir;
    this.#kubeconfig = join(dir, 'kubeconfig');
  }

  static async create(binary: KubectlBinary, kubeconfig: string): Promise<KubectlSession> {
    const dir = await mkdtemp(join(tmpdir(), 'lookout-kubectl-'));
    const session = new KubectlSession(binary, dir);
    await writeFile(session.#kubeconfig, kubeconfig, { mode: 0o600 });
    return session;
  }

  get kubeconfigPath(): string {
    return this.#kubeconfig;
  }

  #args(args: readonly string[]): string[] {
    return ['--kubeconfig', this.#kubeconfig, '--cache-dir', join(this.#dir, 'cache'), ...args];
  }

  #env(): NodeJS.ProcessEnv {
    // No user config may leak in: HOME points at the temp dir, KUBECONFIG is unset.
    return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: this.#dir, LANG: 'C' };
  }

  /** Runs kubectl to completion (stdin optional). */
  run(args: readonly string[], input?: string, timeoutMs = 60_000): Promise<KubectlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile(
        this.#binary.path,
        this.#args(args),
        { env: this.#env(), timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 },
        (error, stdout, stderr) => {
          this.#children.delete(child);
          if (error && typeof error.code !== 'number')
            return reject(new Error(`kubectl did not run: ${error.message}`));
          resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
        },
      );
      this.#children.add(child);
      if (input !== undefined) child.stdin?.end(input);
      else child.stdin?.end();
    });
  }

  /** Runs kubectl and fails with its output unless it exits 0. */
  async ok(args: readonly string[], input?: string): Promise<string> {
    const result = await this.run(args, input);
    if (result.code !== 0) {
      throw new Error(
        `kubectl ${args.join(' ')} exited ${result.code}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`,
      );
    }
    return result.stdout;
  }

  /** Starts a long-running kubectl (e.g. `get pods -w`); the caller reads its output. */
  spawn(args: readonly string[]): ChildProcess {
    const child = spawn(this.#binary.path, this.#args(args), {
      env: this.#env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#children.add(child);
    child.once('exit', () => this.#children.delete(child));
    return child;
  }

  async dispose(): Promise<void> {
    for (const child of this.#children) child.kill('SIGKILL');
    await rm(this.#dir, { recursive: true, force: true });
  }
}

/** Waits until a child's stdout satisfies `predicate`; returns all stdout so far. */
export function waitForStdout(
  child: ChildProcess,
  predicate: (text: string) => boolean,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    let errors = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out; stdout:\n${seen}\nstderr:\n${errors}`));
    }, timeoutMs);
    const onData = (d: Buffer): void => {
      seen += d.toString();
      if (predicate(seen)) {
        cleanup();
        resolve(seen);
      }
    };
    const onErr = (d: Buffer): void => {
      errors += d.toString();
    };
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`kubectl exited (${code}); stdout:\n${seen}\nstderr:\n${errors}`));
    };
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onErr);
      child.off('exit', onExit);
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onErr);
    child.once('exit', onExit);
  });
}

// --- raw API requests -------------------------------------------------------------------------

export interface Opened {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly lines: Array<{
    type: string;
    object: { kind?: string; code?: number; metadata?: { name?: string; resourceVersion?: string } };
  }>;
  bytes: number;
  readonly ended: Promise<void>;
  close(): void;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  ca?: string;
}

/** Opens a request and keeps reading: JSON lines are parsed as watch events. */
export function open(base: string, path: string, options: RequestOptions = {}): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, base);
    const make = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(
      url,
      {
        method: options.method ?? 'GET',
        // A length, so that bodies of DELETE requests (not chunked by Node) are framed.
        headers: {
          ...options.headers,
          ...(options.body !== undefined
            ? { 'content-length': String(Buffer.byteLength(options.body)) }
            : {}),
        },
        ...(options.ca ? { ca: options.ca } : {}),
      },
      (res) => {
        let buffer = '';
        let finish: () => void = () => undefined;
        const opened: Opened = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          lines: [],
          bytes: 0,
          ended: new Promise<void>((r) => (finish = r)),
          close: () => req.destroy(),
        };
        res.on('data', (d: Buffer) => {
          opened.bytes += d.length;
          buffer += d.toString();
          let nl: number;
          while ((nl = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, nl);
            buffer = buffer.slice(nl + 1);
            if (line) opened.lines.push(JSON.parse(line) as Opened['lines'][number]);
          }
        });
        res.on('end', () => {
          if (buffer.trim()) opened.lines.push(JSON.parse(buffer) as Opened['lines'][number]);
          finish();
        });
        res.on('close', finish);
        resolve(opened);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export async function json(
  base: string,
  path: string,
  options: RequestOptions = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: IncomingMessage['headers'] }> {
  const res = await open(base, path, options);
  await res.ended;
  return { status: res.status, body: res.lines[0] ?? {}, headers: res.headers };
}

// --- a small cluster filled by hand ---------------------------------------------------------------

interface LogKey {
  ns: string;
  pod: string;
  container: string;
}

/** Logs kept in memory: tests append lines and end instances. */
export class MemoryLogs implements PodLogSource {
  readonly #current = new Map<string, LogLine[]>();
  readonly #previous = new Map<string, LogLine[]>();
  readonly #followers = new Map<string, Set<{ onLine: (l: LogLine) => void; onEnd: () => void }>>();

  #id(k: LogKey): string {
    return `${k.ns}/${k.pod}/${k.container}`;
  }

  append(k: LogKey, text: string, ts = Date.now()): void {
    const id = this.#id(k);
    const line = { ts, text };
    const lines = this.#current.get(id) ?? [];
    lines.push(line);
    this.#current.set(id, lines);
    for (const f of this.#followers.get(id) ?? []) f.onLine(line);
  }

  /** The current instance ends: its lines become the previous instance's. */
  restart(k: LogKey): void {
    const id = this.#id(k);
    this.#previous.set(id, this.#current.get(id) ?? []);
    this.#current.set(id, []);
    for (const f of [...(this.#followers.get(id) ?? [])]) f.onEnd();
  }

  lines(ns: string, pod: string, container: string, previous: boolean): readonly LogLine[] | undefined {
    const id = this.#id({ ns, pod, container });
    return (previous ? this.#previous : this.#current).get(id);
  }

  follow(
    ns: string,
    pod: string,
    container: string,
    onLine: (l: LogLine) => void,
    onEnd: () => void,
  ): () => void {
    const id = this.#id({ ns, pod, container });
    const entry = { onLine, onEnd };
    const set = this.#followers.get(id) ?? new Set();
    set.add(entry);
    this.#followers.set(id, set);
    return () => set.delete(entry);
  }
}

/** Metrics derived from the store's nodes and running pods with fixed usage per container. */
export class FixedMetrics implements MetricsSource {
  readonly #store: ObjectStore;

  constructor(store: ObjectStore) {
    this.#store = store;
  }

  nodeMetrics(): KubeObject[] {
    return this.#store.list('nodes').items.map((n, i) => ({
      metadata: {
        name: n.metadata.name,
        labels: n.metadata.labels ?? {},
        creationTimestamp: rfc3339(this.#store.now()),
      },
      timestamp: rfc3339(this.#store.now()),
      window: '20.05s',
      usage: { cpu: `${250 * (i + 1)}m`, memory: `${1024 * 1024 * (i + 1)}Ki` },
    }));
  }

  podMetrics(namespace?: string): KubeObject[] {
    return this.#store
      .list('pods', { namespace })
      .items.filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running')
      .map((p) => ({
        metadata: {
          name: p.metadata.name,
          namespace: p.metadata.namespace,
          labels: p.metadata.labels ?? {},
          creationTimestamp: rfc3339(this.#store.now()),
        },
        timestamp: rfc3339(this.#store.now()),
        window: '18.5s',
        containers: ((p.spec as { containers: Array<{ name: string }> }).containers ?? []).map((c) => ({
          name: c.name,
          usage: { cpu: '15m', memory: '48Mi' },
        })),
      }));
  }
}

export interface FixtureCluster {
  readonly store: ObjectStore;
  readonly logs: MemoryLogs;
  readonly metrics: FixedMetrics;
  readonly server: SimServer;
  close(): Promise<void>;
}

const minutesAgo = (store: ObjectStore, m: number): string => rfc3339(store.now() - m * 60_000);

function node(name: string, store: ObjectStore, labels: Record<string, string> = {}): KubeObject {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { podCIDR: '10.244.0.0/24' },
    status: {
      capacity: { cpu: '4', memory: '16393244Ki', pods: '110' },
      allocatable: { cpu: '4', memory: '16290844Ki', pods: '110' },
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: minutesAgo(store, 0),
          lastTransitionTime: minutesAgo(store, 60),
        },
      ],
      addresses: [
        { type: 'InternalIP', address: name === 'node-1' ? '10.0.0.11' : '10.0.0.12' },
        { type: 'Hostname', address: name },
      ],
      nodeInfo: {
        kubeletVersion: 'v1.32.4',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        kernelVersion: '6.1.0-18-amd64',
        containerRuntimeVersion: 'containerd://1.7.24',
        architecture: 'amd64',
        operatingSystem: 'linux',
        kubeProxyVersion: 'v1.32.4',
        machineID: 'm',
        systemUUID: 's',
        bootID: 'b',
      },
    },
  };
}

function podStatus(
  store: ObjectStore,
  phase: string,
  containers: unknown[],
  ip?: string,
): Record<string, unknown> {
  const ready = containers.every((c) => (c as { ready?: boolean }).ready);
  return {
    phase,
    hostIP: '10.0.0.11',
    ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    startTime: minutesAgo(store, 30),
    qosClass: 'BestEffort',
    conditions: [
      { type: 'PodScheduled', status: 'True', lastTransitionTime: minutesAgo(store, 30) },
      { type: 'Initialized', status: 'True', lastTransitionTime: minutesAgo(store, 30) },
      {
        type: 'ContainersReady',
        status: ready ? 'True' : 'False',
        lastTransitionTime: minutesAgo(store, 29),
      },
      { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: minutesAgo(store, 29) },
    ],
    containerStatuses: containers,
  };
}

/**
 * A server over a store filled by hand: namespaces default/kube-system/shop, nodes node-1 and
 * node-2, pods `web-1` (Running), `api-7d9` (CrashLoopBackOff, 3 restarts, previous logs),
 * `pending-1` (Pending), their events (BackOff repeated 5×), logs and metrics.
 */
export async function startFixtureCluster(
  options: Partial<SimServerOptions> & { historyLimit?: number } = {},
): Promise<FixtureCluster> {
  const store = new ObjectStore(RESOURCE_TYPES, { historyLimit: options.historyLimit ?? 20_000 });
  installAdmission(store);
  for (const ns of ['default', 'kube-system', 'shop']) store.create('namespaces', { metadata: { name: ns } });
  store.create('nodes', node('node-1', store, { 'node-role.kubernetes.io/control-plane': '' }));
  store.create('nodes', node('node-2', store));
  // Nodes carry status from their kubelet: write it through the status subresource.
  for (const n of ['node-1', 'node-2']) {
    const status = node(n, store).status;
    store.mutate('nodes', undefined, n, (o) => (o.status = status), { subresource: 'status' });
  }

  const running = (name: string): Record<string, unknown> => ({
    name,
    ready: true,
    started: true,
    restartCount: 0,
    image: 'nginx:1.27',
    imageID: 'docker.io/library/nginx@sha256:0',
    containerID: `containerd://${name}-1`,
    state: { running: { startedAt: minutesAgo(store, 29) } },
    lastState: {},
  });

  const web = store.create('pods', {
    metadata: { name: 'web-1', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
    },
  });
  store.mutate(
    'pods',
    'shop',
    'web-1',
    (p) => (p.status = podStatus(store, 'Running', [running('web')], '10.244.0.5')),
    {
      subresource: 'status',
    },
  );

  const api = store.create('pods', {
    metadata: { name: 'api-7d9', namespace: 'shop', labels: { app: 'api' } },
    spec: { nodeName: 'node-1', containers: [{ name: 'api', image: 'shop/api:2.1' }] },
  });
  store.mutate(
    'pods',
    'shop',
    'api-7d9',
    (p) =>
      (p.status = podStatus(
        store,
        'Running',
        [
          {
            name: 'api',
            ready: false,
            started: false,
            restartCount: 3,
            image: 'shop/api:2.1',
            imageID: 'docker.io/shop/api@sha256:1',
            containerID: 'containerd://api-3',
            state: {
              waiting: {
                reason: 'CrashLoopBackOff',
                message: 'back-off 40s restarting failed container=api pod=api-7d9_shop',
              },
            },
            lastState: {
              terminated: {
                exitCode: 1,
                reason: 'Error',
                startedAt: minutesAgo(store, 3),
                finishedAt: minutesAgo(store, 2),
                containerID: 'containerd://api-3',
              },
            },
          },
        ],
        '10.244.0.6',
      )),
    { subresource: 'status' },
  );

  store.create('pods', {
    metadata: { name: 'pending-1', namespace: 'shop', labels: { app: 'batch' } },
    spec: { containers: [{ name: 'main', image: 'busybox' }] },
  });

  const event = (
    name: string,
    involved: KubeObject,
    reason: string,
    message: string,
    extra: Record<string, unknown> = {},
  ): void => {
    store.create('events', {
      metadata: { name, namespace: 'shop' },
      involvedObject: {
        kind: 'Pod',
        namespace: 'shop',
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: 'v1',
        fieldPath: `spec.containers{${(involved.spec as { containers: Array<{ name: string }> }).containers[0]!.name}}`,
      },
      reason,
      message,
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: minutesAgo(store, 10),
      lastTimestamp: minutesAgo(store, 1),
      count: 1,
      type: 'Normal',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
      ...extra,
    });
  };
  event('web-1.started', web, 'Started', 'Started container web');
  event('api-7d9.pulled', api, 'Pulled', 'Container image "shop/api:2.1" already present on machine');
  event(
    'api-7d9.backoff',
    api,
    'BackOff',
    'Back-off restarting failed container api in pod api-7d9_shop(uid)',
    {
      type: 'Warning',
      count: 5,
    },
  );

  const logs = new MemoryLogs();
  const base = store.now() - 5 * 60_000;
  for (let i = 0; i < 5; i++)
    logs.append(
      { ns: 'shop', pod: 'web-1', container: 'web' },
      `GET /index.html 200 (${i})`,
      base + i * 1000,
    );
  logs.append({ ns: 'shop', pod: 'api-7d9', container: 'api' }, 'starting api 2.1', base);
  logs.append(
    { ns: 'shop', pod: 'api-7d9', container: 'api' },
    'panic: database "orders" unreachable',
    base + 1000,
  );
  logs.restart({ ns: 'shop', pod: 'api-7d9', container: 'api' });

  const metrics = new FixedMetrics(store);
  const { historyLimit: _h, ...serverOptions } = options;
  const server = await startSimServer({ store, logs, metrics, ...serverOptions });
  return { store, logs, metrics, server, close: () => server.close() };
}
