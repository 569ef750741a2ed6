// `lookout top` and `lookout query` as a user runs them, with no Lookout server: they read the
// samples Lookout stored of a simulated cluster, and `lookout top` prints the same CPU and
// memory as the real kubectl top reading the same cluster at the same instant.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SeriesResult } from '../../src/domain/query.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { runCli } from '../support/cli.js';
import { KubectlSession, newestKubectl } from '../support/kubectl.js';
import { tempDir } from '../support/tmp.js';
import { CLUSTER, INTERVAL_MS, startHarness, type Harness } from '../metrics/builtin-harness.js';

const dir = tempDir('lookout-top-');
let store: Store;
let h: Harness;
let configPath: string;
let kubectl: KubectlSession | undefined;

beforeAll(async () => {
  const db = join(dir.path, 'lookout.db');
  store = openSqliteStore(db);
  // Sample up to a few seconds ago, so "now" finds fresh samples.
  const startMs = Math.floor(Date.now() / 1000) * 1000 - 3 * INTERVAL_MS - 5000;
  h = await startHarness({ scenario: 'imagepull', store, dir: dir.path, startMs });
  await h.step(0);
  for (let i = 0; i < 3; i++) await h.step(INTERVAL_MS);
  configPath = join(dir.path, 'lookout.yaml');
  writeFileSync(
    configPath,
    [
      `storage: { url: "sqlite:${db}" }`,
      `clusters: [ { name: ${CLUSTER}, kubeconfig: "${h.kubeconfigPath}" } ]`,
    ].join('\n'),
  );
  const binary = newestKubectl();
  if (binary) kubectl = await KubectlSession.create(binary, readFileSync(h.kubeconfigPath, 'utf8'));
}, 60_000);

afterAll(async () => {
  await kubectl?.dispose();
  await h?.close();
  await store?.close();
  dir.remove();
});

const lookout = (...args: string[]) => runCli(['-c', configPath, ...args]);

/** Rows of an aligned table keyed by their upper-case headers. */
function parseTable(text: string): Array<Record<string, string>> {
  const [header, ...lines] = text.trimEnd().split('\n');
  const names = header!.split(/\s{2,}/);
  return lines.map((line) => Object.fromEntries(line.split(/\s{2,}/).map((v, i) => [names[i]!, v])));
}

describe('lookout top', () => {
  it('top nodes: the CPU and memory kubectl top nodes prints, plus requests and limits', async () => {
    const result = await lookout('top', 'nodes');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ours = parseTable(result.stdout);
    expect(Object.keys(ours[0]!)).toEqual([
      'NAME',
      'CPU(CORES)',
      'CPU%',
      'MEMORY(BYTES)',
      'MEMORY%',
      'CPU REQ%',
      'CPU LIM%',
      'MEM REQ%',
      'MEM LIM%',
    ]);
    expect(ours.map((r) => r.NAME)).toEqual(['control-plane', 'worker-1', 'worker-2']);
    if (!kubectl) return;
    const theirs = parseTable(await kubectl.ok(['top', 'nodes']));
    for (const row of theirs) {
      const mine = ours.find((r) => r.NAME === row.NAME)!;
      expect(mine['CPU(CORES)']).toBe(row['CPU(cores)']);
      expect(mine['MEMORY(BYTES)']).toBe(row['MEMORY(bytes)']);
      // kubectl divides rounded millicores; Lookout divides exact nanocores.
      expect(Math.abs(parseInt(mine['CPU%']!) - parseInt(row['CPU(%)'] ?? row['CPU%']!))).toBeLessThanOrEqual(
        1,
      );
      expect(mine['MEMORY%']).toBe(row['MEMORY(%)'] ?? row['MEMORY%']);
    }
  });

  it('top pods: every pod kubectl top pods -A lists, with the same CPU and memory', async () => {
    const result = await lookout('top', 'pods');
    expect(result.code).toBe(0);
    const ours = parseTable(result.stdout);
    expect(ours.length).toBeGreaterThan(5);
    expect(ours.some((r) => r['MEM/LIM'] === 'no limit')).toBe(true);
    if (!kubectl) return;
    const theirs = parseTable(await kubectl.ok(['top', 'pods', '-A']));
    expect(ours.map((r) => `${r.NAMESPACE}/${r.NAME}`).sort()).toEqual(
      theirs.map((r) => `${r.NAMESPACE}/${r.NAME}`).sort(),
    );
    for (const row of theirs) {
      const mine = ours.find((r) => r.NAMESPACE === row.NAMESPACE && r.NAME === row.NAME)!;
      expect([mine['CPU(CORES)'], mine['MEMORY(BYTES)']]).toEqual([row['CPU(cores)'], row['MEMORY(bytes)']]);
    }
  });

  it('top pods -n NS: only that namespace, without the namespace column', async () => {
    const result = await lookout('top', 'pods', '-n', 'shop');
    expect(result.code).toBe(0);
    const rows = parseTable(result.stdout);
    expect(Object.keys(rows[0]!)[0]).toBe('NAME');
    if (!kubectl) return;
    const theirs = parseTable(await kubectl.ok(['top', 'pods', '-n', 'shop']));
    expect(rows.map((r) => r.NAME).sort()).toEqual(theirs.map((r) => r.NAME).sort());
  });

  it('-o json is the table result', async () => {
    const result = await lookout('top', 'nodes', '-o', 'json');
    const parsed = JSON.parse(result.stdout) as { query: string; rows: unknown[] };
    expect(parsed.query).toBe('top-nodes');
    expect(parsed.rows).toHaveLength(3);
  });
});

