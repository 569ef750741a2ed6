// One collection tick as rows to store: metrics.k8s.io usage joined with the watched state
// (capacity and allocatable of nodes, requests and limits of containers, pod phases) into one
// sample per node, sampled container, namespace and the cluster. Pure: no I/O.
import type { MetricsReading, PodUsage } from '../../cluster/metrics-api.js';
import type { ContainerSnapshot, PodSnapshot, Resources } from '../../domain/kube.js';
import { ABNORMAL_PHASES, ABNORMAL_WAITING_REASONS } from '../../domain/query.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import type { SampleValues, SeriesKey } from '../../store/repos/metric-repo.js';

export interface TickRow extends SeriesKey {
  readonly values: SampleValues;
}

export interface Tick {
  /** The sampling instant (epoch ms): every row of the tick carries it. */
  readonly at: number;
  /** Whether usage was read this tick (false: metrics.k8s.io missing or failing). */
  readonly usage: boolean;
  readonly rows: readonly TickRow[];
}

/** Phases in which a pod holds its requests on its node. */
const ACTIVE_PHASES = new Set(['Pending', 'Running']);
const ABNORMAL_PHASE_SET = new Set(ABNORMAL_PHASES);
const ABNORMAL_REASON_SET = new Set(ABNORMAL_WAITING_REASONS);

function empty(): SampleValues {
  return {
    cpu: null,
    memory: null,
    cpu_request: null,
    cpu_limit: null,
    memory_request: null,
    memory_limit: null,
    cpu_allocatable: null,
    memory_allocatable: null,
    cpu_capacity: null,
    memory_capacity: null,
    running: null,
    abnormal: null,
  };
}

/** Cores → integer nanocores, the stored CPU unit. */
export function nanos(cores: number | undefined): number | null {
  return cores === undefined || !Number.isFinite(cores) ? null : Math.round(cores * 1e9);
}

function bytes(value: number | undefined): number | null {
  return value === undefined || !Number.isFinite(value) ? null : Math.round(value);
}

/** Pending, Failed or Unknown, or a container stuck waiting for one of the known bad reasons. */
export function isAbnormalPod(pod: PodSnapshot): boolean {
  if (ABNORMAL_PHASE_SET.has(pod.phase)) return true;
  return pod.containers.some(
    (c) =>
      c.state.kind === 'waiting' && c.state.reason !== undefined && ABNORMAL_REASON_SET.has(c.state.reason),
  );
}

function sum(values: ReadonlyArray<number | null>): number | null {
  let total: number | null = null;
  for (const v of values) if (v !== null) total = (total ?? 0) + v;
  return total;
}

interface NodeSums {
  cpuRequest: number;
  cpuLimit: number;
  memoryRequest: number;
  memoryLimit: number;
}

/** Adds the requests and limits that are set (as `kubectl describe node` does). */
function addResources(sums: NodeSums, requests: Resources, limits: Resources): void {
  sums.cpuRequest += nanos(requests.cpu) ?? 0;
  sums.memoryRequest += bytes(requests.memory) ?? 0;
  sums.cpuLimit += nanos(limits.cpu) ?? 0;
  sums.memoryLimit += bytes(limits.memory) ?? 0;
}

/**
 * Builds the rows of one tick. `reading` is undefined when usage could not be read: nodes,
 * namespaces and the cluster are still sampled (requests, allocatable, pod counts), with
 * usage left unknown, and no container rows are written.
 */
