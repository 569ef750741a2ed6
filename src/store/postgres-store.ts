// The scale-out store: PostgreSQL through a `pg` pool.
import { Kysely, PostgresDialect, sql } from 'kysely';
import type pg from 'pg';
import { lazyRequire } from '../lib/lazy-require.js';
import { redactUrl } from '../lib/secret.js';
import type { Database } from './database.js';
import { KyselyStore, type Store } from './store.js';

export interface PostgresStoreOptions {
  readonly poolSize?: number;
  readonly connectTimeoutMs?: number;
}

/** The PostgreSQL driver is loaded only when a postgres:// storage URL is used. */
const loadPg = lazyRequire<typeof pg>('pg');

const INT8_OID = 20;

function int8AsNumber(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === INT8_OID) return (value: string): number => Number(value);
  return loadPg().types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

/** Opens a pool to the PostgreSQL database at `url`. Connects lazily. */
export function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Store {
  const pool = new (loadPg().Pool)({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    // Times are epoch milliseconds in BIGINT columns: read them as numbers, not strings.
    types: { getTypeParser: int8AsNumber as typeof pg.types.getTypeParser },
  });
  // An idle client losing its connection (server restart) must not crash the process;
  // the pool replaces it and the next query reports the problem to its caller.
  pool.on('error', () => undefined);
  // So must a client that is checked out but between two statements (inside a transaction)
  // when its connection ends: pg emits the error on the client, where nobody listens. The
  // transaction's next statement fails with the connection error and the client is discarded.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new KyselyStore({
    dialect: 'postgres',
    db,
    location: redactUrl(url),
    // Kysely takes pg_advisory_xact_lock inside the migration transaction.
    migratorTransactions: true,
    withMigrationLock: (fn) => fn(),
    async optimize() {
      await sql`analyze`.execute(db);
    },
    async close() {
      await db.destroy();
    },
  });
}
