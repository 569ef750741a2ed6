// Benchmark: the simulated cluster's `big` scenario (1,000 nodes, ~10,000 pods) — how long it
// takes to start and how much memory it holds once its controllers have settled. Measured in a
// child process so nothing else shares its heap. Targets: start under 30 s, under 1.5 GB RSS.
// Run directly (`node --import tsx bench/sim-big.ts`) to print the numbers.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchResult } from './report.js';

const SELF = fileURLToPath(import.meta.url);

interface Measured {
  readonly startMs: number;
  readonly rssBytes: number;
  readonly heapBytes: number;
  readonly pods: number;
  readonly nodes: number;
  readonly objects: number;
}

async function measure(): Promise<Measured> {
  const { SimCluster } = await import('../src/sim/cluster.js');
  const t0 = performance.now();
  const cluster = new SimCluster({ scenario: 'big' });
  await cluster.start();
  const startMs = performance.now() - t0;
  // Let the controllers' first reconcile of everything run, then measure what stays.
  await sleep(5_000);
  (globalThis as { gc?: () => void }).gc?.();
  const memory = process.memoryUsage();
  const result: Measured = {
    startMs,
    rssBytes: memory.rss,
    heapBytes: memory.heapUsed,
    pods: cluster.store.count('pods'),
    nodes: cluster.store.count('nodes'),
    objects: cluster.stats().objects,
  };
  await cluster.stop();
  return result;
}

function runChild(): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', SELF, '--child'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`sim-big child exited with ${code}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1) ?? '') as Measured);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  });
}

export async function simBig(): Promise<BenchResult[]> {
  const m = await runChild();
  const detail = `${m.nodes.toLocaleString('en')} nodes, ${m.pods.toLocaleString('en')} pods, ${m.objects.toLocaleString('en')} objects in all; heap ${Math.round(m.heapBytes / 2 ** 20)} MiB`;
  return [
    {
      name: 'Simulated cluster `big`: start',
      value: Math.round(m.startMs),
      unit: 'ms',
      target: '< 30,000 ms',
      pass: m.startMs < 30_000,
      detail,
    },
    {
      name: 'Simulated cluster `big`: memory (RSS, settled)',
      value: Math.round(m.rssBytes / 2 ** 20),
      unit: 'MiB',
      target: '< 1,536 MiB',
      pass: m.rssBytes < 1.5 * 2 ** 30,
      detail,
    },
  ];
}

if (process.argv[1] === SELF) {
  if (process.argv.includes('--child')) {
    process.stdout.write(`${JSON.stringify(await measure())}\n`);
    process.exit(0);
  }
  for (const r of await simBig()) {
    console.log(
      `${r.name}: ${r.value.toLocaleString('en')} ${r.unit} (target ${r.target}) ${r.pass ? 'PASS' : 'FAIL'} — ${r.detail}`,
    );
  }
}
