// Realistic, deterministic results for every catalog query (six hours of a small production
// cluster), used by the chart tests, the sample images in docs/images and bench/charts.ts.
import {
  QUERY_CATALOG,
  TABLE_COLUMNS,
  type Cell,
  type QueryName,
  type QueryResult,
  type Series,
  type SeriesResult,
  type TableResult,
  type TimeRange,
  type Unlimited,
} from '../../src/domain/query.js';

const Mi = 1024 * 1024;
const Gi = 1024 * Mi;

/** A small seeded generator (mulberry32): same numbers on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 2026-11-23 08:00 – 14:00 UTC, every 90 s. */
export const SAMPLE_RANGE: TimeRange = {
  start: Date.UTC(2026, 10, 23, 8, 0, 0),
  end: Date.UTC(2026, 10, 23, 14, 0, 0),
  stepMs: 90_000,
};

const NODES = ['cp-1', 'worker-1', 'worker-2', 'worker-3', 'worker-4'];

function grid(range: TimeRange): number[] {
  const out: number[] = [];
  for (let t = range.start; t <= range.end; t += range.stepMs) out.push(t);
  return out;
}

/** A percentage wandering around `base`, kept within 0–100. */
function wave(seed: number, base: number, amplitude: number, noise: number): (i: number) => number {
  const [min, max] = [0, 100];
  const rnd = random(seed);
  const phase = rnd() * Math.PI * 2;
  let drift = 0;
  return (i) => {
    drift = drift * 0.9 + (rnd() - 0.5) * noise;
    const v = base + amplitude * Math.sin(i / 40 + phase) + drift;
    return Math.min(max, Math.max(min, Math.round(v * 10) / 10));
  };
}

function steps(
  seed: number,
  start: number,
  min: number,
  max: number,
  changeEvery: number,
): (i: number) => number {
  const rnd = random(seed);
  let v = start;
  return (i) => {
    if (i > 0 && rnd() < 1 / changeEvery)
      v = Math.min(max, Math.max(min, v + (rnd() < 0.5 ? -1 : 1) * Math.ceil(rnd() * 2)));
    return v;
  };
}

function series(
  name: string,
  labels: Record<string, string>,
  f: (i: number) => number | null,
  range = SAMPLE_RANGE,
): Series {
  return { name, labels, points: grid(range).map((t, i) => [t, f(i)]) };
}

function seriesResult(query: QueryName, list: Series[], extra: Partial<SeriesResult> = {}): SeriesResult {
  const spec = QUERY_CATALOG[query];
  return {
    kind: 'series',
    query,
    cluster: 'prod-eu',
    title: spec.title,
    unit: spec.unit ?? 'count',
    range: SAMPLE_RANGE,
    series: list.sort((a, b) => a.name.localeCompare(b.name)),
    ...extra,
  };
}

const CONTAINERS: readonly [string, string, string][] = [
  ['shop', 'checkout-7d9f8b6c5d-x2kqp', 'app'],
  ['shop', 'checkout-7d9f8b6c5d-x2kqp', 'envoy'],
  ['shop', 'cart-5c6b7d8f9-mn4lz', 'app'],
  ['shop', 'catalog-6f7d9c8b5-qw7rt', 'app'],
  ['shop', 'payments-0', 'app'],
  ['ops', 'prometheus-0', 'prometheus'],
  ['ops', 'grafana-84c9f6b7d-t5vbn', 'grafana'],
  ['ops', 'loki-0', 'loki'],
  ['data', 'postgres-0', 'postgres'],
  ['data', 'redis-0', 'redis'],
  ['data', 'kafka-0', 'kafka'],
  ['data', 'kafka-1', 'kafka'],
  ['kube-system', 'coredns-565d847f94-8kq2m', 'coredns'],
  ['kube-system', 'metrics-server-6d94bc8694-zt7s4', 'metrics-server'],
];

const UNLIMITED: readonly Unlimited[] = [
  {
    name: 'ops/node-exporter-7xk2p/node-exporter',
    labels: { namespace: 'ops', pod: 'node-exporter-7xk2p', container: 'node-exporter' },
  },
  {
    name: 'kube-system/kube-proxy-9z8qv/kube-proxy',
    labels: { namespace: 'kube-system', pod: 'kube-proxy-9z8qv', container: 'kube-proxy' },
  },
];

function containerSeries(seed: number, count: number, base: (k: number) => number): Series[] {
  return CONTAINERS.slice(0, count).map(([ns, pod, c], k) =>
    series(
      `${ns}/${pod}/${c}`,
      { namespace: ns, pod, container: c },
      wave(seed + k, base(k), 6 + (k % 4) * 3, 4),
    ),
  );
}

