// The store: one Kysely handle over SQLite or PostgreSQL, its migrations, and health checks.
// Repositories (one per aggregate, see repos/) are built over `db` or over a transaction.
import { Migrator, sql, type Kysely, type MigrationResult } from 'kysely';
import { StoreError, errorMessage } from '../lib/errors.js';
import type { Database } from './database.js';
import type { Dialect } from './dialect.js';
import { MIGRATION_NAMES, migrationsFor } from './migrations/index.js';

export interface MigrationSummary {
  /** Migrations this call applied, in order. */
  readonly applied: readonly string[];
  /** All migrations the database has now. */
  readonly total: number;
}

export interface Store {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  /** Where the data lives, safe to log (passwords hidden). */
  readonly location: string;
  /** Applies pending migrations. Safe to call from several processes at once. */
  migrate(): Promise<MigrationSummary>;
  /** Names of migrations this build has that the database lacks. */
  pendingMigrations(): Promise<string[]>;
  /** Throws a {@link StoreError} when the database cannot answer within `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  /** Refreshes planner statistics; call after bulk loads and periodically. */
  optimize(): Promise<void>;
  close(): Promise<void>;
}

/** The dialect-specific parts a store needs; everything else is shared. */
export interface StoreDriver {
  readonly dialect: Dialect;
  readonly db: Kysely<Database>;
  readonly location: string;
  /** Runs `fn` while holding a lock that excludes other processes' migrations. */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Whether the migrator should wrap each migration in its own transaction. */
  readonly migratorTransactions: boolean;
  optimize(): Promise<void>;
  close(): Promise<void>;
}

export class KyselyStore implements Store {
  readonly #driver: StoreDriver;
  #closed = false;

  constructor(driver: StoreDriver) {
    this.#driver = driver;
  }

  get dialect(): Dialect {
    return this.#driver.dialect;
  }

  get db(): Kysely<Database> {
    return this.#driver.db;
  }

  get location(): string {
    return this.#driver.location;
  }

  #migrator(): Migrator {
    return new Migrator({
      db: this.db,
      provider: { getMigrations: () => Promise.resolve(migrationsFor(this.dialect)) },
      disableTransactions: !this.#driver.migratorTransactions,
    });
  }

  async migrate(): Promise<MigrationSummary> {
    const { error, results } = await this.#driver.withMigrationLock(() => this.#migrator().migrateToLatest());
    const applied = (results ?? [])
      .filter((r: MigrationResult) => r.status === 'Success')
      .map((r) => r.migrationName);
    if (error) {
      const failed = (results ?? []).find((r) => r.status === 'Error')?.migrationName;
      throw new StoreError(`migration ${failed ?? ''} failed: ${errorMessage(error)}`.replace('  ', ' '), {
        cause: error,
      });
    }
    return { applied, total: MIGRATION_NAMES.length };
  }

  async pendingMigrations(): Promise<string[]> {
    const migrations = await this.#migrator().getMigrations();
    return migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
  }

  async ping(timeoutMs = 2000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new StoreError(`database did not answer within ${timeoutMs} ms`, { retryable: true })),
        timeoutMs,
      );
    });
    try {
      await Promise.race([sql`select 1`.execute(this.db), timeout]);
    } catch (error) {
      if (error instanceof StoreError) throw error;
      throw new StoreError(`database unreachable: ${errorMessage(error)}`, { cause: error, retryable: true });
    } finally {
      clearTimeout(timer);
    }
  }

  optimize(): Promise<void> {
    return this.#driver.optimize();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#driver.close();
  }
}
