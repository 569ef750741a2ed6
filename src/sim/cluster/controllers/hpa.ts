// The horizontal pod autoscaler (autoscaling/v2) with Kubernetes' algorithm: every 15 s it
// reads pod CPU/memory from the metrics API, computes the usage ratio against the target with
// the 0.1 tolerance and the missing/unready pod rules, stabilises scale-down over 5 minutes,
// limits the rate (up: max(100%, 4 pods) per 15 s; down: 100% per 15 s), clamps to min/max,
// scales the target, and reports currentMetrics, desiredReplicas and the AbleToScale /
// ScalingActive / ScalingLimited conditions with SuccessfulRescale events.
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec';
import type { IMetricStatus } from 'kubernetes-models/autoscaling/v2/MetricStatus';
import type { KubeObject } from '../../object-store.js';
import { resourceForKind, resourceKey } from '../../resources.js';
import { matchesLabels, selectorFromObject } from '../../selectors.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  isPodReady,
  keyOf,
  setCondition,
  splitKey,
  type Condition,
  type HpaObject,
  type PodObject,
} from '../kinds.js';
import { containerRequest } from '../pods.js';
import { bytes, formatKi, formatMilliCpu, milliCpu } from '../quantity.js';
import type { UsageModel } from '../usage.js';

const SYNC_MS = 15_000;
const TOLERANCE = 0.1;
const DOWN_WINDOW_MS = 300_000;
const RATE_PERIOD_MS = 15_000;

interface Recommendation {
  readonly at: number;
  readonly replicas: number;
}

interface MetricResult {
  readonly replicas: number;
  readonly status: IMetricStatus;
  readonly description: string;
}

type Scalable = { spec: { replicas?: number; selector?: { matchLabels?: Record<string, string> } } };

export class HpaController {
  readonly #ctx: SimContext;
  readonly #usage: UsageModel;
  readonly #events: EventRecorder;
  readonly #recommendations = new Map<string, Recommendation[]>();
  readonly #scaleEvents = new Map<string, Array<{ at: number; delta: number }>>();

  constructor(ctx: SimContext, usage: UsageModel) {
    this.#ctx = ctx;
    this.#usage = usage;
    this.#events = ctx.recorder({ component: 'horizontal-pod-autoscaler' });
    ctx.cache.on('autoscaling/horizontalpodautoscalers', (e) => {
      if (e.type === 'DELETED') {
        this.#recommendations.delete(keyOf(e.object));
        this.#scaleEvents.delete(keyOf(e.object));
      }
    });
  }

