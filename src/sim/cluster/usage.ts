// Resource usage in the simulated cluster and its metrics.k8s.io view: every running container
// has an idle CPU and memory level consistent with its requests and limits, wandering with
// seeded noise, plus its share of any load put on its workload (CPU capped at the limit, as
// throttling does), plus a leak for containers that grow towards an OOM kill. Nodes add their
// system overhead. Served as NodeMetrics/PodMetrics exactly as metrics-server serves them.
import type { MetricsSource } from '../contracts.js';
import type { KubeObject } from '../object-store.js';
import { rfc3339 } from '../object-store.js';
import { mix32, smoothNoise } from '../random.js';
import { matchesLabels, type LabelSelector } from '../selectors.js';
import type { SimContext } from './context.js';
import { isPodReady, type NodeObject, type PodObject } from './kinds.js';
import type { KubeletFleet } from './kubelet/fleet.js';
import type { Kubelet } from './kubelet/kubelet.js';
import { isRunning, type ContainerRuntime, type PodRuntime } from './kubelet/pod-runtime.js';
import { containerLimits } from './pods.js';
import { formatKi, formatNanoCpu } from './quantity.js';

export interface Load {
  readonly namespace: string;
  readonly selector: LabelSelector;
  /** Total CPU demand (millicores) shared by the ready pods the selector matches. */
  readonly milliCpu: number;
}

export interface ContainerUsage {
  readonly name: string;
  readonly cpuMilli: number;
  readonly memoryBytes: number;
}

export interface PodUsage {
  readonly namespace: string;
  readonly name: string;
  readonly containers: readonly ContainerUsage[];
}

const NOISE_PERIOD_MS = 60_000;

export class UsageModel implements MetricsSource {
  readonly #ctx: SimContext;
  readonly #fleet: KubeletFleet;
  readonly #loads = new Map<string, Load>();
  readonly #seed: number;

  constructor(ctx: SimContext, fleet: KubeletFleet) {
    this.#ctx = ctx;
    this.#fleet = fleet;
    this.#seed = ctx.random.fork('usage').seed;
  }

  /** Puts (or with 0, removes) a CPU load on the pods a selector matches. */
  setLoad(name: string, load: Load): void {
    if (load.milliCpu <= 0) this.#loads.delete(name);
    else this.#loads.set(name, load);
  }

  loads(): ReadonlyMap<string, Load> {
    return this.#loads;
  }

