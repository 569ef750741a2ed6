// What a built-in rule is: a pure function from a cluster's state (or one new record) to
// alert candidates. The engine adds `for`, holds, cooldowns, common labels and delivery.
import type { RuleName, RuleSettings } from '../config/sections/rules.js';
import type { CrashRecord, EventOccurrence } from '../domain/history.js';
import type { PodSnapshot, WorkloadSnapshot } from '../domain/kube.js';
import type { ClusterStateView } from '../history/cluster-state.js';

export interface Candidate {
  /** Labels that identify the alert (alertname, severity and cluster are added by the engine). */
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** Since when the condition holds, when the state says; `for` counts from here (restart-safe). */
  readonly since?: number | undefined;
  /** Key for the cooldown; defaults to the labels. */
  readonly cooldownKey?: string | undefined;
}

/** A node's latest usage sample. CPU in cores, memory in bytes; undefined when not known. */
export interface NodeUsageSample {
  readonly node: string;
  readonly cpuCores: number | undefined;
  readonly memoryBytes: number | undefined;
  readonly cpuCapacityCores: number | undefined;
  readonly memoryCapacityBytes: number | undefined;
}

/** A container's latest usage sample with its limits (undefined: not set). */
export interface ContainerUsageSample {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly cpuCores: number | undefined;
  readonly memoryBytes: number | undefined;
  readonly cpuLimitCores: number | undefined;
  readonly memoryLimitBytes: number | undefined;
}

/** The latest resource samples of a cluster (built-in metrics), for threshold rules. */
export interface ResourceUsage {
  /** When the samples were taken (epoch ms). */
  readonly at: number;
  readonly nodes: readonly NodeUsageSample[];
  readonly containers: readonly ContainerUsageSample[];
}

export interface LevelRule {
  readonly kind: 'level';
  readonly name: RuleName;
  /** `usage` is the cluster's latest resource samples, when Lookout collects them. */
  evaluate(state: ClusterStateView, now: number, settings: RuleSettings, usage?: ResourceUsage): Candidate[];
}

export interface CrashRule {
  readonly kind: 'crash';
  readonly name: RuleName;
  /** A candidate for a completed crash record, or undefined when the rule does not apply. */
  onCrash(crash: CrashRecord, settings: RuleSettings): Candidate | undefined;
}

export interface OccurrenceRule {
  readonly kind: 'occurrence';
  readonly name: RuleName;
  onOccurrence(
    occurrence: Omit<EventOccurrence, 'id'>,
    now: number,
    settings: RuleSettings,
  ): Candidate | undefined;
}

export interface PodCreatedRule {
  readonly kind: 'pod-created';
  readonly name: RuleName;
  onCreated(pod: PodSnapshot, createdAt: number, now: number, settings: RuleSettings): Candidate | undefined;
}

export type Rule = LevelRule | CrashRule | OccurrenceRule | PodCreatedRule;

/** Labels describing a pod (and its workload, node). */
export function podLabels(pod: PodSnapshot): Record<string, string> {
  const labels: Record<string, string> = { namespace: pod.namespace, pod: pod.name };
  if (pod.node) labels.node = pod.node;
  if (pod.workload) {
    labels.workload_kind = pod.workload.kind;
    labels.workload = pod.workload.name;
  }
  return labels;
}

export function workloadLabels(w: WorkloadSnapshot): Record<string, string> {
  return { namespace: w.namespace, workload_kind: w.kind, workload: w.name };
}

/** Namespace filters shared by every rule. */
export function namespaceAllowed(namespace: string | undefined, settings: RuleSettings): boolean {
  if (namespace === undefined) return true;
  const { include, exclude } = settings.namespaces;
  if (exclude.includes(namespace)) return false;
  return include.length === 0 || include.includes(namespace);
}
