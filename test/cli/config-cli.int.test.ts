import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-cli-');
afterAll(() => dir.remove());

function file(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

describe('lookout config check', () => {
  it('prints all five mistakes with their paths and exits 78', async () => {
    const path = file(
      'bad.yaml',
      [
        'storage:',
        '  url: mysql://nope', // 1: unsupported storage
        '  pool_size: -1', // 2: out of range
        'http:',
        '  listen: ":http"', // 3: not an address
        'clusters:',
        '  - name: prod', // 4: neither kubeconfig nor in_cluster
        'retension: {}', // 5: misspelt section
      ].join('\n'),
    );
    const result = await runCli(['config', 'check', '--config', path]);
    expect(result.code).toBe(78);
    const lines = result.stderr.split('\n').filter((l) => l.startsWith('  '));
    expect(lines).toHaveLength(5);
    expect(result.stderr).toContain('configuration has 5 problems');
    expect(result.stderr).toContain('storage.url: "mysql://nope" is not a storage URL');
    expect(result.stderr).toContain('storage.pool_size: must be at least 1');
    expect(result.stderr).toContain('http.listen: ":http" is not a listen address');
    expect(result.stderr).toContain('clusters[0].kubeconfig: is required (or set in_cluster: true)');
    expect(result.stderr).toContain('retension: unknown key (did you mean "retention"?)');
  });

  it('exits 0 on a valid file, read from LOOKOUT_CONFIG', async () => {
    const path = file('good.yaml', 'http:\n  listen: 127.0.0.1:18080\n');
    const result = await runCli(['config', 'check'], { env: { LOOKOUT_CONFIG: path } });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('configuration is valid');
  });
});

describe('lookout config print', () => {
  it('prints the effective config with secrets replaced by <redacted>', async () => {
    const path = file('secret.yaml', 'storage:\n  url: postgres://lookout:${DB_PASSWORD}@db:5432/lookout\n');
    const result = await runCli(['config', 'print', '--config', path], {
      env: { DB_PASSWORD: 'tops3cret-value' },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('tops3cret-value');
    expect(result.stdout).toContain('url: postgres://lookout:<redacted>@db:5432/lookout');
    expect(result.stdout).toContain('pool_size: 10');
  });
});

describe('lookout --help', () => {
  it('lists every command with one line each', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const command of ['serve', 'migrate', 'config', 'doctor'])
      expect(result.stdout).toMatch(new RegExp(`\\n  ${command}\\b`));
  });
});
