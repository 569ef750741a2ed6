// Loads the configuration: file → ${VAR} expansion → YAML → schema. Every problem is
// collected and reported with its YAML path; nothing is reported one at a time.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue } from '../lib/errors.js';
import { expandEnv } from './env-expand.js';
import { configSchema, type Config } from './schema.js';
import { keysOf, schemaAt } from './schema-walk.js';
import { closest, snakeCase } from './suggest.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface LoadOptions {
  /** Config file; when absent, `LOOKOUT_CONFIG` is used, and without both the embedded defaults. */
  readonly path?: string | undefined;
  /** Environment for `${VAR}` expansion and `LOOKOUT_*` variables. Defaults to the process's. */
  readonly env?: Env;
}

/** The environment this process runs in. The only place in Lookout that reads `process.env`. */
export function processEnv(): Env {
  return process.env;
}

/** The config file to use: the flag, else `LOOKOUT_CONFIG`, else none (embedded defaults). */
export function resolveConfigPath(flag: string | undefined, env: Env = processEnv()): string | undefined {
  return flag ?? (env.LOOKOUT_CONFIG || undefined);
}

/** Loads and validates the configuration; throws {@link ConfigError} listing every problem. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? processEnv();
  const path = resolveConfigPath(options.path, env);
  if (path === undefined) return parseConfig('', { env });
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError(
      [{ path: '', message: `cannot read config file ${JSON.stringify(path)} (${code})` }],
      {
        cause: error,
      },
    );
  }
  return parseConfig(text, { env });
}

/** Validates configuration text (YAML). Empty text means "all defaults". */
export function parseConfig(text: string, options: { env?: Env } = {}): Config {
  const expanded = expandEnv(text, options.env ?? processEnv());
  const issues: ConfigIssue[] = [...expanded.issues];
  const lines = new LineCounter();
  const doc = parseDocument(expanded.text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  for (const error of doc.errors) {
    const { line, col } = lines.linePos(error.pos[0]);
    issues.push({ path: '', message: `line ${line}, column ${col}: ${error.message.split('\n')[0]}` });
  }
  if (issues.length > 0) throw new ConfigError(issues);

  const data: unknown = doc.toJS() ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigError([
      { path: '', message: 'the config must be a mapping of sections (clusters, storage, http, …)' },
    ]);
  }
  const result = configSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(describeIssues(result.error.issues));
}

/** Formats a path as YAML users read it: `clusters[0].namespaces.include`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else {
      const key = String(segment);
      out += /^[A-Za-z_][\w-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

const SECRET_PATH = /token|password|secret|url|key/i;

function describeValue(path: readonly PropertyKey[], input: unknown): string {
  if (path.some((p) => SECRET_PATH.test(String(p)))) return '';
  if (input === undefined) return '';
  const text = JSON.stringify(input);
  if (text === undefined || text.length > 60) return ` (got ${typeof input})`;
  return ` (got ${text})`;
}

function describeIssues(zodIssues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of zodIssues) {
    const path = issue.path;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = keysOf(schemaAt(configSchema, path));
        for (const key of issue.keys) {
          const hint = closest(snakeCase(key), known) ?? closest(key, known);
          issues.push({
            path: formatPath([...path, key]),
            message: `unknown key${hint ? ` (did you mean "${hint}"?)` : known.length ? ` (known keys: ${known.join(', ')})` : ''}`,
          });
        }
        break;
      }
      case 'invalid_type': {
        const input = (issue as { input?: unknown }).input;
        const message =
          input === undefined
            ? `is required (${issue.expected})`
            : `must be ${article(issue.expected)}${describeValue(path, input)}`;
        issues.push({ path: formatPath(path), message });
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map((v) => JSON.stringify(v)).join(', ');
        const input = (issue as { input?: unknown }).input;
        issues.push({
          path: formatPath(path),
          message: `must be one of ${values}${describeValue(path, input)}`,
        });
        break;
      }
      case 'too_small': {
        const what = issue.origin === 'array' ? 'items' : issue.origin === 'string' ? 'characters' : '';
        const min = String(issue.minimum);
        issues.push({
          path: formatPath(path),
          message: issue.message.startsWith('Too small')
            ? `must be at least ${min}${what ? ` ${what}` : ''}`
            : issue.message,
        });
        break;
      }
      case 'too_big': {
        const max = String(issue.maximum);
        issues.push({
          path: formatPath(path),
          message: issue.message.startsWith('Too big') ? `must be at most ${max}` : issue.message,
        });
        break;
      }
      default:
        issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

function article(expected: string): string {
  if (expected === 'array') return 'a list';
  if (expected === 'object') return 'a mapping';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}
