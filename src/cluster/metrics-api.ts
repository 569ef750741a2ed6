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

function items(list: unknown): unknown[] {
  const raw = record(list).items;
  if (!Array.isArray(raw))
    throw new KubeApiError('the metrics API answered without an items list', { status: 200 });
  return raw;
}

function usageOf(value: unknown): Usage | undefined {
  const u = record(value);
  const cpu = cpuNanos(u.cpu);
  const memory = memoryBytes(u.memory);
  return cpu === undefined || memory === undefined ? undefined : { cpuNanos: cpu, memoryBytes: memory };
}

/** Parses a NodeMetricsList. */
export function parseNodeMetrics(list: unknown): { nodes: NodeUsage[]; skipped: number } {
  const nodes: NodeUsage[] = [];
  let skipped = 0;
  for (const item of items(list)) {
    const it = record(item);
    const name = record(it.metadata).name;
    const usage = usageOf(it.usage);
    if (typeof name !== 'string' || name === '' || !usage) {
      skipped++;
      continue;
    }
    nodes.push({ node: name, ...usage });
  }
  return { nodes, skipped };
}

/** Parses a PodMetricsList. A pod with one unreadable container is skipped whole (its sums would lie). */
export function parsePodMetrics(list: unknown): { pods: PodUsage[]; skipped: number } {
  const pods: PodUsage[] = [];
  let skipped = 0;
  for (const item of items(list)) {
    const it = record(item);
    const meta = record(it.metadata);
    const containers: ContainerUsage[] = [];
    let ok = typeof meta.name === 'string' && typeof meta.namespace === 'string';
    for (const c of Array.isArray(it.containers) ? it.containers : []) {
      const name = record(c).name;
      const usage = usageOf(record(c).usage);
      if (typeof name !== 'string' || !usage) ok = false;
      else containers.push({ name, ...usage });
    }
    if (!ok) {
      skipped++;
      continue;
    }
    pods.push({ namespace: meta.namespace as string, pod: meta.name as string, containers });
  }
  return { pods, skipped };
}

/**
 * Reads node and pod metrics. `namespaces` narrows the pod list to those namespaces (one
 * request each); absent or empty reads every namespace in one request. Errors are
 * {@link KubeApiError}; status 404 (or 503 from an APIService whose backend is down) means
 * metrics-server is missing or not serving — see {@link metricsApiMissing}.
 */
export async function readResourceMetrics(
  client: KubeClient,
  options: { readonly namespaces?: readonly string[]; readonly signal?: AbortSignal } = {},
): Promise<MetricsReading> {
  const { signal } = options;
  const nodeList = await client.getJson<unknown>(`${GROUP_PATH}/nodes`, {}, signal);
  const { nodes, skipped: nodeSkips } = parseNodeMetrics(nodeList);
  const paths =
    options.namespaces && options.namespaces.length > 0
      ? options.namespaces.map((ns) => `${GROUP_PATH}/namespaces/${encodeURIComponent(ns)}/pods`)
      : [`${GROUP_PATH}/pods`];
  const pods: PodUsage[] = [];
  let skipped = nodeSkips;
  for (const path of paths) {
    const parsed = parsePodMetrics(await client.getJson<unknown>(path, {}, signal));
    pods.push(...parsed.pods);
    skipped += parsed.skipped;
  }
  return { nodes, pods, skipped };
}

/** True when an error says the cluster has no (working) metrics API rather than a passing failure. */
export function metricsApiMissing(error: unknown): boolean {
  return error instanceof KubeApiError && (error.status === 404 || error.status === 503);
}
