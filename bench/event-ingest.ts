// Benchmark P2: sustained end-to-end event ingest — watch stream → parse → normalise → dedup →
// store with full-text index — into SQLite and PostgreSQL. The stream comes pre-serialised
// from another process, so the rate measured is Lookout's.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { parseConfig } from '../src/config/index.js';
import { createLookout } from '../src/main.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { createTempDatabase } from '../test/support/postgres.js';
import { tempDir } from '../test/support/tmp.js';
import type { BenchResult } from './report.js';

const SOURCE = fileURLToPath(new URL('./support/stream-source.ts', import.meta.url));

export async function eventIngest(
  storage: 'sqlite' | 'postgres',
  events = 30_000,
  bumps = 2,
): Promise<BenchResult> {
  const dir = tempDir('lookout-bench-');
  const kubeconfig = join(dir.path, 'kubeconfig');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', SOURCE, kubeconfig, String(events), String(bumps)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
  const pg = storage === 'postgres' ? await createTempDatabase('lookout_bench') : undefined;
  const url = pg ? pg.url : `sqlite:${join(dir.path, 'bench.db')}`;
  const config = parseConfig(
    `storage: { url: "${url}" }\nhttp: { listen: "127.0.0.1:0", auth: { mode: none } }\nclusters: [ { name: bench, kubeconfig: "${kubeconfig}" } ]\n`,
    { env: {} },
  );
  const lookout = await createLookout({ config, log: silentLogger() });
  await lookout.store.migrate();
  const expected = events * (1 + bumps);
  try {
    const t0 = performance.now();
    await lookout.start();
    for (;;) {
      const row = await sql<{
        n: number;
      }>`select coalesce(sum(count_to - count_from + 1), 0) as n from event_occurrences`.execute(
        lookout.store.db,
      );
      if (Number(row.rows[0]?.n ?? 0) >= expected) break;
      // Counting scans the whole table: often enough to time the run to a few percent, rarely
      // enough not to slow down the writer it measures.
      await new Promise((r) => setTimeout(r, 200));
    }
    const seconds = (performance.now() - t0) / 1000;
    const rate = expected / seconds;
    const target = storage === 'sqlite' ? 10_000 : 8_000;
    return {
      name: `Event ingest into ${storage === 'sqlite' ? 'SQLite' : 'PostgreSQL'} (P2)`,
      value: Math.round(rate),
      unit: 'occurrences/s',
      target: `≥ ${target.toLocaleString('en')}/s`,
      pass: rate >= target,
      detail: `${events.toLocaleString('en')} Events × ${1 + bumps} counts = ${expected.toLocaleString('en')} occurrences from one watch stream to FTS-indexed rows in ${seconds.toFixed(2)} s`,
    };
  } finally {
    await lookout.stop();
    child.kill();
    await pg?.drop();
    dir.remove();
  }
}

export async function eventIngestBench(): Promise<BenchResult[]> {
  return [await eventIngest('sqlite'), await eventIngest('postgres')];
}
