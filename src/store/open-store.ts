// Opens the store a `storage.url` names.
import type { StorageConfig } from '../config/index.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore, type SqliteStoreOptions } from './sqlite-store.js';
import type { Store } from './store.js';

/** `sqlite` options apply when the URL names a SQLite database. */
export function openStore(
  storage: Pick<StorageConfig, 'url' | 'pool_size'>,
  options: { readonly sqlite?: SqliteStoreOptions } = {},
): Store {
  const url = storage.url.reveal();
  if (url.startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length), options.sqlite);
  return openPostgresStore(url, { poolSize: storage.pool_size });
}
