// Lookout's configuration: one schema, validated once, every error with its YAML path.
export {
  loadConfig,
  parseConfig,
  resolveConfigPath,
  processEnv,
  formatPath,
  type Env,
  type LoadOptions,
} from './load.js';
export { printConfig } from './print.js';
export { configSchema, type Config } from './schema.js';
export type { ClusterConfig } from './sections/clusters.js';
export type { StorageConfig } from './sections/storage.js';
export type { HttpConfig } from './sections/http.js';