export function sampleResult(name: QueryName): QueryResult {
  switch (name) {
    case 'node-memory':
      return seriesResult(
        name,
        NODES.map((n, k) => series(n, { node: n }, wave(10 + k, 35 + k * 9, 8, 3))),
      );
    case 'node-memory-requests':
      return seriesResult(
        name,
        NODES.map((n, k) => {
          const s = steps(20 + k, 40 + k * 8, 20, 95, 25);
          return series(n, { node: n }, (i) => Math.round(s(i) * 3.2 * 10) / 10 / 3.2);
        }),
      );
    case 'container-memory':
      return seriesResult(
        name,
        containerSeries(30, 14, (k) => 20 + ((k * 37) % 70)),
        { unlimited: UNLIMITED },
      );
    case 'node-cpu':
      return seriesResult(
        name,
        NODES.map((n, k) => series(n, { node: n }, wave(40 + k, 18 + k * 10, 12, 10))),
      );
    case 'cluster-cpu':
      return seriesResult(name, [series('prod-eu', {}, wave(50, 32, 10, 5))]);
    case 'container-cpu':
      return seriesResult(
        name,
        containerSeries(60, 12, (k) => 10 + ((k * 23) % 60)),
        { unlimited: UNLIMITED.slice(0, 1) },
      );
    case 'pods-running':
      return seriesResult(
        name,
        ['shop', 'ops', 'data', 'kube-system', 'ci', 'staging'].map((ns, k) =>
          series(ns, { namespace: ns }, steps(70 + k, [24, 11, 9, 14, 4, 7][k]!, 1, 40, 15)),
        ),
      );
    case 'pods-abnormal': {
      const spikes = (seed: number): ((i: number) => number) => {
        const rnd = random(seed);
        let v = 0;
        return () => {
          if (v > 0 && rnd() < 0.08) v--;
          else if (rnd() < 0.02) v += 1 + Math.floor(rnd() * 2);
          return v;
        };
      };
      return seriesResult(
        name,
        ['shop', 'ci', 'staging'].map((ns, k) => series(ns, { namespace: ns }, spikes(80 + k))),
      );
    }
    case 'top-nodes':
      return table(
        name,
        NODES.map((node, k) => {
          const cpu = 0.35 + k * 0.6;
          const memory = (3.1 + k * 1.4) * Gi;
          const allocCpu = k === 0 ? 2 : 4;
          const allocMem = (k === 0 ? 7.5 : 15.5) * Gi;
          return {
            node,
            cpu,
            cpu_percent: (100 * cpu) / allocCpu,
            memory,
            memory_percent: (100 * memory) / allocMem,
            cpu_requests_percent: 45 + k * 9,
            cpu_limits_percent: 80 + k * 22,
            memory_requests_percent: 38 + k * 11,
            memory_limits_percent: 61 + k * 15,
          };
        }),
      );
    case 'top-pods':
      return table(
        name,
        CONTAINERS.map(([namespace, pod], k) => {
          const cpu = 0.012 + ((k * 97) % 450) / 1000;
          const memory = (40 + ((k * 131) % 900)) * Mi;
          const unlimited = k % 5 === 3;
          return {
            namespace,
            pod,
            cpu,
            memory,
            cpu_of_request: (100 * cpu) / 0.25,
            cpu_of_limit: unlimited ? { absent: 'no-limit' } : (100 * cpu) / 1,
            memory_of_request: (100 * memory) / (512 * Mi),
            memory_of_limit: unlimited ? { absent: 'no-limit' } : (100 * memory) / Gi,
          } satisfies Record<string, Cell>;
        }).filter((row, k, all) => all.findIndex((r) => r.pod === row.pod) === k),
      );
    case 'hpa': {
      const at = SAMPLE_RANGE.end;
      return table(name, [
        {
          namespace: 'shop',
          hpa: 'checkout',
          reference: 'Deployment/checkout',
          targets: 'cpu: 72%/60%',
          cpu_utilisation: 72,
          cpu_target: 60,
          replicas: 6,
          desired: 7,
          min: 2,
          max: 10,
          last_scale: [
            { at: at - 4 * 60_000, from: 6, to: 7 },
            { at: at - 38 * 60_000, from: 4, to: 6 },
          ],
        },
        {
          namespace: 'shop',
          hpa: 'cart',
          reference: 'Deployment/cart',
          targets: 'cpu: 31%/70%',
          cpu_utilisation: 31,
          cpu_target: 70,
          replicas: 2,
          desired: 2,
          min: 2,
          max: 6,
          last_scale: [{ at: at - 3 * 3600_000, from: 3, to: 2 }],
        },
        {
          namespace: 'data',
          hpa: 'kafka-consumer',
          reference: 'Deployment/kafka-consumer',
          targets: 'cpu: 96%/80%, memory: 61%/75%',
          cpu_utilisation: 96,
          cpu_target: 80,
          replicas: 8,
          desired: 8,
          min: 1,
          max: 8,
          last_scale: [{ at: at - 52 * 60_000, from: 5, to: 8 }],
        },
      ]);
    }
  }
}

function table(name: 'top-nodes' | 'top-pods' | 'hpa', rows: Record<string, Cell>[]): TableResult {
  return {
    kind: 'table',
    query: name,
    cluster: 'prod-eu',
    title: QUERY_CATALOG[name].title,
    at: SAMPLE_RANGE.end,
    columns: TABLE_COLUMNS[name],
    rows,
  };
}