export function buildTick(state: ClusterStateView, reading: MetricsReading | undefined, at: number): Tick {
  const rows: TickRow[] = [];
  const pods = state.pods();

  // Nodes: usage, capacity, allocatable, and what their active pods request.
  const sums = new Map<string, NodeSums>();
  for (const pod of pods) {
    if (!pod.node || !ACTIVE_PHASES.has(pod.phase)) continue;
    let s = sums.get(pod.node);
    if (!s) {
      s = { cpuRequest: 0, cpuLimit: 0, memoryRequest: 0, memoryLimit: 0 };
      sums.set(pod.node, s);
    }
    for (const c of pod.containers) if (c.type === 'app') addResources(s, c.requests, c.limits);
  }
  const nodeUsage = new Map((reading?.nodes ?? []).map((n) => [n.node, n]));
  const nodeRows: SampleValues[] = [];
  for (const node of state.nodes()) {
    const usage = nodeUsage.get(node.name);
    const s = sums.get(node.name);
    const values: SampleValues = {
      ...empty(),
      cpu: usage?.cpuNanos ?? null,
      memory: usage?.memoryBytes ?? null,
      cpu_request: s?.cpuRequest ?? 0,
      cpu_limit: s?.cpuLimit ?? 0,
      memory_request: s?.memoryRequest ?? 0,
      memory_limit: s?.memoryLimit ?? 0,
      cpu_allocatable: nanos(node.allocatable.cpu),
      memory_allocatable: bytes(node.allocatable.memory),
      cpu_capacity: nanos(node.capacity.cpu),
      memory_capacity: bytes(node.capacity.memory),
    };
    nodeRows.push(values);
    rows.push({ kind: 'node', namespace: '', name: node.name, container: '', values });
  }

  // Containers of the pods metrics-server reports, with their requests and limits. Pods the
  // watch has not delivered yet are left for the next tick: their limits are not known.
  const podIndex = new Map<string, PodSnapshot>();
  for (const pod of pods) podIndex.set(`${pod.namespace}/${pod.name}`, pod);
  const containerUsage: Array<number | null> = [];
  const containerMemory: Array<number | null> = [];
  for (const usage of reading?.pods ?? []) {
    const pod = podIndex.get(`${usage.namespace}/${usage.pod}`);
    if (!pod) continue;
    for (const row of containerRows(pod, usage)) {
      rows.push(row);
      containerUsage.push(row.values.cpu);
      containerMemory.push(row.values.memory);
    }
  }

  // Namespaces: running and abnormal pods.
  const perNamespace = new Map<string, { running: number; abnormal: number }>();
  for (const pod of pods) {
    let n = perNamespace.get(pod.namespace);
    if (!n) {
      n = { running: 0, abnormal: 0 };
      perNamespace.set(pod.namespace, n);
    }
    if (pod.phase === 'Running') n.running++;
    if (isAbnormalPod(pod)) n.abnormal++;
  }
  for (const [namespace, n] of perNamespace) {
    rows.push({
      kind: 'namespace',
      namespace,
      name: namespace,
      container: '',
      values: { ...empty(), running: n.running, abnormal: n.abnormal },
    });
  }

  // The cluster: totals, and the mark that this tick happened.
  rows.push({
    kind: 'cluster',
    namespace: '',
    name: '',
    container: '',
    values: {
      ...empty(),
      cpu: reading ? (sum(containerUsage) ?? 0) : null,
      memory: reading ? (sum(containerMemory) ?? 0) : null,
      cpu_request: sum(nodeRows.map((v) => v.cpu_request)),
      cpu_limit: sum(nodeRows.map((v) => v.cpu_limit)),
      memory_request: sum(nodeRows.map((v) => v.memory_request)),
      memory_limit: sum(nodeRows.map((v) => v.memory_limit)),
      cpu_allocatable: sum(nodeRows.map((v) => v.cpu_allocatable)),
      memory_allocatable: sum(nodeRows.map((v) => v.memory_allocatable)),
      cpu_capacity: sum(nodeRows.map((v) => v.cpu_capacity)),
      memory_capacity: sum(nodeRows.map((v) => v.memory_capacity)),
      running: [...perNamespace.values()].reduce((t, n) => t + n.running, 0),
      abnormal: [...perNamespace.values()].reduce((t, n) => t + n.abnormal, 0),
    },
  });
  return { at, usage: reading !== undefined, rows };
}

/**
 * One row per container of a sampled pod: its app containers (a container not running has no
 * usage but still decides whether the pod has a limit) and whatever else metrics-server
 * reports (sidecars declared as init containers).
 */
function containerRows(pod: PodSnapshot, usage: PodUsage): TickRow[] {
  const byName = new Map<string, ContainerSnapshot>(pod.containers.map((c) => [c.name, c]));
  const names = new Set<string>(pod.containers.filter((c) => c.type === 'app').map((c) => c.name));
  for (const c of usage.containers) names.add(c.name);
  const used = new Map(usage.containers.map((c) => [c.name, c]));
  const out: TickRow[] = [];
  for (const name of names) {
    const spec = byName.get(name);
    const u = used.get(name);
    out.push({
      kind: 'container',
      namespace: pod.namespace,
      name: pod.name,
      container: name,
      values: {
        ...empty(),
        cpu: u?.cpuNanos ?? null,
        memory: u?.memoryBytes ?? null,
        cpu_request: nanos(spec?.requests.cpu),
        cpu_limit: nanos(spec?.limits.cpu),
        memory_request: bytes(spec?.requests.memory),
        memory_limit: bytes(spec?.limits.memory),
      },
    });
  }
  return out;
}
