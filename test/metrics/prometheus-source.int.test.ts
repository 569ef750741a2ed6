// Every catalog query against real Prometheus (Debian's) scraping real node-exporter and a
// fixture exporter of kube-state-metrics/cAdvisor series: the numbers that come back are the
// numbers the fixture served, or, for the host's own memory and CPU, what the raw series say.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Cell, QueryParams, SeriesResult, TableResult, TimeRange } from '../../src/domain/query.js';
import { PrometheusClient } from '../../src/metrics/prometheus/prometheus-client.js';
import { PrometheusSource } from '../../src/metrics/prometheus/prometheus-source.js';
import { QueryError } from '../../src/metrics/query-error.js';
import { startKsmExporter, type FixtureState, type KsmExporter } from '../fixtures/ksm-exporter.js';
import { poll, startRealPrometheus, type RealPrometheus } from './real-prometheus.js';

const Mi = 1024 * 1024;
/**
 * Prometheus scrapes every second; telling the source 2 s makes its rate() windows 8 s, so a
 * scrape delayed on a busy machine still leaves enough samples in every window.
 */
const SCRAPE_MS = 2000;
const Gi = 1024 * Mi;

function fixture(nodename: string, hpaReplicas = 2): FixtureState {
  return {
    nodes: [
      { name: nodename, cpu: 4, memory: 8 * Gi },
      { name: 'node-b', cpu: 2, memory: 4 * Gi },
    ],
    pods: [
      {
        namespace: 'shop',
        name: 'web-1',
        node: nodename,
        phase: 'Running',
        containers: [
          {
            name: 'app',
            requests: { cpu: 0.5, memory: 256 * Mi },
            limits: { cpu: 1, memory: 512 * Mi },
            memoryBytes: 128 * Mi,
            cpuCores: 0.25,
          },
          { name: 'sidecar', requests: { cpu: 0.1, memory: 64 * Mi }, memoryBytes: 32 * Mi, cpuCores: 0.05 },
        ],
      },
      {
        namespace: 'shop',
        name: 'web-2',
        node: 'node-b',
        phase: 'Running',
        containers: [
          {
            name: 'app',
            requests: { cpu: 0.5, memory: 256 * Mi },
            limits: { cpu: 1, memory: 512 * Mi },
            memoryBytes: 384 * Mi,
            cpuCores: 0.5,
          },
        ],
      },
      {
        namespace: 'shop',
        name: 'db-0',
        node: 'node-b',
        phase: 'Pending',
        containers: [
          { name: 'db', requests: { cpu: 1, memory: 1 * Gi }, limits: { cpu: 2, memory: 2 * Gi } },
        ],
      },
      {
        namespace: 'ops',
        name: 'agent-1',
        node: nodename,
        phase: 'Running',
        containers: [
          {
            name: 'agent',
            requests: { cpu: 0.2, memory: 100 * Mi },
            limits: { cpu: 0.4, memory: 200 * Mi },
            memoryBytes: 50 * Mi,
            cpuCores: 0.1,
          },
        ],
      },
      {
        namespace: 'ops',
        name: 'broken-1',
        node: nodename,
        phase: 'Running',
        containers: [
          {
            name: 'crash',
            requests: { memory: 64 * Mi },
            limits: { memory: 128 * Mi },
            waitingReason: 'CrashLoopBackOff',
          },
        ],
      },
      {
        namespace: 'ops',
        name: 'done-1',
        node: nodename,
        phase: 'Succeeded',
        containers: [{ name: 'job', requests: { memory: 1 * Gi } }],
      },
      { namespace: 'ops', name: 'failed-1', node: 'node-b', phase: 'Failed', containers: [{ name: 'job' }] },
    ],
    hpas: [
      {
        namespace: 'shop',
        name: 'web',
        targetKind: 'Deployment',
        targetName: 'web',
        min: 1,
        max: 4,
        current: hpaReplicas,
        desired: hpaReplicas,
        cpuTarget: 50,
        cpuCurrent: 70,
      },
    ],
  };
}

let exporter: KsmExporter;
let prom: RealPrometheus;
let client: PrometheusClient;
let source: PrometheusSource;

