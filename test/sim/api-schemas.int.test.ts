// Everything the simulated API server serves for a playing scenario validates against the
// Kubernetes schemas (kubernetes-models, generated from Kubernetes' OpenAPI): every stored kind
// through its list endpoint, events through both event APIs, scale subresources, and tables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import { RESOURCE_TYPES, groupVersion } from '../../src/sim/resources.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';
import type { ScenarioName } from '../../src/sim/scenarios/index.js';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: Record<string, unknown>) => Validatable;

/** The kubernetes-models class of a served kind: `kubernetes-models/apps/v1/Deployment`. */
async function modelFor(group: string, version: string, kind: string): Promise<ModelClass> {
  const path =
    group === '' ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`;
  const mod = (await import(path)) as Record<string, ModelClass>;
  return mod[kind]!;
}

// `big` is left out: its size is measured by its own benchmark, not walked here.
const SCENARIOS: ScenarioName[] = [
  'steady',
  'crashloop',
  'oom',
  'imagepull',
  'node-failure',
  'hpa-load',
  'event-storm',
  'mixed',
];

describe.each(SCENARIOS)('objects served for the %s scenario', (scenario) => {
  let clock: ManualClock;
  let cluster: SimCluster;
  let server: SimServer;

  beforeAll(async () => {
    clock = new ManualClock(Date.now());
    cluster = new SimCluster({ scenario, seed: 3, clock });
    await cluster.start();
    clock.advance(5 * 60_000);
    server = await startSimServer({ store: cluster.store, logs: cluster.logs, metrics: cluster.metrics });
  });

  afterAll(async () => {
    await server?.close();
    await cluster?.stop();
  });

  it('validates every object of every kind against its Kubernetes schema', async () => {
    let checked = 0;
    for (const type of RESOURCE_TYPES.filter((t) => !t.virtual)) {
      const prefix = type.group ? `/apis/${groupVersion(type)}` : '/api/v1';
      const res = await fetch(`${server.url}${prefix}/${type.plural}`);
      expect(res.status, type.plural).toBe(200);
      const list = (await res.json()) as { kind: string; items: Array<Record<string, unknown>> };
      expect(list.kind).toBe(type.listKind);
      const Model = await modelFor(type.group, type.version, type.kind);
      for (const item of list.items) {
        const object = { apiVersion: groupVersion(type), kind: type.kind, ...item };
        const name = `${type.kind} ${String((item.metadata as { namespace?: string }).namespace ?? '')}/${String((item.metadata as { name: string }).name)}`;
        expect(() => new Model(object).validate(), name).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('serves tables for every kind whose rows match its column definitions', async () => {
    for (const type of RESOURCE_TYPES.filter((t) => !t.virtual)) {
      const prefix = type.group ? `/apis/${groupVersion(type)}` : '/api/v1';
      const res = await fetch(`${server.url}${prefix}/${type.plural}`, {
        headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
      });
      const table = (await res.json()) as {
        kind: string;
        columnDefinitions: unknown[];
        rows: Array<{ cells: unknown[] }>;
      };
      expect(table.kind).toBe('Table');
      for (const row of table.rows)
        expect(row.cells, type.plural).toHaveLength(table.columnDefinitions.length);
    }
  });
});
