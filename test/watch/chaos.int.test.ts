// Nothing lost, nothing doubled: while a simulated cluster crashes containers hundreds of times
// and writes thousands of event occurrences, the test closes watches, forces 410s, stalls a
// watch, answers 5xx and kill -9s Lookout twice. At the end the store holds exactly the
// simulator's own record of crashes and event occurrences. On SQLite and PostgreSQL.
import { type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/index.js';
import { Secret } from '../../src/lib/secret.js';
import { SimCluster } from '../../src/sim/cluster.js';
import { startSimServer } from '../../src/sim/server/index.js';
import { spawnCli, waitForOutput } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { createTempDatabase } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-chaos-');
afterAll(() => dir.remove());

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Counts covered per key, from ranges [from, to]; reports overlaps (duplicates). */
function coverage(ranges: ReadonlyArray<{ key: string; from: number; to: number }>): {
  covered: Map<string, Set<number>>;
  duplicates: string[];
} {
  const covered = new Map<string, Set<number>>();
  const duplicates: string[] = [];
  for (const r of ranges) {
    const set = covered.get(r.key) ?? new Set<number>();
    for (let n = r.from; n <= r.to; n++) {
      if (set.has(n)) duplicates.push(`${r.key}#${n}`);
      set.add(n);
    }
    covered.set(r.key, set);
  }
  return { covered, duplicates };
}

function missing(expected: Map<string, Set<number>>, actual: Map<string, Set<number>>): string[] {
  const out: string[] = [];
  for (const [key, counts] of expected)
    for (const n of counts) if (!actual.get(key)?.has(n)) out.push(`${key}#${n}`);
  return out;
}

function extra(expected: Map<string, Set<number>>, actual: Map<string, Set<number>>): string[] {
  return missing(actual, expected);
}

// Both engines at once: each has its own simulated cluster, port and database.
describe.concurrent('chaos', () => {
  for (const engine of ['sqlite', 'postgres'] as const) {
    it(
      `on ${engine}: stores exactly the crashes and event occurrences the cluster produced`,
      { timeout: 240_000 },
      async () => {
        const cluster = new SimCluster({ scenario: 'steady', seed: 11, timeScale: 0.02, historyLimit: 4000 });
        await cluster.start();
        const server = await startSimServer({
          store: cluster.store,
          logs: cluster.logs,
          metrics: cluster.metrics,
          bookmarkIntervalMs: 1000,
        });
        const pg = engine === 'postgres' ? await createTempDatabase('lookout_chaos') : undefined;
        const url = pg?.url ?? `sqlite:${join(dir.path, `chaos-${Date.now()}.db`)}`;
        const kubeconfig = join(dir.path, `kubeconfig-${engine}`);
        writeFileSync(kubeconfig, server.kubeconfig());
        const port = await freePort();
        const config = join(dir.path, `chaos-${engine}.yaml`);
        writeFileSync(
          config,
          [
            `storage: { url: "${url}" }`,
            `http: { listen: "127.0.0.1:${port}" }`,
            `clusters: [ { name: sim, kubeconfig: "${kubeconfig}" } ]`,
            'collect:',
            '  watch: { watchdog: 3s, backoff_initial: 100ms, backoff_max: 1s, timeout: 20s }',
            '  crash_logs: { retry_for: 2s }',
          ].join('\n'),
        );
        let lookout: ChildProcess | undefined;
        const start = async (): Promise<void> => {
          lookout = spawnCli(['serve', '--config', config, '--log-level', 'warn']);
          lookout.stdout?.resume();
          await waitForOutput(lookout, (t) => t.includes('"level":"fatal"') || t.length >= 0, 100).catch(
            () => undefined,
          );
          for (let i = 0; i < 300; i++) {
            const ok = await fetch(`http://127.0.0.1:${port}/readyz`)
              .then((r) => r.status === 200)
              .catch(() => false);
            if (ok) return;
            await sleep(100);
          }
          throw new Error('Lookout did not become ready');
        };
        const kill9 = async (): Promise<void> => {
          const child = lookout!;
          const exited = new Promise((r) => child.once('exit', r));
          child.kill('SIGKILL');
          await exited;
        };

        try {
          await start();
          const crashesBefore = cluster.journal.crashes.length;
          // The crash driver: a running container somewhere crashes every ~25 ms.
          let driving = true;
          let driven = 0;
          const driver = (async () => {
            let i = 0;
            while (driving) {
              const pods = cluster.store
                .list('pods')
                .items.filter((p) => (p.status as { phase?: string }).phase === 'Running');
              const pod = pods[i++ % Math.max(1, pods.length)];
              if (pod && cluster.driver.crash(pod.metadata.namespace!, pod.metadata.name!)) driven++;
              await sleep(25);
            }
          })();

          const faults = server.faults;
          await sleep(3000);
          faults.closeWatches();
          await sleep(2000);
          faults.failWatches(3, { form: 'event' });
          faults.closeWatches();
          await sleep(2000);
          await kill9(); // first kill -9, in the middle of the storm
          await sleep(2000);
          await start();
          faults.stallWatches({ seconds: 5 });
          await sleep(3000);
          faults.failRequests({ seconds: 2, status: 503 });
          faults.closeWatches();
          await sleep(3000);
          faults.failWatches(2, { form: 'http' });
          faults.closeWatches();
          await sleep(2000);
          await kill9(); // second kill -9
          await sleep(3000); // long enough for the watch history to move on: a relist may be needed
          await start();
          await sleep(3000);
          driving = false;
          await driver;

          // Expected: every crash since Lookout's first sync; every Event count since the start.
          const crashRanges = cluster.journal.crashes
            .slice(crashesBefore)
            .map((c) => ({ key: `${c.podUid}/${c.container}`, from: c.restartCount, to: c.restartCount }));
          const expectedCrashes = coverage(crashRanges).covered;
          const maxCount = new Map<string, number>();
          for (const e of cluster.journal.eventOccurrences)
            maxCount.set(e.uid, Math.max(maxCount.get(e.uid) ?? 0, e.count));
          const expectedEvents = new Map(
            [...maxCount].map(([uid, max]) => [uid, new Set(Array.from({ length: max }, (_, k) => k + 1))]),
          );
          expect(driven).toBeGreaterThan(200);
          expect([...expectedEvents.values()].reduce((n, s) => n + s.size, 0)).toBeGreaterThan(2000);

          const store: Store = openStore({ url: Secret.fromUrl(url), pool_size: 2 });
          try {
            let result = {
              missingCrashes: [] as string[],
              extraCrashes: [] as string[],
              dupCrashes: [] as string[],
              missingEvents: [] as string[],
              extraEvents: [] as string[],
              dupEvents: [] as string[],
            };
            for (let i = 0; i < 120; i++) {
              // The cluster is still writing (containers restart after the last crashes): expect what the journal says now.
              const maxNow = new Map<string, number>();
              for (const e of cluster.journal.eventOccurrences)
                maxNow.set(e.uid, Math.max(maxNow.get(e.uid) ?? 0, e.count));
              for (const [uid, max] of maxNow)
                expectedEvents.set(uid, new Set(Array.from({ length: max }, (_, k) => k + 1)));
              const crashRows = await store.db
                .selectFrom('crashes')
                .select(['pod_uid', 'container', 'restart_count', 'covers'])
                .execute();
              const crashes = coverage(
                crashRows.map((r) => ({
                  key: `${r.pod_uid}/${r.container}`,
                  from: r.restart_count - r.covers + 1,
                  to: r.restart_count,
                })),
              );
              const eventRows = await store.db
                .selectFrom('event_occurrences')
                .select(['event_uid', 'count_from', 'count_to'])
                .execute();
              const events = coverage(
                eventRows.map((r) => ({ key: r.event_uid, from: r.count_from, to: r.count_to })),
              );
              const expectedCrashesNow = coverage(
                cluster.journal.crashes.slice(crashesBefore).map((c) => ({
                  key: `${c.podUid}/${c.container}`,
                  from: c.restartCount,
                  to: c.restartCount,
                })),
              ).covered;
              result = {
                missingCrashes: missing(expectedCrashesNow, crashes.covered),
                extraCrashes: extra(expectedCrashesNow, crashes.covered),
                dupCrashes: crashes.duplicates,
                missingEvents: missing(expectedEvents, events.covered),
                extraEvents: extra(expectedEvents, events.covered),
                dupEvents: events.duplicates,
              };
              if (Object.values(result).every((list) => list.length === 0)) break;
              await sleep(500);
            }
            const crashCount = [
              ...coverage(
                cluster.journal.crashes.slice(crashesBefore).map((c) => ({
                  key: `${c.podUid}/${c.container}`,
                  from: c.restartCount,
                  to: c.restartCount,
                })),
              ).covered.values(),
            ].reduce((n, s) => n + s.size, 0);
            const occurrenceCount = [...expectedEvents.values()].reduce((n, s) => n + s.size, 0);
            console.log(
              `chaos on ${engine}: ${crashCount} crashes and ${occurrenceCount} event occurrences (${expectedEvents.size} Event objects) compared with the simulator's journal`,
            );
            expect(result.dupCrashes.slice(0, 10)).toEqual([]);
            expect(result.dupEvents.slice(0, 10)).toEqual([]);
            expect(result.missingCrashes.slice(0, 10)).toEqual([]);
            expect(result.extraCrashes.slice(0, 10)).toEqual([]);
            expect(result.missingEvents.slice(0, 10)).toEqual([]);
            expect(result.extraEvents.slice(0, 10)).toEqual([]);
            expect(expectedCrashes.size).toBeGreaterThan(0);
          } finally {
            await store.close();
          }
        } finally {
          if (lookout && lookout.exitCode === null) {
            const exited = new Promise((r) => lookout!.once('exit', r));
            lookout.kill('SIGTERM');
            await exited;
          }
          await server.close();
          await cluster.stop();
          await pg?.drop();
        }
      },
    );
  }
});
