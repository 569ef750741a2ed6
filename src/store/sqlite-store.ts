// The embedded store: better-sqlite3 in WAL mode. One connection serves the whole process;
// SQLite allows one writer at a time anyway, and this keeps transactions simple.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { StoreError, errorMessage } from '../lib/errors.js';
import type { Database } from './database.js';
import { SqliteCheckpointer, type CheckpointerOptions } from './sqlite-checkpointer.js';
import { KyselyStore, type Store } from './store.js';

/**
 * Kysely prepares every statement anew; ingest runs the same few statements thousands of
 * times. Caching prepared statements by SQL text saves their compilation (measured: ~10 % of
 * ingest time). Safe because Kysely runs one statement at a time on the single connection.
 */
function withStatementCache(handle: BetterSqlite3.Database, size = 200): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => handle.close(),
    prepare(sqlText: string) {
      let statement = cache.get(sqlText);
      if (statement) {
        cache.delete(sqlText); // keep the most recently used at the end
      } else {
        statement = handle.prepare(sqlText);
        if (cache.size >= size) cache.delete(cache.keys().next().value!);
      }
      cache.set(sqlText, statement);
      return statement;
    },
  };
}

export interface SqliteStoreOptions {
  /** How long a statement waits for another process's write lock before failing. */
  readonly busyTimeoutMs?: number;
  /**
   * Checkpoint the WAL in a worker thread instead of on the event loop (see
   * SqliteCheckpointer); for long-running processes on a database file. Off by default: a
   * short CLI command does not need the thread.
   */
  readonly backgroundCheckpoints?: boolean | CheckpointerOptions;
}

/** Opens (creating if needed) the SQLite database at `path`. `:memory:` works for tests. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Store {
  const file = path === ':memory:' ? path : resolve(path);
  let handle: BetterSqlite3.Database;
  try {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    handle = new BetterSqlite3(file);
    handle.pragma('journal_mode = WAL');
    handle.pragma('synchronous = NORMAL');
    // better-sqlite3 waits for a lock synchronously, blocking the event loop: keep the wait short
    // and let callers retry asynchronously (the history writer retries a batch with backoff).
    handle.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 1000}`);
    handle.pragma('foreign_keys = ON');
    // Recommended for long-lived connections: cheap, and keeps statistics fresh enough.
    handle.pragma('optimize = 0x10002');
  } catch (error) {
    throw new StoreError(`cannot open SQLite database ${file}: ${errorMessage(error)}`, { cause: error });
  }
  const background = options.backgroundCheckpoints;
  const checkpointer =
    background && file !== ':memory:'
      ? new SqliteCheckpointer(handle, file, background === true ? {} : background)
      : undefined;
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(handle) }) });
  return new KyselyStore({
    dialect: 'sqlite',
    db,
    location: `sqlite:${file}`,
    // SQLite's own locking guards migrations across processes: BEGIN IMMEDIATE takes the
    // write lock (waiting up to busy_timeout), so a second process waits and then finds
    // every migration applied. Kysely's SQLite adapter has no lock of its own.
    migratorTransactions: false,
    async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
      await sql`begin immediate`.execute(db);
      try {
        const result = await fn();
        await sql`commit`.execute(db);
        return result;
      } catch (error) {
        await sql`rollback`.execute(db).catch(() => undefined);
        throw error;
      }
    },
    optimize() {
      handle.pragma('optimize');
      return Promise.resolve();
    },
    async close() {
      await checkpointer?.stop();
      await db.destroy();
    },
  });
}
