import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError } from '../lib/errors.js';
import { expandEnv } from './env-expand.js';
import { loadConfig, parseConfig } from './load.js';
import { printConfig } from './print.js';
import { duration, obj } from './schema-kit.js';

function issuesOf(text: string, env: Record<string, string> = {}): string[] {
  try {
    parseConfig(text, { env });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
  }
  throw new Error('expected the config to be rejected');
}

describe('parseConfig', () => {
  it('gives the embedded defaults for an empty file', () => {
    const config = parseConfig('', { env: {} });
    expect(config.storage.url.reveal()).toBe('sqlite:./lookout-data/lookout.db');
    expect(config.http.listen).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(config.clusters).toEqual([]);
  });

  it('lists every problem with its YAML path, not only the first', () => {
    const issues = issuesOf(
      [
        'storage:',
        '  url: mysql://x',
        '  pool_size: 0',
        'http:',
        '  listen: localhost',
        '  listn: 1',
        'clusters:',
        '  - name: Prod',
        '    kubeconfig: /k',
        'retention: {}',
        'colect: {}',
      ].join('\n'),
    );
    expect(issues).toHaveLength(6);
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^storage\.url: "mysql:\/\/x" is not a storage URL/),
        'storage.pool_size: must be at least 1',
        expect.stringMatching(/^http\.listen: "localhost" is not a listen address/),
        'http.listn: unknown key (did you mean "listen"?)',
        expect.stringMatching(/^clusters\[0\]\.name: must be lower-case/),
        'colect: unknown key (did you mean "collect"?)',
      ]),
    );
  });

  it('suggests the snake_case key for a camelCase one', () => {
    expect(issuesOf('storage:\n  poolSize: 3\n')).toEqual([
      'storage.poolSize: unknown key (did you mean "pool_size"?)',
    ]);
  });

  it('names the type it expected', () => {
    expect(issuesOf('clusters: {}\n')).toEqual(['clusters: must be a list (got {})']);
    expect(issuesOf('storage:\n  pool_size: "ten"\n')).toEqual([
      'storage.pool_size: must be a number (got "ten")',
    ]);
  });

  it('rejects duplicate cluster names and contradicting sources', () => {
    const issues = issuesOf(
      'clusters:\n  - { name: a, kubeconfig: /k }\n  - { name: a, in_cluster: true }\n  - { name: b, in_cluster: true, kubeconfig: /k }\n',
    );
    expect(issues).toEqual([
      'clusters[2].in_cluster: set either kubeconfig or in_cluster: true, not both',
      'clusters[1].name: "a" is already used by clusters[0]',
    ]);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(issuesOf('http: {}\nhttp: {}\n')).toEqual(['line 2, column 1: Map keys must be unique']);
  });

  it('rejects a document that is not a mapping', () => {
    expect(issuesOf('- a\n- b\n')).toEqual([
      'the config must be a mapping of sections (clusters, storage, http, …)',
    ]);
  });
});

describe('environment expansion', () => {
  it('expands ${VAR} and ${VAR:-default} before parsing', () => {
    const config = parseConfig('storage:\n  url: ${DB_URL}\nhttp:\n  listen: ${LISTEN:-127.0.0.1:9999}\n', {
      env: { DB_URL: 'postgres://lookout:s3cret-pw@db:5432/lookout' },
    });
    expect(config.storage.url.reveal()).toBe('postgres://lookout:s3cret-pw@db:5432/lookout');
    expect(config.http.listen.port).toBe(9999);
  });

  it('reports unset variables without a default, each with its line', () => {
    const result = expandEnv('a: ${ONE}\nb: ${TWO}\nc: ${THREE:-x}\n', {});
    expect(result.issues.map((i) => i.message)).toEqual([
      'line 1: environment variable ONE is not set (use ${ONE:-default} for a default)',
      'line 2: environment variable TWO is not set (use ${TWO:-default} for a default)',
    ]);
    expect(result.text).toBe('a: \nb: \nc: x\n');
  });

  it('keeps $$ as a literal dollar and treats an empty variable as unset', () => {
    expect(expandEnv('p: a$$b ${E:-d}', { E: '' }).text).toBe('p: a$b d');
  });
});

describe('durations', () => {
  const schema = obj({ group_wait: duration() });

  it('parses Prometheus notation to milliseconds', () => {
    expect(schema.parse({ group_wait: '1h30m' })).toEqual({ group_wait: 5_400_000 });
    expect(schema.parse({ group_wait: '0s' })).toEqual({ group_wait: 0 });
  });

  it('explains what a duration looks like', () => {
    const result = schema.safeParse({ group_wait: '5 minutes' });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('"5 minutes" is not a duration (examples: 30s, 5m, 1h)');
  });
});

describe('printConfig', () => {
  it('shows the effective config with passwords redacted', () => {
    const text = printConfig(
      parseConfig('storage:\n  url: postgres://lookout:hunter2-pw@db/lookout\n', { env: {} }),
    );
    expect(text).not.toContain('hunter2-pw');
    expect(text).toContain('url: postgres://lookout:<redacted>@db/lookout');
    expect(text).toContain('listen: 127.0.0.1:8080');
  });
});

describe('loadConfig', () => {
  it('reads the file named by LOOKOUT_CONFIG when no path is given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-config-'));
    const file = join(dir, 'lookout.yaml');
    writeFileSync(file, 'http:\n  listen: 127.0.0.1:7001\n');
    expect(loadConfig({ env: { LOOKOUT_CONFIG: file } }).http.listen.port).toBe(7001);
  });

  it('says which file it could not read', () => {
    expect(() => loadConfig({ path: '/nonexistent/lookout.yaml', env: {} })).toThrow(
      'cannot read config file "/nonexistent/lookout.yaml" (ENOENT)',
    );
  });
});

describe('schema strictness', () => {
  it('every section rejects unknown keys', () => {
    for (const section of ['collect', 'rules', 'alerting', 'chat', 'retention', 'storage', 'http']) {
      const issues = issuesOf(`${section}:\n  zzz_unknown: 1\n`);
      expect(issues[0]).toMatch(new RegExp(`^${section}\\.zzz_unknown: unknown key`));
    }
    void z;
  });
});