beforeAll(async () => {
  exporter = await startKsmExporter(fixture('placeholder'));
  prom = await startRealPrometheus({ fixtureTargets: [`127.0.0.1:${exporter.port}`] });
  exporter.set(fixture(prom.nodename));
  client = new PrometheusClient({ url: prom.url, timeoutMs: 10_000 });
  source = new PrometheusSource({ cluster: 'test', client, scrapeIntervalMs: SCRAPE_MS });
  // Enough samples for every rate() window (8 s) to be full, for node-exporter too.
  await prom.waitFor('node_uname_info');
  await prom.waitFor('container_cpu_usage_seconds_total', 4);
  const samples = async (metric: string): Promise<number> =>
    Number((await prom.query(`min(count_over_time(${metric}[12s]))`))[0]?.value[1] ?? 0);
  await poll(
    async () =>
      (await samples('container_cpu_usage_seconds_total')) >= 10 &&
      (await samples('node_cpu_seconds_total')) >= 10,
    40_000,
    'ten samples of the CPU counters',
  );
}, 90_000);

afterAll(async () => {
  client?.close();
  await prom?.stop();
  await exporter?.close();
});

/** The last five seconds, ending at a whole second now. */
function recent(): TimeRange {
  const end = Math.floor(Date.now() / 1000) * 1000;
  return { start: end - 5000, end, stepMs: 1000 };
}

async function series(
  name: Parameters<PrometheusSource['run']>[0],
  params?: Partial<QueryParams>,
): Promise<SeriesResult> {
  const result = await source.run(name, { cluster: 'test', range: recent(), ...params });
  expect(result.kind).toBe('series');
  return result as SeriesResult;
}

async function table(
  name: Parameters<PrometheusSource['run']>[0],
  params?: Partial<QueryParams>,
): Promise<TableResult> {
  const result = await source.run(name, { cluster: 'test', range: 'now', ...params });
  expect(result.kind).toBe('table');
  return result as TableResult;
}

/** The last value of each series, by legend name. */
function lastValues(result: SeriesResult): Record<string, number | null> {
  return Object.fromEntries(result.series.map((s) => [s.name, s.points.at(-1)?.[1] ?? null]));
}

function rowOf(result: TableResult, key: string, value: string): Record<string, Cell> {
  const row = result.rows.find((r) => r[key] === value);
  expect(row, `row with ${key}=${value}`).toBeDefined();
  return row!;
}

