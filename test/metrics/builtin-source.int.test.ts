// The built-in source against the simulator: Lookout's real watch pipeline and metrics poller
// sample a simulated cluster on a manual clock into SQLite and PostgreSQL, and every catalog
// query answers exactly what the simulator served at the sampled instants (computed here from
// its wire objects: metrics.k8s.io usage, node capacity and allocatable, pod specs and phases).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ABNORMAL_PHASES,
  ABNORMAL_WAITING_REASONS,
  type Cell,
  type QueryName,
  type SeriesResult,
  type TableResult,
  type TimeRange,
} from '../../src/domain/query.js';
import { QueryError } from '../../src/metrics/query-error.js';
import type { Store } from '../../src/store/index.js';
import { STORE_TARGETS } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness, type Served } from './builtin-harness.js';

const dir = tempDir('lookout-builtin-');
afterAll(() => dir.remove());

const TICKS = 4;

/** Expected value per legend name at one tick. */
type Expect = (s: Served) => Map<string, number>;

const activePhases = new Set(['Pending', 'Running']);

const expectations: Partial<Record<QueryName, Expect>> = {
  'node-memory': (s) =>
    new Map(
      [...s.nodes.values()]
        .filter((n) => n.memory !== undefined)
        .map((n) => [n.name, (100 * (n.capacity.memory - n.memory!)) / n.capacity.memory]),
    ),
  'node-cpu': (s) =>
    new Map(
      [...s.nodes.values()]
        .filter((n) => n.cpu !== undefined)
        .map((n) => [n.name, (100 * n.cpu!) / n.capacity.cpu]),
    ),
  'node-memory-requests': (s) =>
    new Map(
      [...s.nodes.values()].map((n) => {
        let requested = 0;
        for (const p of s.pods)
          if (p.node === n.name && activePhases.has(p.phase))
            for (const c of p.containers) requested += c.requests.memory ?? 0;
        return [n.name, (100 * requested) / n.allocatable.memory];
      }),
    ),
  'cluster-cpu': (s) => {
    let used = 0;
    for (const p of s.pods) for (const c of p.containers) used += c.cpu ?? 0;
    let allocatable = 0;
    for (const n of s.nodes.values()) allocatable += n.allocatable.cpu;
    return new Map([[CLUSTER, (100 * used) / allocatable]]);
  },
  'container-memory': (s) => containerPercent(s, 'memory'),
  'container-cpu': (s) => containerPercent(s, 'cpu'),
  'pods-running': (s) => countBy(s, (p) => p.phase === 'Running'),
};

function severalNamespaces(s: Served): boolean {
  return new Set(s.pods.filter((p) => p.sampled).map((p) => p.namespace)).size > 1;
}

function containerPercent(s: Served, resource: 'cpu' | 'memory'): Map<string, number> {
  const out = new Map<string, number>();
  const prefix = severalNamespaces(s);
  for (const p of s.pods) {
    if (!p.sampled) continue;
    for (const c of p.containers) {
      const used = c[resource];
      const limit = c.limits[resource];
      if (used === undefined || !limit) continue;
      out.set(`${prefix ? `${p.namespace}/` : ''}${p.name}/${c.name}`, (100 * used) / limit);
    }
  }
  return out;
}

function isAbnormal(p: Served['pods'][number]): boolean {
  return ABNORMAL_PHASES.includes(p.phase) || p.waiting.some((r) => ABNORMAL_WAITING_REASONS.includes(r));
}

function countBy(s: Served, test: (p: Served['pods'][number]) => boolean): Map<string, number> {
  const out = new Map<string, number>();
  for (const p of s.pods) out.set(p.namespace, (out.get(p.namespace) ?? 0) + (test(p) ? 1 : 0));
  return out;
}

