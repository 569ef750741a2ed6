// `lookout demo`, the README's first command: the simulated cluster and Lookout in one process,
// the web UI open without signing in on loopback, history filling, alerts printed, clean stop.
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli, waitForOutput } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-demo-');
afterAll(() => dir.remove());

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('lookout demo', () => {
  it('serves the UI without sign-in on loopback, fills the history, prints alerts, stops with exit 0', async () => {
    const child = spawnCli([
      'demo',
      '--listen',
      '127.0.0.1:0',
      '--data-dir',
      join(dir.path, 'data'),
      '--time-scale',
      '0.05',
    ]);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    try {
      const banner = await waitForOutput(
        child,
        (t) => /Lookout demo is running at http:\/\/\S+/.test(t),
        60_000,
      );
      const url = /Lookout demo is running at (http:\/\/\S+)/.exec(banner)![1]!;

      const ui = await fetch(`${url}/ui`);
      expect(ui.status).toBe(200);
      const html = await ui.text();
      expect(html).toContain('Lookout');
      expect(html).not.toContain('Sign in to Lookout');

      const abnormal = await until('abnormal pods in the API', async () => {
        const body = (await (await fetch(`${url}/api/v1/pods?abnormal=true`)).json()) as {
          items: Array<{ name: string }>;
        };
        return body.items.length > 0 ? body.items : undefined;
      });
      expect(abnormal.length).toBeGreaterThan(0);
      await until('a crash with its log', async () => {
        const body = (await (await fetch(`${url}/api/v1/crashes`)).json()) as {
          items: Array<{ logStatus: string }>;
        };
        return body.items.find((c) => c.logStatus === 'ok');
      });
      await until('an alert printed by the console receiver', () =>
        Promise.resolve(/^FIRING +\w+/m.test(stdout) ? true : undefined),
      );
    } finally {
      child.kill('SIGTERM');
    }
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
  }, 120_000);
});