  /** Current usage of one pod's running containers; undefined when it has none or its node is down. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const found = this.#fleet.runtime(namespace, name);
    if (!found || !found.kubelet.up) return undefined;
    return this.#usageOf(found.pod, this.#shares(), this.#ctx.now());
  }

  nodeMetrics(): KubeObject[] {
    const now = this.#ctx.now();
    const shares = this.#shares();
    const out: KubeObject[] = [];
    for (const kubelet of this.#fleet.kubelets()) {
      if (!kubelet.up) continue;
      const node = this.#ctx.cache.get<NodeObject>('nodes', undefined, kubelet.node);
      if (!node) continue;
      const usage = this.#nodeUsage(kubelet, shares, now);
      out.push({
        kind: 'NodeMetrics',
        apiVersion: 'metrics.k8s.io/v1beta1',
        metadata: {
          name: kubelet.node,
          creationTimestamp: rfc3339(now),
          labels: { ...(node.metadata.labels ?? {}) },
        },
        timestamp: rfc3339(now - 5000),
        window: '20.027s',
        usage: { cpu: formatNanoCpu(usage.cpuMilli / 1000), memory: formatKi(usage.memoryBytes) },
      });
    }
    return out.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  }

  podMetrics(namespace?: string): KubeObject[] {
    const now = this.#ctx.now();
    const shares = this.#shares();
    const out: KubeObject[] = [];
    for (const kubelet of this.#fleet.kubelets()) {
      if (!kubelet.up) continue;
      for (const pr of kubelet.pods()) {
        if (namespace !== undefined && pr.namespace !== namespace) continue;
        const usage = this.#usageOf(pr, shares, now);
        if (!usage) continue;
        const pod = this.#ctx.cache.get<PodObject>('pods', pr.namespace, pr.name);
        out.push({
          kind: 'PodMetrics',
          apiVersion: 'metrics.k8s.io/v1beta1',
          metadata: {
            name: pr.name,
            namespace: pr.namespace,
            creationTimestamp: rfc3339(now),
            labels: { ...(pod?.metadata.labels ?? {}) },
          },
          timestamp: rfc3339(now - 5000),
          window: '15.012s',
          containers: usage.containers.map((c) => ({
            name: c.name,
            usage: { cpu: formatNanoCpu(c.cpuMilli / 1000), memory: formatKi(c.memoryBytes) },
          })),
        });
      }
    }
    return out.sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  }

  /** Load per ready pod, by load name: computed once per request. */
  #shares(): Map<string, { load: Load; perPod: number }> {
    const out = new Map<string, { load: Load; perPod: number }>();
    for (const [name, load] of this.#loads) {
      const ready = this.#ctx.cache
        .list<PodObject>('pods', load.namespace)
        .filter(
          (p) =>
            !p.metadata.deletionTimestamp && isPodReady(p) && matchesLabels(load.selector, p.metadata.labels),
        );
      if (ready.length > 0) out.set(name, { load, perPod: load.milliCpu / ready.length });
    }
    return out;
  }

  #usageOf(
    pr: PodRuntime,
    shares: Map<string, { load: Load; perPod: number }>,
    now: number,
  ): PodUsage | undefined {
    const containers: ContainerUsage[] = [];
    let share = 0;
    if (shares.size > 0) {
      const pod = this.#ctx.cache.get<PodObject>('pods', pr.namespace, pr.name);
      if (pod && isPodReady(pod)) {
        for (const { load, perPod } of shares.values()) {
          if (load.namespace === pr.namespace && matchesLabels(load.selector, pod.metadata.labels))
            share += perPod;
        }
      }
    }
    let first = true;
    for (const cr of pr.containers.values()) {
      if (!isRunning(cr)) continue;
      containers.push(this.#containerUsage(pr, cr, now, first ? share : 0));
      if (cr.kind === 'app') first = false;
    }
    if (containers.length === 0) return undefined;
    return { namespace: pr.namespace, name: pr.name, containers };
  }

  #containerUsage(pr: PodRuntime, cr: ContainerRuntime, now: number, loadShare: number): ContainerUsage {
    const inst = cr.current!;
    const key = mix32(this.#seed, hash(`${pr.uid}/${cr.name}/${inst.attempt}`));
    const period = this.#ctx.scaled(NOISE_PERIOD_MS);
    const limits = containerLimits(cr.spec);
    let cpu = inst.cpuBase * (1 + 0.3 * smoothNoise(key, now, period)) + loadShare;
    if (limits.cpu) cpu = Math.min(cpu, limits.cpu);
    const elapsedSeconds = Math.max(0, now - inst.startedAt) / 1000 / this.#ctx.timeScale;
    let memory =
      inst.memoryBase * (1 + 0.04 * smoothNoise(key + 1, now, period * 5)) +
      inst.leakBytesPerSecond * elapsedSeconds;
    if (limits.memory) memory = Math.min(memory, limits.memory);
    return { name: cr.name, cpuMilli: Math.max(0.05, cpu), memoryBytes: Math.max(1 << 20, memory) };
  }

  #nodeUsage(
    kubelet: Kubelet,
    shares: Map<string, { load: Load; perPod: number }>,
    now: number,
  ): { cpuMilli: number; memoryBytes: number } {
    const key = mix32(this.#seed, hash(kubelet.node));
    const period = this.#ctx.scaled(NOISE_PERIOD_MS);
    let cpu = 90 + 60 * (1 + smoothNoise(key, now, period));
    let memory = (700 + 200 * (1 + smoothNoise(key + 7, now, period * 10))) * 2 ** 20;
    for (const pr of kubelet.pods()) {
      const usage = this.#usageOf(pr, shares, now);
      if (!usage) continue;
      for (const c of usage.containers) {
        cpu += c.cpuMilli;
        memory += c.memoryBytes;
      }
    }
    return { cpuMilli: cpu, memoryBytes: memory };
  }
}

function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