describe.each(STORE_TARGETS)('built-in source on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;
  let h: Harness;
  const ticks: Served[] = [];
  let range: TimeRange;

  beforeAll(async () => {
    const db = await target.create();
    store = db.open();
    cleanup = () => db.cleanup();
    h = await startHarness({ scenario: 'imagepull', store, dir: dir.path });
    // CPU limits (the scenario has none), and a pod whose sidecar has no limit at all.
    h.sim.kit.deployment({
      namespace: 'shop',
      name: 'capped',
      replicas: 2,
      containers: [
        {
          name: 'app',
          image: 'ghcr.io/acme/api:3.2.1',
          cpu: '100m',
          limitCpu: '250m',
          memory: '64Mi',
          limitMemory: '128Mi',
        },
        { name: 'proxy', image: 'docker.io/library/nginx:1.27.3', cpu: '10m' },
      ],
    });
    // Let the scenario's broken rollout and waiting pods happen first.
    await h.step(60_000);
    for (let i = 0; i < TICKS; i++) ticks.push((await h.step(INTERVAL_MS)).served);
    range = { start: ticks[0]!.at, end: ticks.at(-1)!.at, stepMs: INTERVAL_MS };
  }, 120_000);

  afterAll(async () => {
    await h?.close();
    await store?.close();
    await cleanup?.();
  });

  const series = async (name: QueryName, namespaces?: string[]): Promise<SeriesResult> => {
    const result = await h.source.run(name, { cluster: CLUSTER, range, namespaces });
    expect(result.kind).toBe('series');
    return result as SeriesResult;
  };

  const table = async (name: QueryName, namespaces?: string[]): Promise<TableResult> => {
    const result = await h.source.run(name, { cluster: CLUSTER, range: 'now', namespaces });
    expect(result.kind).toBe('table');
    return result as TableResult;
  };

  for (const name of Object.keys(expectations) as QueryName[]) {
    it(`${name}: every point is exactly what the simulator served at that tick`, async () => {
      const result = await series(name);
      const expected = ticks.map((s) => expectations[name]!(s));
      const names = [...new Set(expected.flatMap((m) => [...m.keys()]))].sort((a, b) => a.localeCompare(b));
      expect(names.length).toBeGreaterThan(0);
      expect(result.series.map((s) => s.name)).toEqual(names);
      for (const s of result.series) {
        expect(s.points.map(([t]) => t)).toEqual(ticks.map((t) => t.at));
        expect(s.points.map(([, v]) => v)).toEqual(expected.map((m) => m.get(s.name) ?? null));
      }
    });
  }

  it('pods-abnormal: counts the pods waiting on image pulls and the missing secret, per namespace', async () => {
    const result = await series('pods-abnormal');
    const expected = ticks.map((s) => countBy(s, isAbnormal));
    const namespaces = [
      ...new Set(expected.flatMap((m) => [...m].filter(([, n]) => n > 0).map(([ns]) => ns))),
    ];
    expect(namespaces).toContain('shop');
    expect(result.series.map((s) => s.name)).toEqual(namespaces.sort());
    for (const s of result.series)
      expect(s.points.map(([, v]) => v)).toEqual(expected.map((m) => m.get(s.name) ?? 0));
  });

  it('container-memory lists containers without a memory limit instead of dividing by zero', async () => {
    const result = await series('container-memory');
    const several = severalNamespaces(ticks[0]!);
    const expected = new Set<string>();
    for (const s of ticks)
      for (const p of s.pods)
        for (const c of p.containers)
          if (p.sampled && c.memory !== undefined && !c.limits.memory)
            expected.add(`${several ? `${p.namespace}/` : ''}${p.name}/${c.name}`);
    expect(expected.size).toBeGreaterThan(0);
    expect(result.unlimited?.map((u) => u.name)).toEqual([...expected].sort((a, b) => a.localeCompare(b)));
    const drawn = new Set(result.series.map((s) => s.name));
    for (const name of expected) expect(drawn.has(name)).toBe(false);
    for (const s of result.series)
      for (const [, v] of s.points) expect(v === null || Number.isFinite(v)).toBe(true);
  });

  it('narrows namespace-scoped queries to the namespace filter, legends without the namespace', async () => {
    const result = await series('container-cpu', ['shop']);
    const expected = new Map<string, number>();
    const last = ticks.at(-1)!;
    for (const p of last.pods)
      if (p.sampled && p.namespace === 'shop')
        for (const c of p.containers)
          if (c.cpu !== undefined && c.limits.cpu)
            expected.set(`${p.name}/${c.name}`, (100 * c.cpu) / c.limits.cpu);
    expect(expected.size).toBeGreaterThan(0);
    expect(result.series.map((s) => s.name).sort()).toEqual([...expected.keys()].sort());
    for (const s of result.series) {
      expect(s.labels.namespace).toBe('shop');
      expect(s.points.at(-1)?.[1]).toBe(expected.get(s.name));
    }
  });

  it('top-nodes: what kubectl top nodes prints, plus requests and limits as % of allocatable', async () => {
    const result = await table('top-nodes');
    const last = ticks.at(-1)!;
    expect(result.at).toBe(last.at);
    expect(result.rows.map((r) => r.node)).toEqual([...last.nodes.keys()].sort());
    for (const row of result.rows) {
      const n = last.nodes.get(row.node as string)!;
      const sums = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
      for (const p of last.pods)
        if (p.node === n.name && activePhases.has(p.phase))
          for (const c of p.containers) {
            sums.cpuReq += c.requests.cpu ?? 0;
            sums.cpuLim += c.limits.cpu ?? 0;
            sums.memReq += c.requests.memory ?? 0;
            sums.memLim += c.limits.memory ?? 0;
          }
      expect(row).toEqual({
        node: n.name,
        cpu: n.cpu! / 1e9,
        cpu_percent: (100 * n.cpu!) / n.allocatable.cpu,
        memory: n.memory,
        memory_percent: (100 * n.memory!) / n.allocatable.memory,
        cpu_requests_percent: (100 * sums.cpuReq) / n.allocatable.cpu,
        cpu_limits_percent: (100 * sums.cpuLim) / n.allocatable.cpu,
        memory_requests_percent: (100 * sums.memReq) / n.allocatable.memory,
        memory_limits_percent: (100 * sums.memLim) / n.allocatable.memory,
      });
    }
  });

  it('top-pods: usage per pod as kubectl top pods, with % of requests and limits or why there is none', async () => {
    const result = await table('top-pods');
    const last = ticks.at(-1)!;
    const sampled = last.pods.filter((p) => p.sampled);
    expect(result.rows.map((r) => `${r.namespace as string}/${r.pod as string}`)).toEqual(
      sampled.map((p) => `${p.namespace}/${p.name}`).sort((a, b) => a.localeCompare(b)),
    );
    let noLimit = 0;
    for (const p of sampled) {
      const row = result.rows.find((r) => r.namespace === p.namespace && r.pod === p.name)!;
      let cpu = 0;
      let memory = 0;
      let cpuReq = 0;
      let memReq = 0;
      let cpuLim: number | undefined = 0;
      let memLim: number | undefined = 0;
      for (const c of p.containers) {
        cpu += c.cpu ?? 0;
        memory += c.memory ?? 0;
        cpuReq += c.requests.cpu ?? 0;
        memReq += c.requests.memory ?? 0;
        cpuLim = c.limits.cpu && cpuLim !== undefined ? cpuLim + c.limits.cpu : undefined;
        memLim = c.limits.memory && memLim !== undefined ? memLim + c.limits.memory : undefined;
      }
      const of = (v: number, total: number | undefined, absent: 'no-limit' | 'no-request'): Cell =>
        total === undefined || total <= 0 ? { absent } : (100 * v) / total;
      if (memLim === undefined) noLimit++;
      expect(row).toEqual({
        namespace: p.namespace,
        pod: p.name,
        cpu: cpu / 1e9,
        memory,
        cpu_of_request: of(cpu, cpuReq, 'no-request'),
        cpu_of_limit: of(cpu, cpuLim, 'no-limit'),
        memory_of_request: of(memory, memReq, 'no-request'),
        memory_of_limit: of(memory, memLim, 'no-limit'),
      });
    }
    expect(noLimit).toBeGreaterThan(0);
    const shop = await table('top-pods', ['shop']);
    expect(new Set(shop.rows.map((r) => r.namespace))).toEqual(new Set(['shop']));
  });

  it('a table for a past instant answers from the tick before it', async () => {
    const second = ticks[1]!;
    const result = (await h.source.run('top-nodes', {
      cluster: CLUSTER,
      range: { start: second.at - 3600_000, end: second.at + 1000, stepMs: 60_000 },
    })) as TableResult;
    expect(result.at).toBe(second.at);
    const first = result.rows[0]!;
    expect(first.memory).toBe(second.nodes.get(first.node as string)!.memory);
  });

  it('steps shorter than the interval repeat the latest sample; missing data is a gap', async () => {
    const fine: TimeRange = { start: range.start - 60_000, end: range.end, stepMs: 10_000 };
    const result = (await h.source.run('node-cpu', { cluster: CLUSTER, range: fine })) as SeriesResult;
    const node = result.series[0]!;
    const expected = ticks.map(
      (s) => (100 * s.nodes.get(node.name)!.cpu!) / s.nodes.get(node.name)!.capacity.cpu,
    );
    for (const [t, v] of node.points) {
      // The samples before the first tick of this test are from the settling step.
      if (t < ticks[0]!.at) continue;
      const i = Math.floor((t - ticks[0]!.at) / INTERVAL_MS);
      expect(v).toBe(expected[i]);
    }
    const after = (await h.source.run('node-cpu', {
      cluster: CLUSTER,
      range: { start: range.end + 5 * 60_000, end: range.end + 10 * 60_000, stepMs: 60_000 },
    })) as SeriesResult;
    expect(after.series).toEqual([]);
    expect(after.notes?.[0]).toMatch(/no resource samples/);
  });

  it('rejects bad input the way every source does', async () => {
    await expect(h.source.run('nope' as QueryName, { cluster: CLUSTER, range })).rejects.toMatchObject({
      code: 'unknown_query',
    });
    await expect(
      h.source.run('node-cpu', { cluster: CLUSTER, range: { start: 10, end: 5, stepMs: 1 } }),
    ).rejects.toBeInstanceOf(QueryError);
    await expect(h.source.run('node-cpu', { cluster: CLUSTER, range: 'now' })).rejects.toMatchObject({
      code: 'bad_params',
    });
  });
});
