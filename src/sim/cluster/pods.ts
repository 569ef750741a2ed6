// Pod arithmetic shared by the scheduler, kubelet and workload controllers: pods from
// templates, the resources a pod requests, its QoS class, and the tolerations and affinity
// rules that decide where it may run.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { INodeSelectorTerm } from 'kubernetes-models/v1/NodeSelectorTerm';
import type { ITaint } from 'kubernetes-models/v1/Taint';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { KubeObject } from '../object-store.js';
import type { IPodSpec, IPodTemplateSpec, NodeObject, OwnerReference, PodObject } from './kinds.js';
import { bytes, milliCpu } from './quantity.js';

export interface Resources {
  cpu: number; // millicores
  memory: number; // bytes
}

function containerRequests(c: IContainer): Resources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  // A limit without a request means request = limit (API server defaulting).
  return {
    cpu: milliCpu(req.cpu ?? lim.cpu),
    memory: bytes(req.memory ?? lim.memory),
  };
}

/** What the scheduler charges a pod: sum of app containers, or the largest init container if bigger. */
export function podRequests(spec: IPodSpec): Resources {
  const sum: Resources = { cpu: 0, memory: 0 };
  for (const c of spec.containers) {
    const r = containerRequests(c);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  for (const c of spec.initContainers ?? []) {
    const r = containerRequests(c);
    sum.cpu = Math.max(sum.cpu, r.cpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  const overhead = spec.overhead ?? {};
  sum.cpu += milliCpu(overhead.cpu);
  sum.memory += bytes(overhead.memory);
  return sum;
}

export function containerLimits(c: IContainer): Partial<Resources> {
  const lim = c.resources?.limits ?? {};
  return {
    ...(lim.cpu !== undefined ? { cpu: milliCpu(lim.cpu) } : {}),
    ...(lim.memory !== undefined ? { memory: bytes(lim.memory) } : {}),
  };
}

export function containerRequest(c: IContainer): Resources {
  return containerRequests(c);
}

/** Guaranteed, Burstable or BestEffort, by Kubernetes' rules. */
export function qosClass(spec: IPodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...(spec.initContainers ?? []), ...spec.containers];
  let any = false;
  let guaranteed = true;
  for (const c of all) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    for (const name of ['cpu', 'memory'] as const) {
      const r = req[name] ?? lim[name];
      const l = lim[name];
      if (r !== undefined || l !== undefined) any = true;
      if (l === undefined || r === undefined) guaranteed = false;
      else if (name === 'cpu' ? milliCpu(r) !== milliCpu(l) : bytes(r) !== bytes(l)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

export interface PodFromTemplateOptions {
  readonly namespace: string;
  readonly owner?: OwnerReference;
  /** Exact name (StatefulSet) or a generateName prefix (everything else). */
  readonly name?: string;
  readonly generateName?: string;
  readonly extraLabels?: Record<string, string>;
  readonly mutateSpec?: (spec: IPodSpec) => void;
}

/** A new pod from a workload's template, as the workload controllers create them. */
export function podFromTemplate(template: IPodTemplateSpec, options: PodFromTemplateOptions): KubeObject {
  const spec = structuredClone(template.spec ?? { containers: [] });
  options.mutateSpec?.(spec);
  const meta = template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...(options.name ? { name: options.name } : { generateName: options.generateName ?? '' }),
      namespace: options.namespace,
      labels: { ...(meta.labels ?? {}), ...(options.extraLabels ?? {}) },
      ...(meta.annotations && Object.keys(meta.annotations).length > 0
        ? { annotations: { ...meta.annotations } }
        : {}),
      ...(options.owner ? { ownerReferences: [options.owner] } : {}),
    },
    spec,
  };
}

/** Whether one toleration tolerates one taint (Kubernetes' ToleratesTaint). */
export function tolerates(t: IToleration, taint: ITaint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.operator === 'Exists') return !t.key || t.key === taint.key;
  return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint of the node the pod does not tolerate. */
export function untoleratedTaint(
  tolerations: readonly IToleration[] | undefined,
  taints: readonly ITaint[] | undefined,
  effects: readonly string[] = ['NoSchedule', 'NoExecute'],
): ITaint | undefined {
  return (taints ?? []).find(
    (taint) => effects.includes(taint.effect) && !(tolerations ?? []).some((t) => tolerates(t, taint)),
  );
}

function matchExpression(actual: string | undefined, expr: { operator: string; values?: string[] }): boolean {
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
      return actual !== undefined && values.includes(actual);
    case 'NotIn':
      return actual === undefined || !values.includes(actual);
    case 'Exists':
      return actual !== undefined;
    case 'DoesNotExist':
      return actual === undefined;
    case 'Gt':
      return actual !== undefined && Number(actual) > Number(values[0]);
    case 'Lt':
      return actual !== undefined && Number(actual) < Number(values[0]);
    default:
      return false;
  }
}

function termMatches(term: INodeSelectorTerm, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const okLabels = (term.matchExpressions ?? []).every((e) => matchExpression(labels[e.key], e));
  const okFields = (term.matchFields ?? []).every((e) =>
    matchExpression(e.key === 'metadata.name' ? node.metadata.name : undefined, e),
  );
  const empty = (term.matchExpressions ?? []).length === 0 && (term.matchFields ?? []).length === 0;
  return !empty && okLabels && okFields;
}

/** nodeSelector and required node affinity (what the NodeAffinity filter checks). */
export function matchesNodeSelection(spec: IPodSpec, node: NodeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required && required.nodeSelectorTerms.length > 0) {
    return required.nodeSelectorTerms.some((term) => termMatches(term, node));
  }
  return true;
}

/** The node a DaemonSet pod is pinned to through its matchFields affinity. */
export function pinnedNode(pod: PodObject): string | undefined {
  const terms =
    pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) {
      if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
    }
  }
  return undefined;
}