  start(): void {
    this.#ctx.timers.every(this.#ctx.scaled(SYNC_MS), () => {
      for (const hpa of this.#ctx.cache.list<HpaObject>('autoscaling/horizontalpodautoscalers')) {
        try {
          this.sync(keyOf(hpa));
        } catch (error) {
          this.#ctx.log.warn({ hpa: keyOf(hpa), err: error }, 'autoscaler sync failed');
        }
      }
    });
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? 'default';
    const hpa = this.#ctx.cache.get<HpaObject>('autoscaling/horizontalpodautoscalers', ns, name);
    if (!hpa || hpa.metadata.deletionTimestamp) return;
    const now = this.#ctx.now();
    const nowText = this.#ctx.nowText();
    const ref = hpa.spec.scaleTargetRef;
    const type = resourceForKind(ref.apiVersion ?? 'apps/v1', ref.kind);
    const target = type
      ? this.#ctx.cache.get<KubeObjectWith<Scalable>>(resourceKey(type), ns, ref.name)
      : undefined;
    let conditions = ((hpa.status?.conditions ?? []) as Condition[]).map((c) => ({ ...c }));
    const set = (c: Condition): void => {
      conditions = setCondition(conditions, c, nowText);
    };
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    if (!type || !target) {
      const what = type ? `${type.plural}${type.group ? `.${type.group}` : ''}` : ref.kind.toLowerCase();
      const message = `the HPA controller was unable to get the target's current scale: ${what} "${ref.name}" not found`;
      set({ type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message });
      this.#events.event(refTo(hpa), 'Warning', 'FailedGetScale', `${what} "${ref.name}" not found`);
      this.#writeStatus(hpa, {
        ...(hpa.status ?? {}),
        currentReplicas: hpa.status?.currentReplicas ?? 0,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        conditions,
      });
      return;
    }
    const currentReplicas = target.spec.replicas ?? 1;
    set({
      type: 'AbleToScale',
      status: 'True',
      reason: 'SucceededGetScale',
      message: "the HPA controller was able to get the target's current scale",
    });
    if (currentReplicas === 0 && minReplicas !== 0) {
      set({
        type: 'ScalingActive',
        status: 'False',
        reason: 'ScalingDisabled',
        message: 'scaling is disabled since the replica count of the target is zero',
      });
      this.#writeStatus(hpa, { ...(hpa.status ?? {}), currentReplicas, desiredReplicas: 0, conditions });
      return;
    }
    const selector = selectorFromObject(target.spec.selector);
    const pods = this.#ctx.cache
      .list<PodObject>('pods', ns)
      .filter((p) => matchesLabels(selector, p.metadata.labels));
    const specs: IMetricSpec[] = hpa.spec.metrics ?? [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
    const results: MetricResult[] = [];
    const metricsByPod = this.#podMetrics(ns);
    let failure: { reason: string; message: string } | undefined;
    for (const spec of specs) {
      const r = this.#resourceReplicas(spec, pods, metricsByPod, currentReplicas);
      if ('error' in r) failure ??= r.error;
      else results.push(r);
    }
    if (results.length === 0) {
      const f = failure ?? { reason: 'FailedGetResourceMetric', message: 'no metrics configured' };
      set({
        type: 'ScalingActive',
        status: 'False',
        reason: f.reason,
        message: `the HPA was unable to compute the replica count: ${f.message}`,
      });
      this.#events.event(refTo(hpa), 'Warning', f.reason, f.message);
      this.#events.event(
        refTo(hpa),
        'Warning',
        'FailedComputeMetricsReplicas',
        `invalid metrics (${specs.length} invalid out of ${specs.length}), first error is: ${f.message}`,
      );
      this.#writeStatus(hpa, {
        ...(hpa.status ?? {}),
        currentReplicas,
        desiredReplicas: hpa.status?.desiredReplicas ?? currentReplicas,
        conditions,
      });
      return;
    }
    const best = results.reduce((a, b) => (b.replicas > a.replicas ? b : a));
    set({
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
      message: `the HPA was able to successfully calculate a replica count from ${best.description}`,
    });

    // Stabilisation: scale down only to the highest recommendation of the last 5 minutes.
    const recs = (this.#recommendations.get(key) ?? []).filter(
      (r) =>
        now - r.at <=
        this.#ctx.scaled(
          hpa.spec.behavior?.scaleDown?.stabilizationWindowSeconds !== undefined
            ? hpa.spec.behavior.scaleDown.stabilizationWindowSeconds * 1000
            : DOWN_WINDOW_MS,
        ),
    );
    recs.push({ at: now, replicas: best.replicas });
    this.#recommendations.set(key, recs);
    const downRecommendation = Math.max(...recs.map((r) => r.replicas));
    let stabilized = currentReplicas;
    if (best.replicas > currentReplicas) stabilized = best.replicas;
    else if (downRecommendation < currentReplicas) stabilized = downRecommendation;
    const stabilizedDown = best.replicas < currentReplicas && stabilized > best.replicas;

    // Rate limits, then min/max.
    const events = (this.#scaleEvents.get(key) ?? []).filter(
      (e) => now - e.at < this.#ctx.scaled(RATE_PERIOD_MS),
    );
    const addedRecently = events.filter((e) => e.delta > 0).reduce((s, e) => s + e.delta, 0);
    const base = currentReplicas - addedRecently;
    // Default policies: up by max(100%, 4 pods) per 15 s; down by 100% per 15 s (no floor but minReplicas).
    const upLimit = Math.max(base * 2, base + 4);
    let desired = stabilized;
    let limited: Condition = {
      type: 'ScalingLimited',
      status: 'False',
      reason: 'DesiredWithinRange',
      message: 'the desired count is within the acceptable range',
    };
    if (desired > upLimit) {
      desired = upLimit;
      limited = {
        type: 'ScalingLimited',
        status: 'True',
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      };
    }
    if (desired > maxReplicas) {
      desired = maxReplicas;
      limited = {
        type: 'ScalingLimited',
        status: 'True',
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      };
    } else if (desired < minReplicas) {
      desired = minReplicas;
      limited = {
        type: 'ScalingLimited',
        status: 'True',
        reason: 'TooFewReplicas',
        message: 'the desired replica count is less than the minimum replica count',
      };
    }
    set(limited);

    let lastScaleTime = hpa.status?.lastScaleTime;
    if (desired !== currentReplicas) {
      this.#ctx.store.mutate(resourceKey(type), ns, ref.name, (obj) => {
        (obj as KubeObjectWith<Scalable>).spec.replicas = desired;
      });
      events.push({ at: now, delta: desired - currentReplicas });
      const reason =
        desired > currentReplicas ? `${best.description} above target` : 'All metrics below target';
      this.#events.event(
        refTo(hpa),
        'Normal',
        'SuccessfulRescale',
        `New size: ${desired}; reason: ${reason}`,
      );
      set({
        type: 'AbleToScale',
        status: 'True',
        reason: 'SucceededRescale',
        message: `the HPA controller was able to update the target scale to ${desired}`,
      });
      lastScaleTime = nowText;
    } else if (stabilizedDown) {
      set({
        type: 'AbleToScale',
        status: 'True',
        reason: 'ScaleDownStabilized',
        message:
          'recent recommendations were higher than current one, applying the highest recent recommendation',
      });
    } else {
      set({
        type: 'AbleToScale',
        status: 'True',
        reason: 'ReadyForNewScale',
        message: 'recommended size matches current size',
      });
    }
    this.#scaleEvents.set(key, events);
    const order = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];
    conditions.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    this.#writeStatus(hpa, {
      observedGeneration: hpa.metadata.generation ?? 1,
      ...(lastScaleTime ? { lastScaleTime } : {}),
      currentReplicas,
      desiredReplicas: desired,
      currentMetrics: results.map((r) => r.status),
      conditions,
    });
  }

  /** Pod → container usages, read from the metrics API as the real controller does. */
  #podMetrics(namespace: string): Map<string, Map<string, { cpu: number; memory: number }>> {
    const out = new Map<string, Map<string, { cpu: number; memory: number }>>();
    for (const m of this.#usage.podMetrics(namespace)) {
      const containers = new Map<string, { cpu: number; memory: number }>();
      for (const c of (m.containers as Array<{ name: string; usage: { cpu: string; memory: string } }>) ??
        []) {
        containers.set(c.name, { cpu: milliCpu(c.usage.cpu), memory: bytes(c.usage.memory) });
      }
      out.set(m.metadata.name ?? '', containers);
    }
    return out;
  }

  #resourceReplicas(
    spec: IMetricSpec,
    pods: PodObject[],
    metrics: Map<string, Map<string, { cpu: number; memory: number }>>,
    currentReplicas: number,
  ): MetricResult | { error: { reason: string; message: string } } {
    const resource = spec.resource ?? spec.containerResource;
    if ((spec.type !== 'Resource' && spec.type !== 'ContainerResource') || !resource) {
      return {
        error: {
          reason: 'FailedGetExternalMetric',
          message: `metrics of type ${spec.type} are not served by this cluster`,
        },
      };
    }
    const resName = resource.name as 'cpu' | 'memory';
    const container = spec.containerResource?.container;
    const description =
      resource.target.type === 'Utilization'
        ? `${resName} resource utilization (percentage of request)`
        : `${resName} resource`;
    const usageOf = (podName: string): number | undefined => {
      const m = metrics.get(podName);
      if (!m) return undefined;
      let total = 0;
      for (const [name, u] of m)
        if (!container || name === container) total += resName === 'cpu' ? u.cpu : u.memory;
      return total;
    };
    const requestOf = (pod: PodObject): number | { missing: string } => {
      let total = 0;
      for (const c of pod.spec.containers) {
        if (container && c.name !== container) continue;
        const r = containerRequest(c);
        const v = resName === 'cpu' ? r.cpu : r.memory;
        if (v <= 0) return { missing: c.name };
        total += v;
      }
      return total;
    };
    const ready = new Map<string, number>();
    const requests = new Map<string, number>();
    const unready: string[] = [];
    const missing: string[] = [];
    for (const pod of pods) {
      const podName = pod.metadata.name ?? '';
      if (
        pod.metadata.deletionTimestamp ||
        pod.status?.phase === 'Failed' ||
        pod.status?.phase === 'Succeeded'
      )
        continue;
      const req = requestOf(pod);
      if (typeof req !== 'number') {
        return {
          error: {
            reason: 'FailedGetResourceMetric',
            message: `failed to get ${resName} utilization: missing request for ${resName} in container ${req.missing} of Pod ${podName}`,
          },
        };
      }
      requests.set(podName, req);
      if (pod.status?.phase === 'Pending') {
        unready.push(podName);
        continue;
      }
      const usage = usageOf(podName);
      if (usage === undefined) {
        missing.push(podName);
        continue;
      }
      if (resName === 'cpu' && !isPodReady(pod)) {
        unready.push(podName);
        continue;
      }
      ready.set(podName, usage);
    }
    if (ready.size === 0) {
      return {
        error: {
          reason: 'FailedGetResourceMetric',
          message: `failed to get ${resName} utilization: unable to get metrics for resource ${resName}: no metrics returned from resource metrics API`,
        },
      };
    }
    const sum = (names: Iterable<string>, f: (n: string) => number): number => {
      let s = 0;
      for (const n of names) s += f(n);
      return s;
    };
    const usageTotal = sum(ready.keys(), (n) => ready.get(n)!);
    const requestTotal = sum(ready.keys(), (n) => requests.get(n)!);
    const target = resource.target;
    let ratio: number;
    let status: IMetricStatus;
    const averageValue = usageTotal / ready.size;
    const formatted = resName === 'cpu' ? formatMilliCpu(averageValue) : formatKi(averageValue);
    if (target.type === 'Utilization') {
      const utilization = (usageTotal * 100) / requestTotal;
      ratio = utilization / (target.averageUtilization ?? 80);
      status = {
        type: spec.type,
        [spec.type === 'Resource' ? 'resource' : 'containerResource']: {
          name: resName,
          ...(container ? { container } : {}),
          current: { averageUtilization: Math.floor(utilization), averageValue: formatted },
        },
      };
    } else {
      const targetValue = resName === 'cpu' ? milliCpu(target.averageValue) : bytes(target.averageValue);
      ratio = averageValue / Math.max(1e-9, targetValue);
      status = {
        type: spec.type,
        [spec.type === 'Resource' ? 'resource' : 'containerResource']: {
          name: resName,
          ...(container ? { container } : {}),
          current: { averageValue: formatted },
        },
      };
    }
    const scaleUpWithUnready = unready.length > 0 && ratio > 1;
    if (!scaleUpWithUnready && missing.length === 0) {
      if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, status, description };
      return { replicas: Math.ceil(ratio * ready.size), status, description };
    }
    // Missing pods count as 100% of their request when scaling down, 0 when scaling up;
    // unready pods count as 0 when scaling up.
    const perPodTarget = target.type === 'Utilization' ? (target.averageUtilization ?? 80) / 100 : 0;
    let num = usageTotal;
    let den = target.type === 'Utilization' ? requestTotal : ready.size;
    for (const n of missing) {
      if (ratio < 1) num += target.type === 'Utilization' ? requests.get(n)! : averageValue;
      den += target.type === 'Utilization' ? requests.get(n)! : 1;
    }
    if (scaleUpWithUnready)
      for (const n of unready) den += target.type === 'Utilization' ? requests.get(n)! : 1;
    const newRatio =
      target.type === 'Utilization'
        ? num / den / perPodTarget
        : num /
          den /
          Math.max(1e-9, resName === 'cpu' ? milliCpu(target.averageValue) : bytes(target.averageValue));
    const count = ready.size + missing.length + (scaleUpWithUnready ? unready.length : 0);
    if (Math.abs(1 - newRatio) <= TOLERANCE || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
      return { replicas: currentReplicas, status, description };
    }
    const replicas = Math.ceil(newRatio * count);
    if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) {
      return { replicas: currentReplicas, status, description };
    }
    return { replicas, status, description };
  }

  #writeStatus(hpa: HpaObject, status: Record<string, unknown>): void {
    if (JSON.stringify(status) === JSON.stringify(hpa.status ?? {})) return;
    this.#ctx.store.mutate(
      'autoscaling/horizontalpodautoscalers',
      hpa.metadata.namespace,
      hpa.metadata.name ?? '',
      (obj) => {
        (obj as HpaObject).status = status as unknown as HpaObject['status'];
      },
      { subresource: 'status' },
    );
  }
}

type KubeObjectWith<T> = KubeObject & T;
