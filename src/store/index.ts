// Storage: Kysely over SQLite (embedded) or PostgreSQL, one migration set for both.
export { openStore } from './open-store.js';
export { openSqliteStore } from './sqlite-store.js';
export { openPostgresStore } from './postgres-store.js';
export type { Store, MigrationSummary } from './store.js';
export type { Database } from './database.js';
export type { Dialect } from './dialect.js';
