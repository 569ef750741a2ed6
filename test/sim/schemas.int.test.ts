// Every object the simulated cluster writes — each version, as watchers receive it — in every
// scenario validates against the Kubernetes schemas (kubernetes-models, generated from the
// OpenAPI of Kubernetes itself), events in their events.k8s.io view too; metrics.k8s.io objects,
// which those schemas do not cover, are checked field by field.
import * as apps from 'kubernetes-models/apps/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';
import * as batch from 'kubernetes-models/batch/v1';
import * as coordination from 'kubernetes-models/coordination.k8s.io/v1';
import * as eventsV1 from 'kubernetes-models/events.k8s.io/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SCENARIO_NAMES, SimCluster, type ScenarioName } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import { toEventsV1 } from '../../src/sim/server/events-view.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: unknown) => Validatable;

const MODELS = new Map<string, unknown>();
for (const [gv, mod] of [
  ['v1', core],
  ['apps/v1', apps],
  ['batch/v1', batch],
  ['autoscaling/v2', autoscaling],
  ['coordination.k8s.io/v1', coordination],
  ['events.k8s.io/v1', eventsV1],
] as const) {
  for (const [kind, model] of Object.entries(mod)) MODELS.set(`${gv}/${kind}`, model);
}

/** How long each scenario plays (simulated) before the last check: long enough for its story. */
const PLAY_MS: Record<ScenarioName, number> = {
  steady: 5 * 60_000,
  crashloop: 10 * 60_000,
  oom: 10 * 60_000,
  imagepull: 12 * 60_000,
  'node-failure': 14 * 60_000,
  'hpa-load': 10 * 60_000,
  'event-storm': 60_000,
  big: 60_000,
  mixed: 45 * 60_000,
};

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

function problem(obj: KubeObject): string | undefined {
  const Model = MODELS.get(`${obj.apiVersion}/${obj.kind}`) as ModelClass | undefined;
  if (!Model) return `no schema for ${obj.apiVersion}/${obj.kind}`;
  try {
    new Model(obj).validate();
    return undefined;
  } catch (error) {
    return `${obj.kind} ${obj.metadata.namespace ?? ''}/${obj.metadata.name}: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function metricsProblems(c: SimCluster): string[] {
  const out: string[] = [];
  const usageOk = (u: Json): boolean => QUANTITY.test(String(u?.cpu)) && QUANTITY.test(String(u?.memory));
  for (const m of c.metrics.nodeMetrics() as Json[]) {
    if (m.kind !== 'NodeMetrics' || m.apiVersion !== 'metrics.k8s.io/v1beta1')
      out.push(`node metrics type ${m.kind}`);
    if (!c.store.get('nodes', undefined, m.metadata.name))
      out.push(`node metrics for unknown node ${m.metadata.name}`);
    if (!TIME.test(m.timestamp) || !/^\d+(\.\d+)?s$/.test(m.window) || !usageOk(m.usage))
      out.push(`node metrics ${m.metadata.name}: ${JSON.stringify(m)}`);
  }
  for (const m of c.metrics.podMetrics() as Json[]) {
    const pod = c.store.get('pods', m.metadata.namespace, m.metadata.name) as Json;
    if (m.kind !== 'PodMetrics' || m.apiVersion !== 'metrics.k8s.io/v1beta1')
      out.push(`pod metrics type ${m.kind}`);
    if (!pod) out.push(`pod metrics for unknown pod ${m.metadata.namespace}/${m.metadata.name}`);
    if (
      !TIME.test(m.timestamp) ||
      !/^\d+(\.\d+)?s$/.test(m.window) ||
      !Array.isArray(m.containers) ||
      m.containers.length === 0
    ) {
      out.push(`pod metrics ${m.metadata.name}: ${JSON.stringify(m)}`);
      continue;
    }
    const names = new Set(
      [...(pod?.spec.containers ?? []), ...(pod?.spec.initContainers ?? [])].map((x: Json) => x.name),
    );
    for (const container of m.containers) {
      if (!names.has(container.name) || !usageOk(container.usage))
        out.push(`pod metrics ${m.metadata.name}/${container.name}: ${JSON.stringify(container)}`);
    }
  }
  return out;
}

describe('schemas of everything the simulated cluster serves', () => {
  const kindsSeen = new Set<string>();

  it.each(SCENARIO_NAMES)(
    '%s: every object version validates against the Kubernetes schemas',
    async (scenario) => {
      const clock = new ManualClock();
      const c = new SimCluster({ scenario, clock });
      const problems = new Map<string, number>();
      const note = (p: string | undefined): void => {
        if (p) problems.set(p, (problems.get(p) ?? 0) + 1);
      };
      let checked = 0;
      c.store.onChange((e) => {
        if (e.type === 'DELETED') return;
        checked++;
        kindsSeen.add(`${e.object.apiVersion}/${e.object.kind}`);
        note(problem(e.object));
        if (e.object.kind === 'Event') note(problem(toEventsV1(e.object)));
      });
      await c.start();
      const t0 = clock.now();
      for (const at of [0.1, 0.5, 1]) {
        clock.advanceTo(t0 + PLAY_MS[scenario] * at);
        for (const p of metricsProblems(c)) note(p);
      }
      expect([...problems].slice(0, 10)).toEqual([]);
      expect(checked).toBeGreaterThan(50);
      // No controller, kubelet or scenario step threw on the way.
      expect(c.stats().failures).toBe(0);
      await c.stop();
    },
    120_000,
  );

  it('walked every kind the scenarios create', () => {
    expect([...kindsSeen].sort()).toEqual(
      [
        'apps/v1/DaemonSet',
        'apps/v1/Deployment',
        'apps/v1/ReplicaSet',
        'apps/v1/StatefulSet',
        'autoscaling/v2/HorizontalPodAutoscaler',
        'batch/v1/Job',
        'v1/ConfigMap',
        'v1/Endpoints',
        'v1/Event',
        'v1/Namespace',
        'v1/Node',
        'v1/PersistentVolumeClaim',
        'v1/Pod',
        'v1/Service',
      ].sort(),
    );
  });
});