describe('Prometheus source against real Prometheus', () => {
  it('puts every series on the requested time grid, one point per step', async () => {
    const range = recent();
    const result = await series('pods-running', { range });
    for (const s of result.series) {
      expect(s.points.map(([t]) => t)).toEqual([0, 1, 2, 3, 4, 5].map((k) => range.start + k * 1000));
    }
    expect(result.range).toEqual(range);
    expect(result.unit).toBe('count');
  });

  it('node-memory: available % per node equals the raw node-exporter series', async () => {
    const result = await series('node-memory');
    expect(result.series.map((s) => s.name)).toEqual([prom.nodename]);
    expect(result.series[0]!.labels).toEqual({ node: prom.nodename });
    const [t, value] = result.series[0]!.points.at(-1)!;
    const direct = await prom.query('100 * node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes', t);
    expect(value).toBeCloseTo(Number(direct[0]!.value[1]), 9);
    // And plausible against the kernel's own numbers right now.
    const meminfo = readFileSync('/proc/meminfo', 'utf8');
    const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(meminfo)![1]);
    expect(Math.abs(value! - (100 * kb('MemAvailable')) / kb('MemTotal'))).toBeLessThan(10);
  });

  it('node-memory: the node_label convention gives the same answer as the node_uname_info join', async () => {
    const labelled = new PrometheusSource({
      cluster: 'test',
      client,
      scrapeIntervalMs: SCRAPE_MS,
      nodeLabel: 'kubernetes_node',
    });
    const range = recent();
    const a = (await labelled.run('node-memory', { cluster: 'test', range })) as SeriesResult;
    const b = await series('node-memory', { range });
    expect(a.series).toEqual(b.series);
  });

  it('node-cpu: used % per node agrees with the busy modes of the raw CPU counters', async () => {
    const result = await series('node-cpu');
    expect(result.series.map((s) => s.name)).toEqual([prom.nodename]);
    const [t, value] = result.series[0]!.points.at(-1)!;
    expect(value).toBeGreaterThanOrEqual(0);
    expect(value).toBeLessThanOrEqual(100);
    // Summing the busy modes instead of subtracting the idle ones must land on about the same
    // number (the kernel counts in 10 ms ticks, so the modes never add up to exactly 1 s/s).
    const busy = await prom.query(
      '100 * sum(rate(node_cpu_seconds_total{mode!~"idle|iowait|steal"}[8s])) / sum(rate(node_cpu_seconds_total[8s]))',
      t,
    );
    expect(Math.abs(value! - Number(busy[0]!.value[1]))).toBeLessThan(5);
  });

  it('node-memory-requests: active pods\u2019 memory requests as % of allocatable, completed pods left out', async () => {
    const values = lastValues(await series('node-memory-requests'));
    // web-1 (256Mi + 64Mi), agent-1 (100Mi), broken-1 (64Mi) of 8Gi; done-1 (Succeeded) does not count.
    expect(values[prom.nodename]).toBeCloseTo((100 * 484) / 8192, 9);
    // web-2 (256Mi) and the Pending db-0 (1Gi) of 4Gi.
    expect(values['node-b']).toBeCloseTo(31.25, 9);
  });

  it('container-memory: working set as % of limit, and containers without a limit listed apart', async () => {
    const result = await series('container-memory');
    expect(lastValues(result)).toEqual({
      'ops/agent-1/agent': 25,
      'shop/web-1/app': 25,
      'shop/web-2/app': 75,
    });
    expect(result.unlimited).toEqual([
      { name: 'shop/web-1/sidecar', labels: { namespace: 'shop', pod: 'web-1', container: 'sidecar' } },
    ]);
    expect(result.series.find((s) => s.name === 'shop/web-1/app')!.labels).toEqual({
      namespace: 'shop',
      pod: 'web-1',
      container: 'app',
    });
  });

  it('container-memory: a namespace filter narrows the answer and shortens the legend', async () => {
    const result = await series('container-memory', { namespaces: ['shop'] });
    expect(lastValues(result)).toEqual({ 'web-1/app': 25, 'web-2/app': 75 });
    expect(result.unlimited!.map((u) => u.name)).toEqual(['web-1/sidecar']);
  });

  it('container-cpu: CPU use as % of limit from the cAdvisor counter rate', async () => {
    const result = await series('container-cpu');
    const values = lastValues(result);
    expect(Object.keys(values).sort()).toEqual(['ops/agent-1/agent', 'shop/web-1/app', 'shop/web-2/app']);
    expect(values['shop/web-1/app']).toBeCloseTo(25, 6);
    expect(values['shop/web-2/app']).toBeCloseTo(50, 6);
    expect(values['ops/agent-1/agent']).toBeCloseTo(25, 6);
    expect(result.unlimited!.map((u) => u.name)).toEqual(['shop/web-1/sidecar']);
  });

  it('cluster-cpu: all containers\u2019 cores as % of all nodes\u2019 allocatable CPU', async () => {
    const result = await series('cluster-cpu');
    expect(result.series.map((s) => s.name)).toEqual(['test']);
    // (0.25 + 0.05 + 0.5 + 0.1) cores of 6.
    expect(result.series[0]!.points.at(-1)![1]).toBeCloseTo(15, 6);
  });

  it('pods-running and pods-abnormal: counts per namespace, with the namespace filter', async () => {
    expect(lastValues(await series('pods-running'))).toEqual({ ops: 2, shop: 2 });
    // shop: db-0 Pending; ops: broken-1 CrashLoopBackOff while Running, failed-1 Failed.
    expect(lastValues(await series('pods-abnormal'))).toEqual({ ops: 2, shop: 1 });
    expect(lastValues(await series('pods-running', { namespaces: ['ops'] }))).toEqual({ ops: 2 });
  });

  it('top-nodes: usage from node-exporter, requests and limits from kube-state-metrics', async () => {
    const result = await table('top-nodes');
    expect(result.rows.map((r) => r.node)).toEqual(['node-b', prom.nodename].sort());
    const host = rowOf(result, 'node', prom.nodename);
    const at = result.at;
    const cores = Number(
      (
        await prom.query(
          'count(node_cpu_seconds_total{mode="idle"}) - sum(rate(node_cpu_seconds_total{mode=~"idle|iowait|steal"}[8s]))',
          at,
        )
      )[0]!.value[1],
    );
    const used = Number(
      (await prom.query('node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes', at))[0]!.value[1],
    );
    expect(host.cpu).toBeCloseTo(cores, 9);
    expect(host.cpu_percent).toBeCloseTo((100 * cores) / 4, 9);
    expect(host.memory).toBe(used);
    expect(host.memory_percent).toBeCloseTo((100 * used) / (8 * Gi), 9);
    expect(host.cpu_requests_percent).toBeCloseTo(20, 9); // 0.5 + 0.1 + 0.2 of 4
    expect(host.cpu_limits_percent).toBeCloseTo(35, 9); // 1 + 0.4 of 4
    expect(host.memory_requests_percent).toBeCloseTo((100 * 484) / 8192, 9);
    expect(host.memory_limits_percent).toBeCloseTo((100 * 840) / 8192, 9); // 512 + 200 + 128 Mi
    const b = rowOf(result, 'node', 'node-b');
    expect(b.cpu).toBeNull(); // no node-exporter there
    expect(b.cpu_requests_percent).toBeCloseTo(75, 9);
    expect(b.cpu_limits_percent).toBeCloseTo(150, 9);
    expect(b.memory_requests_percent).toBeCloseTo(31.25, 9);
    expect(b.memory_limits_percent).toBeCloseTo(62.5, 9);
  });

  it('top-pods: usage per pod with % of requests and limits; a pod with an unlimited container has no limit', async () => {
    const result = await table('top-pods');
    expect(result.rows.map((r) => `${r.namespace as string}/${r.pod as string}`)).toEqual([
      'ops/agent-1',
      'shop/web-1',
      'shop/web-2',
    ]);
    const web1 = rowOf(result, 'pod', 'web-1');
    expect(web1.cpu).toBeCloseTo(0.3, 9);
    expect(web1.memory).toBe(160 * Mi);
    expect(web1.cpu_of_request).toBeCloseTo(50, 6);
    expect(web1.cpu_of_limit).toEqual({ absent: 'no-limit' });
    expect(web1.memory_of_request).toBeCloseTo(50, 9);
    expect(web1.memory_of_limit).toEqual({ absent: 'no-limit' });
    const web2 = rowOf(result, 'pod', 'web-2');
    expect(web2.cpu_of_request).toBeCloseTo(100, 6);
    expect(web2.cpu_of_limit).toBeCloseTo(50, 6);
    expect(web2.memory_of_request).toBeCloseTo(150, 9);
    expect(web2.memory_of_limit).toBeCloseTo(75, 9);
    const only = await table('top-pods', { namespaces: ['ops'] });
    expect(only.rows.map((r) => r.pod)).toEqual(['agent-1']);
    expect(only.rows[0]!.memory_of_limit).toBeCloseTo(25, 9);
  });

  it('hpa: replicas, utilisation against target, and a scale event when desired replicas change', async () => {
    const before = await table('hpa');
    expect(before.rows).toHaveLength(1);
    expect(before.rows[0]).toMatchObject({
      namespace: 'shop',
      hpa: 'web',
      reference: 'Deployment/web',
      targets: 'cpu: 70%/50%',
      cpu_utilisation: 70,
      cpu_target: 50,
      replicas: 2,
      desired: 2,
      min: 1,
      max: 4,
      last_scale: [],
    });
    const changedAfter = Date.now();
    exporter.set(fixture(prom.nodename, 4));
    await prom.waitFor('kube_horizontalpodautoscaler_status_desired_replicas == 4');
    const end = Math.ceil(Date.now() / 1000) * 1000;
    const after = await table('hpa', { range: { start: end - 60_000, end, stepMs: 1000 } });
    const events = after.rows[0]!.last_scale as { at: number; from: number; to: number }[];
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ from: 2, to: 4 });
    expect(events[0]!.at).toBeGreaterThanOrEqual(Math.floor(changedAfter / 1000) * 1000);
    expect(after.rows[0]).toMatchObject({ replicas: 4, desired: 4 });
    exporter.set(fixture(prom.nodename));
  });

  it('explains an empty answer by naming the series Prometheus lacks', async () => {
    const scoped = new PrometheusSource({
      cluster: 'test',
      client,
      scrapeIntervalMs: SCRAPE_MS,
      seriesLabels: { cluster: 'elsewhere' },
    });
    const result = (await scoped.run('pods-running', { cluster: 'test', range: recent() })) as SeriesResult;
    expect(result.series).toEqual([]);
    expect(result.notes?.join(' ')).toContain('kube_pod_status_phase');
  });

  it('turns a PromQL the server rejects into a QueryError that says so', async () => {
    const error = await client.query('sum(', Date.now()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('rejected');
    expect((error as QueryError).message).toContain('bad_data');
    expect((error as QueryError).retryable).toBe(false);
  });

  it('answers over GET as over POST', async () => {
    const get = new PrometheusClient({ url: prom.url, method: 'GET' });
    const t = Date.now();
    const [a, b] = await Promise.all([get.query('up', t), client.query('up', t)]);
    get.close();
    expect(a.series).toEqual(b.series);
    expect(a.resultType).toBe('vector');
  });
});
