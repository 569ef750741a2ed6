// Threshold rules over the latest resource samples: a node short of memory or busy on CPU,
// a container near its memory or CPU limit. Level rules like the rest of the pack; they see
// usage only where Lookout collects it itself (clusters without a Prometheus).
import type { RulesConfig } from '../config/sections/rules.js';
import { formatBytes } from '../domain/quantity.js';
import type { PodSnapshot } from '../domain/kube.js';
import type { ClusterStateView } from '../history/cluster-state.js';
import { podLabels, type Candidate, type ContainerUsageSample, type LevelRule } from './rule.js';

type S<K extends keyof RulesConfig> = RulesConfig[K];

/** `12.3` — one decimal, as the value annotation. */
function pct(value: number): string {
  return (Math.round(value * 10) / 10).toFixed(1);
}

function cores(value: number): string {
  return value < 1 ? `${Math.round(value * 1000)}m` : `${Number(value.toFixed(2))}`;
}

function podsByName(state: ClusterStateView): Map<string, PodSnapshot> {
  const out = new Map<string, PodSnapshot>();
  for (const pod of state.pods()) out.set(`${pod.namespace}/${pod.name}`, pod);
  return out;
}

function containerLabels(c: ContainerUsageSample, pod: PodSnapshot | undefined): Record<string, string> {
  const base = pod ? podLabels(pod) : { namespace: c.namespace, pod: c.pod };
  return { ...base, container: c.container };
}

export const nodeMemoryHigh: LevelRule = {
  kind: 'level',
  name: 'NodeMemoryHigh',
  evaluate(_state, _now, settings, usage) {
    const threshold = (settings as S<'NodeMemoryHigh'>).available_below_percent;
    const out: Candidate[] = [];
    for (const n of usage?.nodes ?? []) {
      if (n.memoryBytes === undefined || !n.memoryCapacityBytes) continue;
      const available = n.memoryCapacityBytes - n.memoryBytes;
      const percent = (100 * available) / n.memoryCapacityBytes;
      if (percent >= threshold) continue;
      out.push({
        labels: { node: n.node },
        annotations: {
          summary: `Node ${n.node} has ${pct(percent)}% of its memory available (${formatBytes(Math.max(0, available))} of ${formatBytes(n.memoryCapacityBytes)})`,
          description: `Memory in use: ${formatBytes(n.memoryBytes)}. Pods may be evicted or OOM-killed when the node runs out.`,
          value: pct(percent),
          threshold: String(threshold),
        },
      });
    }
    return out;
  },
};

export const nodeCpuHigh: LevelRule = {
  kind: 'level',
  name: 'NodeCpuHigh',
  evaluate(_state, _now, settings, usage) {
    const threshold = (settings as S<'NodeCpuHigh'>).above_percent;
    const out: Candidate[] = [];
    for (const n of usage?.nodes ?? []) {
      if (n.cpuCores === undefined || !n.cpuCapacityCores) continue;
      const percent = (100 * n.cpuCores) / n.cpuCapacityCores;
      if (percent <= threshold) continue;
      out.push({
        labels: { node: n.node },
        annotations: {
          summary: `Node ${n.node} uses ${pct(percent)}% of its CPU (${cores(n.cpuCores)} of ${cores(n.cpuCapacityCores)} cores)`,
          value: pct(percent),
          threshold: String(threshold),
        },
      });
    }
    return out;
  },
};

export const containerMemoryNearLimit: LevelRule = {
  kind: 'level',
  name: 'ContainerMemoryNearLimit',
  evaluate(state, _now, settings, usage) {
    const threshold = (settings as S<'ContainerMemoryNearLimit'>).above_percent;
    const out: Candidate[] = [];
    let pods: Map<string, PodSnapshot> | undefined;
    for (const c of usage?.containers ?? []) {
      if (c.memoryBytes === undefined || !c.memoryLimitBytes || c.memoryLimitBytes <= 0) continue;
      const percent = (100 * c.memoryBytes) / c.memoryLimitBytes;
      if (percent <= threshold) continue;
      pods ??= podsByName(state);
      out.push({
        labels: containerLabels(c, pods.get(`${c.namespace}/${c.pod}`)),
        annotations: {
          summary: `Container ${c.container} of pod ${c.namespace}/${c.pod} uses ${pct(percent)}% of its memory limit (${formatBytes(c.memoryBytes)} of ${formatBytes(c.memoryLimitBytes)})`,
          description: 'At its limit the container is OOM-killed.',
          value: pct(percent),
          threshold: String(threshold),
        },
      });
    }
    return out;
  },
};

export const containerCpuNearLimit: LevelRule = {
  kind: 'level',
  name: 'ContainerCpuNearLimit',
  evaluate(state, _now, settings, usage) {
    const threshold = (settings as S<'ContainerCpuNearLimit'>).above_percent;
    const out: Candidate[] = [];
    let pods: Map<string, PodSnapshot> | undefined;
    for (const c of usage?.containers ?? []) {
      if (c.cpuCores === undefined || !c.cpuLimitCores || c.cpuLimitCores <= 0) continue;
      const percent = (100 * c.cpuCores) / c.cpuLimitCores;
      if (percent <= threshold) continue;
      pods ??= podsByName(state);
      out.push({
        labels: containerLabels(c, pods.get(`${c.namespace}/${c.pod}`)),
        annotations: {
          summary: `Container ${c.container} of pod ${c.namespace}/${c.pod} uses ${pct(percent)}% of its CPU limit (${cores(c.cpuCores)} of ${cores(c.cpuLimitCores)})`,
          description: 'At its limit the container is throttled: it runs slower than it asks to.',
          value: pct(percent),
          threshold: String(threshold),
        },
      });
    }
    return out;
  },
};

/** The threshold rules, in the order docs/rules.md lists them. */
export const THRESHOLD_RULES: readonly LevelRule[] = [
  nodeMemoryHigh,
  nodeCpuHigh,
  containerMemoryNearLimit,
  containerCpuNearLimit,
];
