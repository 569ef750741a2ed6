// The two store kinds every store test runs against: a SQLite temp file and a throw-away
// database on the machine's real PostgreSQL.
import { join } from 'node:path';
import { openPostgresStore, openSqliteStore, type Store } from '../../src/store/index.js';
import { createTempDatabase } from './postgres.js';
import { tempDir } from './tmp.js';

export interface StoreTarget {
  readonly name: 'sqlite' | 'postgres';
  /** A fresh, empty database; returns its URL (as `storage.url` takes it) and a cleanup. */
  create(): Promise<{ url: string; open(): Store; cleanup(): Promise<void> }>;
}

export const STORE_TARGETS: readonly StoreTarget[] = [
  {
    name: 'sqlite',
    create() {
      const dir = tempDir('lookout-store-');
      const file = join(dir.path, 'lookout.db');
      return Promise.resolve({
        url: `sqlite:${file}`,
        open: () => openSqliteStore(file),
        cleanup: () => Promise.resolve(dir.remove()),
      });
    },
  },
  {
    name: 'postgres',
    async create() {
      const database = await createTempDatabase();
      return {
        url: database.url,
        open: () => openPostgresStore(database.url),
        cleanup: () => database.drop(),
      };
    },
  },
];
