// `lookout sim` end to end: the real CLI starts a scenario behind the simulated API server,
// writes a kubeconfig the real kubectl uses unchanged (plain HTTP, and HTTPS with a token),
// and stops cleanly on SIGINT.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collect, runCli, spawnCli, waitForOutput } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const run = promisify(execFile);
const KUBECTL = '/usr/bin/kubectl';
const dir = tempDir('lookout-sim-cli-');
afterAll(() => dir.remove());

async function kubectl(
  kubeconfig: string,
  ...args: string[]
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      KUBECTL,
      ['--kubeconfig', kubeconfig, '--cache-dir', join(dir.path, `cache-${Math.random()}`), ...args],
      { timeout: 60_000 },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

describe.skipIf(!existsSync(KUBECTL))('lookout sim', () => {
  it('serves a scenario that the real kubectl lists through the kubeconfig it writes, and stops on SIGINT', async () => {
    const kubeconfig = join(dir.path, 'plain.yaml');
    const child = spawnCli([
      'sim',
      '--scenario',
      'steady',
      '--port',
      '0',
      '--seed',
      '3',
      '--kubeconfig-out',
      kubeconfig,
      '--log-level',
      'warn',
    ]);
    const output = await waitForOutput(child, (t) => t.includes('kubeconfig: '), 60_000);
    const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
    expect(url).toBeDefined();
    expect(output).toContain('Lookout simulated cluster "steady" (seed 3)');
    expect(statSync(kubeconfig).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(kubeconfig, 'utf8')).clusters[0].cluster.server).toBe(url);

    const pods = await kubectl(kubeconfig, 'get', 'pods', '-A');
    expect(pods.stderr).toBe('');
    const lines = pods.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.length).toBeGreaterThan(35);
    expect(lines.some((l) => /^shop\s+frontend-\w+-\w+\s+1\/1\s+Running\s+0\s+\d+d/.test(l))).toBe(true);
    expect(lines.some((l) => /^kube-system\s+etcd-control-plane\s+1\/1\s+Running/.test(l))).toBe(true);

    const top = await kubectl(kubeconfig, 'top', 'nodes');
    expect(top.stdout).toMatch(/^NAME\s+CPU\(cores\)\s+CPU(\(%\)|%)\s+MEMORY\(bytes\)\s+MEMORY(\(%\)|%)/);
    expect(top.stdout).toMatch(/\nworker-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/);

    child.kill('SIGINT');
    const done = await collect(child);
    expect(done.code).toBe(0);
  }, 120_000);

  it('serves HTTPS with a bearer token: kubectl works with the written kubeconfig and is refused with another token', async () => {
    const kubeconfig = join(dir.path, 'tls.yaml');
    const child = spawnCli([
      'sim',
      '--scenario',
      'steady',
      '--port',
      '0',
      '--tls',
      '--token',
      'sim-token-123',
      '--kubeconfig-out',
      kubeconfig,
      '--log-level',
      'warn',
    ]);
    const output = await waitForOutput(child, (t) => t.includes('kubeconfig: '), 60_000);
    expect(output).toMatch(/listening on https:\/\/127\.0\.0\.1:\d+/);
    const nodes = await kubectl(kubeconfig, 'get', 'nodes');
    expect(nodes.stdout).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\n/);
    expect(nodes.stdout).toMatch(/\ncontrol-plane\s+Ready\s+control-plane\s+\d+d\s+v1\.32\.4\n/);
    const wrong = join(dir.path, 'wrong.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(wrong, readFileSync(kubeconfig, 'utf8').replace('sim-token-123', 'not-the-token'));
    const refused = await kubectl(wrong, 'get', 'nodes');
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/You must be logged in to the server|Unauthorized/);
    child.kill('SIGTERM');
    expect((await collect(child)).code).toBe(0);
  }, 120_000);

  it('refuses an unknown scenario with the list of known ones', async () => {
    const result = await runCli(['sim', '--scenario', 'chaos']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'choose one of: steady, crashloop, oom, imagepull, node-failure, hpa-load, event-storm, big, mixed',
    );
  });
});
