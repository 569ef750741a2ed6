// WAL checkpoints in a worker thread: the main connection stops checkpointing by itself, the
// worker copies committed pages into the database file, and if the worker goes away the main
// connection takes over again.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/store/index.js';
import { SqliteCheckpointer } from '../../src/store/sqlite-checkpointer.js';
import { tempDir } from '../support/tmp.js';

const dirs: Array<{ remove(): void }> = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.remove();
});

function walDb(): { file: string; handle: BetterSqlite3.Database } {
  const dir = tempDir('lookout-ckpt-');
  dirs.push(dir);
  const file = join(dir.path, 'lookout.db');
  const handle = new BetterSqlite3(file);
  handle.pragma('journal_mode = WAL');
  handle.exec('create table t (id integer primary key, body text)');
  return { file, handle };
}

/** Writes enough to pass SQLite's automatic checkpoint threshold (1,000 pages) several times. */
function writePages(handle: BetterSqlite3.Database, rows = 3000): void {
  const insert = handle.prepare('insert into t (body) values (?)');
  const body = 'x'.repeat(2000);
  for (let i = 0; i < rows; i += 100) {
    handle.transaction(() => {
      for (let j = 0; j < 100; j++) insert.run(body);
    })();
  }
}

const autocheckpoint = (handle: BetterSqlite3.Database): number =>
  handle.pragma('wal_autocheckpoint', { simple: true }) as number;

describe('SQLite checkpoints in a worker thread', () => {
  it('turns the main connection’s checkpoints off and copies committed pages from the worker', async () => {
    const { file, handle } = walDb();
    const checkpointer = new SqliteCheckpointer(handle, file, { intervalMs: 60_000 });
    try {
      expect(autocheckpoint(handle)).toBe(0);
      const before = statSync(file).size;
      writePages(handle);
      // Nothing copied back yet: the main connection no longer checkpoints at 1,000 pages.
      expect(statSync(file).size).toBe(before);
      expect(statSync(`${file}-wal`).size).toBeGreaterThan(5_000_000);

      const result = await checkpointer.checkpoint();
      expect(result.busy).toBe(0);
      expect(result.log).toBeGreaterThan(1000);
      expect(result.checkpointed).toBe(result.log);
      expect(statSync(file).size).toBeGreaterThan(5_000_000);
      expect(handle.prepare('select count(*) as n from t').get()).toEqual({ n: 3000 });
    } finally {
      await checkpointer.stop();
      handle.close();
    }
  });

  it('checkpoints on its own timer', async () => {
    const { file, handle } = walDb();
    const checkpointer = new SqliteCheckpointer(handle, file, { intervalMs: 50 });
    try {
      writePages(handle, 1000);
      const deadline = Date.now() + 5000;
      while (statSync(file).size < 1_000_000 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(statSync(file).size).toBeGreaterThan(1_000_000);
    } finally {
      await checkpointer.stop();
      handle.close();
    }
  });

  it('hands checkpoints back to the main connection when stopped', async () => {
    const { file, handle } = walDb();
    const checkpointer = new SqliteCheckpointer(handle, file);
    await checkpointer.stop();
    expect(checkpointer.running).toBe(false);
    expect(autocheckpoint(handle)).toBe(1000);
    await expect(checkpointer.checkpoint()).rejects.toThrow(/not running/);
    handle.close();
  });

  it('says so and hands checkpoints back when the worker fails', async () => {
    const { file, handle } = walDb();
    const failures: Error[] = [];
    // A path the worker cannot open: it fails at once.
    const checkpointer = new SqliteCheckpointer(handle, join(file, 'missing.db'), {
      onFailure: (error) => failures.push(error),
    });
    const deadline = Date.now() + 5000;
    while (checkpointer.running && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(checkpointer.running).toBe(false);
    expect(failures).toHaveLength(1);
    expect(autocheckpoint(handle)).toBe(1000);
    writePages(handle); // and the main connection checkpoints again by itself
    expect(statSync(file).size).toBeGreaterThan(1_000_000);
    await checkpointer.stop();
    handle.close();
  });

  it('runs for a store opened with backgroundCheckpoints and stops with it', async () => {
    const dir = tempDir('lookout-ckpt-');
    dirs.push(dir);
    const file = join(dir.path, 'store.db');
    const store = openSqliteStore(file, { backgroundCheckpoints: { intervalMs: 50 } });
    await store.migrate();
    await store.close();
    // Closed cleanly: the file opens again and holds every migration.
    const again = openSqliteStore(file);
    expect((await again.migrate()).applied).toEqual([]);
    await again.close();
  });
});
