// The PromQL behind every catalog query, over the standard series of node-exporter,
// cAdvisor (kubelet) and kube-state-metrics ≥ 2. Pure text building, so each expression can be
// read, tested and printed in the docs exactly as Lookout sends it.
import { ABNORMAL_PHASES, ABNORMAL_WAITING_REASONS } from '../../domain/query.js';

export interface PromqlOptions {
  /**
   * A label on node-exporter series holding the Kubernetes node name. Without it, node-exporter
   * series are joined to `node_uname_info` on (instance, job) and its `nodename` is used.
   */
  readonly nodeLabel?: string | undefined;
  /** Matchers added to every selector (one Prometheus holding several clusters). */
  readonly seriesLabels?: Readonly<Record<string, string>>;
  /** Namespaces to keep (pod-level series only); empty: all. */
  readonly namespaces?: readonly string[];
}

/** A PromQL string literal. */
export function promString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An RE2 pattern matching exactly one of `values`. */
export function anyOf(values: readonly string[]): string {
  return values.map((v) => v.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&')).join('|');
}

/** A PromQL duration in whole seconds, at least 1s. */
export function promDuration(ms: number): string {
  return `${Math.max(1, Math.ceil(ms / 1000))}s`;
}

/** The container filter cAdvisor needs: real containers, not the pod cgroup or the pause container. */
const CONTAINERS = 'container!="", container!="POD"';

export class Promql {
  readonly #opts: PromqlOptions;

  constructor(options: PromqlOptions = {}) {
    this.#opts = options;
  }

  /** `metric{matchers…, series labels…}`; `namespaced` adds the namespace filter. */
  sel(metric: string, matchers: readonly string[] = [], namespaced = false): string {
    const all = [...matchers];
    if (namespaced && this.#opts.namespaces && this.#opts.namespaces.length > 0) {
      all.push(`namespace=~${promString(anyOf(this.#opts.namespaces))}`);
    }
    for (const [k, v] of Object.entries(this.#opts.seriesLabels ?? {})) all.push(`${k}=${promString(v)}`);
    return all.length > 0 ? `${metric}{${all.join(', ')}}` : metric;
  }

  /**
   * Puts the Kubernetes node name into a `node` label on a node-exporter expression (which
   * must keep `instance` and `job`), one series per node.
   */
  byNode(inner: string): string {
    const label = this.#opts.nodeLabel;
    if (label) {
      return `max by (node) (label_replace(${inner}, "node", "$1", ${promString(label)}, "(.+)"))`;
    }
    const uname = `max by (instance, job, nodename) (${this.sel('node_uname_info')})`;
    return `max by (node) (label_replace((${inner}) * on (instance, job) group_left (nodename) ${uname}, "node", "$1", "nodename", "(.+)"))`;
  }

  /** node-memory: available memory, % of total, per node. */
  nodeMemoryAvailablePercent(): string {
    return this.byNode(
      `100 * ${this.sel('node_memory_MemAvailable_bytes')} / ${this.sel('node_memory_MemTotal_bytes')}`,
    );
  }

  /** node-cpu: % of CPU time not idle (idle, iowait and steal count as not used, as node-mixin does). */
  nodeCpuUsedPercent(windowMs: number): string {
    const idle = `rate(${this.sel('node_cpu_seconds_total', ['mode=~"idle|iowait|steal"'])}[${promDuration(windowMs)}])`;
    return this.byNode(`100 * (1 - avg without (cpu) (sum without (mode) (${idle})))`);
  }

  /** Cores in use per node (top-nodes), from node-exporter. */
  nodeCpuUsedCores(windowMs: number): string {
    const cpus = `count without (cpu, mode) (${this.sel('node_cpu_seconds_total', ['mode="idle"'])})`;
    const idle = `sum without (cpu, mode) (rate(${this.sel('node_cpu_seconds_total', ['mode=~"idle|iowait|steal"'])}[${promDuration(windowMs)}]))`;
    return this.byNode(`${cpus} - ${idle}`);
  }

  /** Memory in use per node (top-nodes): total − available. */
  nodeMemoryUsedBytes(): string {
    return this.byNode(
      `${this.sel('node_memory_MemTotal_bytes')} - ${this.sel('node_memory_MemAvailable_bytes')}`,
    );
  }

  /** Allocatable cpu (cores) and memory (bytes) per node and resource. */
  nodeAllocatable(): string {
    return `max by (node, resource) (${this.sel('kube_node_status_allocatable', ['resource=~"cpu|memory"'])})`;
  }

  /** Pods that hold node resources now: Pending or Running (completed pods keep their request series). */
  #activePods(): string {
    return `max by (namespace, pod) (${this.sel('kube_pod_status_phase', ['phase=~"Pending|Running"'])} == 1)`;
  }

  /** Sum of container requests or limits per node and resource, over active pods. */
  nodeResourceSum(kind: 'requests' | 'limits', namespaced = false): string {
    const series = this.sel(`kube_pod_container_resource_${kind}`, ['resource=~"cpu|memory"'], namespaced);
    return `sum by (node, resource) (max by (namespace, pod, container, node, resource) (${series}) * on (namespace, pod) group_left () ${this.#activePods()})`;
  }

  /** node-memory-requests: the memory requests of a node's active pods, % of its allocatable memory. */
  nodeMemoryRequestsPercent(): string {
    const requests = `sum by (node) (max by (namespace, pod, container, node) (${this.sel('kube_pod_container_resource_requests', ['resource="memory"'])}) * on (namespace, pod) group_left () ${this.#activePods()})`;
    const allocatable = `max by (node) (${this.sel('kube_node_status_allocatable', ['resource="memory"'])})`;
    // Nodes with no requests at all show 0 % rather than vanishing.
    return `100 * (${requests} or 0 * ${allocatable}) / ${allocatable}`;
  }

  /** Working set bytes per container (cAdvisor). */
  containerMemoryBytes(): string {
    return `max by (namespace, pod, container) (${this.sel('container_memory_working_set_bytes', [CONTAINERS], true)})`;
  }

  /** CPU cores used per container (cAdvisor). */
  containerCpuCores(windowMs: number): string {
    return `max by (namespace, pod, container) (rate(${this.sel('container_cpu_usage_seconds_total', [CONTAINERS], true)}[${promDuration(windowMs)}]))`;
  }

  /** Container limits (kube-state-metrics); containers without a limit have no series. */
  containerLimit(resource: 'cpu' | 'memory'): string {
    return `max by (namespace, pod, container) (${this.sel('kube_pod_container_resource_limits', [`resource="${resource}"`], true)})`;
  }

  /** container-memory: working set, % of the memory limit, for containers that have one. */
  containerMemoryPercentOfLimit(): string {
    return `100 * ${this.containerMemoryBytes()} / (${this.containerLimit('memory')} > 0)`;
  }

  /** container-cpu: CPU use, % of the CPU limit, for containers that have one. */
  containerCpuPercentOfLimit(windowMs: number): string {
    return `100 * ${this.containerCpuCores(windowMs)} / (${this.containerLimit('cpu')} > 0)`;
  }

  /** Containers using the resource that have no limit for it: reported, never divided. */
  containersWithoutLimit(resource: 'cpu' | 'memory', windowMs: number): string {
    const usage = resource === 'memory' ? this.containerMemoryBytes() : this.containerCpuCores(windowMs);
    return `${usage} unless on (namespace, pod, container) (${this.containerLimit(resource)} > 0)`;
  }

  /** cluster-cpu: all containers' CPU, % of all nodes' allocatable CPU. */
  clusterCpuPercent(windowMs: number): string {
    const used = `sum(max by (namespace, pod, container) (rate(${this.sel('container_cpu_usage_seconds_total', [CONTAINERS])}[${promDuration(windowMs)}])))`;
    const allocatable = `sum(${this.sel('kube_node_status_allocatable', ['resource="cpu"'])})`;
    return `100 * ${used} / ${allocatable}`;
  }

  /** pods-running: pods in phase Running per namespace. */
  podsRunning(): string {
    return `sum by (namespace) (${this.sel('kube_pod_status_phase', ['phase="Running"'], true)})`;
  }

  /** pods-abnormal: pods in an abnormal phase or with a container waiting for a bad reason, per namespace. */
  podsAbnormal(): string {
    const phase = `max by (namespace, pod) (${this.sel('kube_pod_status_phase', [`phase=~${promString(anyOf(ABNORMAL_PHASES))}`], true)} == 1)`;
    const waiting = `max by (namespace, pod) (${this.sel('kube_pod_container_status_waiting_reason', [`reason=~${promString(anyOf(ABNORMAL_WAITING_REASONS))}`], true)} == 1)`;
    return `count by (namespace) (${phase} or on (namespace, pod) ${waiting})`;
  }

  /** top-pods: CPU cores per pod. */
  podCpuCores(windowMs: number): string {
    return `sum by (namespace, pod) (${this.containerCpuCores(windowMs)})`;
  }

  /** top-pods: working set bytes per pod. */
  podMemoryBytes(): string {
    return `sum by (namespace, pod) (${this.containerMemoryBytes()})`;
  }

  /** top-pods: every container of every pod, so a pod with one unlimited container shows "no limit". */
  podContainers(): string {
    return `max by (namespace, pod, container) (${this.sel('kube_pod_container_info', [], true)})`;
  }

  /** top-pods: requests or limits per container and resource. */
  containerResources(kind: 'requests' | 'limits'): string {
    return `max by (namespace, pod, container, resource) (${this.sel(`kube_pod_container_resource_${kind}`, ['resource=~"cpu|memory"'], true)})`;
  }

  /** hpa: every HPA gauge of kube-state-metrics in one selector (names kept: no operator applied). */
  hpaGauges(): string {
    const names = [
      'info',
      'spec_min_replicas',
      'spec_max_replicas',
      'status_current_replicas',
      'status_desired_replicas',
      'spec_target_metric',
      'status_target_metric',
    ];
    return this.sel('', [`__name__=~"kube_horizontalpodautoscaler_(${names.join('|')})"`], true);
  }

  /** hpa: desired replicas over time, whose changes are the scale events. */
  hpaDesiredReplicas(): string {
    return `max by (namespace, horizontalpodautoscaler) (${this.sel('kube_horizontalpodautoscaler_status_desired_replicas', [], true)})`;
  }

  /** Which of `metrics` Prometheus has at all (to explain an empty answer). */
  present(metrics: readonly string[]): string {
    return `count by (__name__) (${this.sel('', [`__name__=~${promString(anyOf(metrics))}`])})`;
  }
}