describe('lookout query', () => {
  const since = (): string => new Date(h.clock.now() - 3 * INTERVAL_MS).toISOString();
  const until = (): string => new Date(h.clock.now()).toISOString();

  it('-o json answers exactly what the built-in source computes', async () => {
    const result = await lookout(
      'query',
      'node-memory',
      '--since',
      since(),
      '--until',
      until(),
      '--step',
      '30s',
      '-o',
      'json',
    );
    expect(result.code).toBe(0);
    const direct = await h.source.run('node-memory', {
      cluster: CLUSTER,
      range: { start: h.clock.now() - 3 * INTERVAL_MS, end: h.clock.now(), stepMs: INTERVAL_MS },
    });
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(JSON.stringify(direct)));
    expect((direct as SeriesResult).series[0]!.points.every(([, v]) => v !== null)).toBe(true);
  });

  it('prints series as one aligned row per line, and the containers without a limit', async () => {
    const result = await lookout(
      'query',
      'container-memory',
      '--since',
      since(),
      '--until',
      until(),
      '-n',
      'shop,kube-system',
    );
    expect(result.code).toBe(0);
    const [header, ...rest] = result.stdout.split('\n');
    expect(header!.split(/\s+/)).toEqual(['CONTAINER', 'NOW', 'MIN', 'AVG', 'MAX']);
    expect(rest.filter((l) => /%/.test(l)).length).toBeGreaterThan(0);
    expect(result.stdout).toMatch(/^No limit, not drawn \(\d+\): /m);
  });

  it('prints tables with their columns', async () => {
    const result = await lookout('query', 'top-nodes');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[0]!.split(/\s{2,}/)).toEqual([
      'NODE',
      'CPU',
      'CPU%',
      'MEMORY',
      'MEM%',
      'CPU REQ%',
      'CPU LIM%',
      'MEM REQ%',
      'MEM LIM%',
    ]);
  });

  it('--png writes the chart', async () => {
    const file = join(dir.path, 'pods.png');
    const result = await lookout(
      'query',
      'pods-running',
      '--since',
      since(),
      '--until',
      until(),
      '--png',
      file,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/wrote pods-running to .*pods\.png \(\d+×\d+ PNG\)/);
    const png = PNG.sync.read(readFileSync(file));
    expect(png.width).toBeGreaterThan(500);
  });

  it('explains bad input and exits non-zero', async () => {
    const unknown = await lookout('query', 'node-disk');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/unknown query "node-disk"/);
    const range = await lookout('query', 'node-cpu', '--range', 'forever');
    expect(range.code).toBe(1);
    expect(range.stderr).toMatch(/--range: "forever" is not a duration/);
    const cluster = await lookout('query', 'node-cpu', '--cluster', 'elsewhere', '--range', '5m');
    expect(cluster.code).toBe(0);
    expect(cluster.stdout).toMatch(/No data/);
  });
});
