// `lookout config print`: the effective configuration as YAML, secrets redacted.
import { stringify } from 'yaml';
import { configSchema, type Config } from './schema.js';
import { toPrintable } from './schema-walk.js';

export function printConfig(config: Config): string {
  return stringify(toPrintable(configSchema, config), { lineWidth: 0 });
}
