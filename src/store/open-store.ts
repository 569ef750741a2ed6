// Opens the store a `storage.url` names.
import type { StorageConfig } from '../config/index.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { Store } from './store.js';

export function openStore(storage: Pick<StorageConfig, 'url' | 'pool_size'>): Store {
  const url = storage.url.reveal();
  if (url.startsWith('sqlite:')) return openSqliteStore(url.slice('sqlite:'.length));
  return openPostgresStore(url, { poolSize: storage.pool_size });
}
