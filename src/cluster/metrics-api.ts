// Reads the resource metrics API (metrics.k8s.io/v1beta1, served by metrics-server): what
// `kubectl top` shows, turned into plain usage numbers. Malformed items are counted and skipped.
import { parseQuantity } from '../domain/quantity.js';
import { KubeApiError } from '../lib/errors.js';
import type { KubeClient } from './kube-client.js';

const GROUP_PATH = '/apis/metrics.k8s.io/v1beta1';

/** CPU in integer nanocores (metrics-server's own unit) and memory in bytes. */
export interface Usage {
  readonly cpuNanos: number;
  readonly memoryBytes: number;
}

export interface NodeUsage extends Usage {
  readonly node: string;
}

export interface ContainerUsage extends Usage {
  readonly name: string;
}

export interface PodUsage {
  readonly namespace: string;
  readonly pod: string;
  readonly containers: readonly ContainerUsage[];
}

export interface MetricsReading {
  readonly nodes: readonly NodeUsage[];
  readonly pods: readonly PodUsage[];
  /** Items that could not be read (no name, a quantity that is not one). */
  readonly skipped: number;
}

/** Cores as integer nanocores; undefined when the text is not a quantity. */
export function cpuNanos(value: unknown): number | undefined {
  const cores = parseQuantity(typeof value === 'string' || typeof value === 'number' ? value : undefined);
  return cores === undefined || cores < 0 ? undefined : Math.round(cores * 1e9);
}

/** Bytes as an integer; undefined when the text is not a quantity. */
export function memoryBytes(value: unknown): number | undefined {
  const bytes = parseQuantity(typeof value === 'string' || typeof value === 'number' ? value : undefined);
  return bytes === undefined || bytes < 0 ? undefined : Math.round(bytes);
}

type Json = Record<string, unknown>;

function record(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function usageOf(value: unknown): Usage | undefined {
  const u = record(value);
  const cpu = cpuNanos(u.cpu);
  const memory = memoryBytes(u.memory);
  return cpu === undefined || memory === undefined ? undefined : { cpuNanos: cpu, memoryBytes: memory };
}

/** One NodeMetrics item; undefined when it cannot be read (no name, a quantity that is not one). */
export function nodeUsageOf(item: unknown): NodeUsage | undefined {
  const it = record(item);
  const name = record(it.metadata).name;
  const usage = usageOf(it.usage);
  return typeof name !== 'string' || name === '' || !usage
    ? undefined
    : { node: name, cpuNanos: usage.cpuNanos, memoryBytes: usage.memoryBytes };
}

/** One PodMetrics item; undefined when any of its containers cannot be read (its sums would lie). */
export function podUsageOf(item: unknown): PodUsage | undefined {
  const it = record(item);
  const meta = record(it.metadata);
  if (typeof meta.name !== 'string' || typeof meta.namespace !== 'string') return undefined;
  const containers: ContainerUsage[] = [];
  for (const c of Array.isArray(it.containers) ? it.containers : []) {
    const name = record(c).name;
    const usage = usageOf(record(c).usage);
    if (typeof name !== 'string' || !usage) return undefined;
    containers.push({ name, cpuNanos: usage.cpuNanos, memoryBytes: usage.memoryBytes });
  }
  return { namespace: meta.namespace, pod: meta.name, containers };
}

/**
 * Reads node and pod metrics. `namespaces` narrows the pod list to those namespaces (one
 * request each); absent or empty reads every namespace in one request. Errors are
 * {@link KubeApiError}; status 404 (or 503 from an APIService whose backend is down) means
 * metrics-server is missing or not serving — see {@link metricsApiMissing}. The lists are read
 * item by item as they arrive (KubeClient.list): the metrics of 10,000 pods are about 4 MB of
 * JSON, read every interval, and never held whole.
 */
export async function readResourceMetrics(
  client: KubeClient,
  options: { readonly namespaces?: readonly string[]; readonly signal?: AbortSignal } = {},
): Promise<MetricsReading> {
  const { signal } = options;
  const nodes: NodeUsage[] = [];
  const pods: PodUsage[] = [];
  let skipped = 0;
  await client.list(
    `${GROUP_PATH}/nodes`,
    {},
    (item) => {
      const node = nodeUsageOf(item);
      if (node) nodes.push(node);
      else skipped++;
    },
    signal,
  );
  const paths =
    options.namespaces && options.namespaces.length > 0
      ? options.namespaces.map((ns) => `${GROUP_PATH}/namespaces/${encodeURIComponent(ns)}/pods`)
      : [`${GROUP_PATH}/pods`];
  for (const path of paths) {
    await client.list(
      path,
      {},
      (item) => {
        const pod = podUsageOf(item);
        if (pod) pods.push(pod);
        else skipped++;
      },
      signal,
    );
  }
  return { nodes, pods, skipped };
}

/** True when an error says the cluster has no (working) metrics API rather than a passing failure. */
export function metricsApiMissing(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 404 || error.status === 503);
}
