// `npm run bench`: runs every benchmark against the product's performance targets and writes
// docs/benchmarks.md with the machine and the date. Each benchmark runs in a process of its own,
// so none pays for what an earlier one left behind. `npm run bench -- charts ingest` runs some
// of them and only prints (the document always holds one complete run).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine, type BenchResult } from './report.js';
import { launcherNodeFlags } from './support/node-flags.js';

interface Bench {
  readonly key: string;
  /** The product target it measures (P1…P6), or empty. */
  readonly target: string;
  /** The bench module and the function in it that returns the results. */
  readonly module: string;
  readonly fn: string;
}

const BENCHES: readonly Bench[] = [
  { key: 'crash', target: 'P1', module: 'crash-latency', fn: 'crashLatency' },
  { key: 'ingest', target: 'P2', module: 'event-ingest', fn: 'eventIngestBench' },
  { key: 'memory', target: 'P3', module: 'watch-memory', fn: 'watchMemoryBench' },
  { key: 'alerting', target: 'P5', module: 'alerting-intake', fn: 'alertingIntakeBench' },
  { key: 'charts', target: 'P6', module: 'charts', fn: 'chartsBench' },
  { key: 'queries', target: 'P6', module: 'queries', fn: 'queriesBench' },
  { key: 'ui', target: '', module: 'ui', fn: 'uiPages' },
  { key: 'sim', target: '', module: 'sim-big', fn: 'simBig' },
];

/**
 * Runs one benchmark in a child process (with the V8 flags Lookout's launcher uses, as the
 * Lookout it starts in that process runs in production) and reads back its results.
 */
function runIsolated(bench: Bench): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
  const out = join(dir, 'result.json');
  const child = spawn(
    process.execPath,
    [
      ...launcherNodeFlags(),
      '--import',
      'tsx',
      fileURLToPath(new URL('./run-one.ts', import.meta.url)),
      bench.module,
      bench.fn,
    ],
    { cwd: ROOT, env: { ...process.env, LOOKOUT_BENCH_OUT: out }, stdio: ['ignore', 'inherit', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`exited with ${signal ?? `code ${code}`}`);
        const parsed = JSON.parse(readFileSync(out, 'utf8')) as BenchResult | BenchResult[];
        resolve(Array.isArray(parsed) ? parsed : [parsed]);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

function render(rows: Array<{ bench: Bench; result: BenchResult }>, failed: string[], started: Date): string {
  const verdict = (r: BenchResult): string => (r.pass === undefined ? '—' : r.pass ? 'met' : '**not met**');
  return [
    '# Benchmarks',
    '',
    'Written by `npm run bench` (all benchmarks, each in its own process, about 25 minutes). Targets are the performance targets of',
    'the product; numbers are from one run on the machine below, with nothing else running.',
    '',
    `- Date: ${started.toISOString().slice(0, 10)}`,
    `- Machine: ${machine()}`,
    `- Load average at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
    '',
    '| # | Benchmark | Result | Target | Verdict | How |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      ({ bench, result }) =>
        `| ${bench.target || '—'} | ${cell(result.name)} | ${result.value.toLocaleString('en')} ${result.unit} | ${cell(result.target ?? '—')} | ${verdict(result)} | ${cell(result.detail ?? '')} |`,
    ),
    ...(failed.length > 0 ? ['', `Benchmarks that did not finish: ${failed.join(', ')}.`] : []),
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((w) => !BENCHES.some((b) => b.key === w));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(', ')}; known: ${BENCHES.map((b) => b.key).join(', ')}`);
    process.exit(2);
  }
  const selected = wanted.length > 0 ? BENCHES.filter((b) => wanted.includes(b.key)) : BENCHES;
  if (selected.some((b) => b.key === 'memory' || b.key === 'alerting')) {
    // Memory and alert intake are measured on the compiled build, as `lookout serve` runs in production.
    console.log('building dist/ for the memory and alert intake benchmarks…');
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  }
  const started = new Date();
  const rows: Array<{ bench: Bench; result: BenchResult }> = [];
  const failed: string[] = [];
  for (const bench of selected) {
    console.log(`\n== ${bench.key} ${bench.target}`);
    const t0 = Date.now();
    try {
      for (const result of await runIsolated(bench)) {
        rows.push({ bench, result });
        const verdict = result.pass === undefined ? '' : result.pass ? ' (met)' : ' (NOT met)';
        console.log(`${result.name}: ${result.value} ${result.unit}${verdict}`);
      }
    } catch (error) {
      failed.push(bench.key);
      console.error(
        `${bench.key} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
    }
    console.log(`(${Math.round((Date.now() - t0) / 1000)} s)`);
  }
  if (wanted.length === 0) {
    writeFileSync(new URL('../docs/benchmarks.md', import.meta.url), render(rows, failed, started));
    console.log('\nwrote docs/benchmarks.md');
  }
  process.exit(failed.length > 0 ? 1 : 0);
}

await main();
