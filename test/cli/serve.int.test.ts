import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { createLookout } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { collect, runCli, spawnCli, waitForOutput } from '../support/cli.js';
import { freePort } from '../support/ports.js';
import { createTempDatabase } from '../support/postgres.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-serve-');
afterAll(() => dir.remove());

describe('lookout serve', () => {
  it('answers /healthz, /readyz, /metrics and /api/v1/status, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const config = join(dir.path, 'serve.yaml');
    writeFileSync(
      config,
      `storage:\n  url: sqlite:${join(dir.path, 'data', 'lookout.db')}\nhttp:\n  listen: 127.0.0.1:${port}\n  auth:\n    mode: none\n`,
    );
    const child = spawnCli(['serve', '--config', config]);
    const done = collect(child);
    await waitForOutput(child, (t) => t.includes('Lookout is listening'));
    const base = `http://127.0.0.1:${port}`;

    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true } } });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toMatch(/lookout_build_info\{version="[^"]+",node_version="v\d+/);
    expect(metrics).toContain('lookout_http_requests_total{method="GET",route="/readyz",status="200"} 1');
    const status = (await (await fetch(`${base}/api/v1/status`)).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ name: 'Lookout', storage: { dialect: 'sqlite' } });
    const missing = await fetch(`${base}/api/v1/nothing-here`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: 'no route for GET /api/v1/nothing-here' },
    });

    const t0 = Date.now();
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(result.stderr).toContain('"msg":"stopped"');
  });

  it('refuses to start on a bad config with exit 78', async () => {
    const config = join(dir.path, 'bad.yaml');
    writeFileSync(config, 'http:\n  listen: nowhere\n');
    const result = await runCli(['serve', '--config', config]);
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('http.listen');
  });
});

describe('readiness', () => {
  it('turns 503 with a JSON reason when the database goes away', async () => {
    const database = await createTempDatabase();
    const config = parseConfig(
      `storage:\n  url: ${database.url}\n  pool_size: 2\nhttp:\n  listen: 127.0.0.1:0\n`,
      { env: {} },
    );
    const lookout = await createLookout({ config, log: silentLogger() });
    await lookout.start();
    try {
      expect((await fetch(`${lookout.url}/readyz`)).status).toBe(200);
      await database.drop();
      const res = await fetch(`${lookout.url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { status: string; reason: string };
      expect(body.status).toBe('not ready');
      expect(body.reason).toMatch(/^database: /);
      // The healthz probe is about the process, not its dependencies.
      expect((await fetch(`${lookout.url}/healthz`)).status).toBe(200);
    } finally {
      await lookout.stop();
      await database.drop();
    }
  });
});

describe('lookout migrate and doctor', () => {
  it('migrate applies once, then reports up to date; doctor passes', async () => {
    const config = join(dir.path, 'migrate.yaml');
    writeFileSync(config, `storage:\n  url: sqlite:${join(dir.path, 'm', 'lookout.db')}\n`);
    const first = await runCli(['migrate', '--config', config]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('applied 0001-core');
    const second = await runCli(['migrate', '--config', config]);
    expect(second.stdout).toContain('up to date');
    const doctor = await runCli(['doctor', '--config', config]);
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toMatch(/PASS {2}config: .* is valid/);
    expect(doctor.stdout).toMatch(/PASS {2}database: sqlite:.* reachable, schema up to date/);
  });

  it('doctor fails the database line when PostgreSQL is unreachable', async () => {
    const config = join(dir.path, 'doctor.yaml');
    writeFileSync(config, 'storage:\n  url: postgres://postgres:pw@127.0.0.1:1/none\n');
    const doctor = await runCli(['doctor', '--config', config]);
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/FAIL {2}database: database unreachable/);
    expect(doctor.stdout).not.toContain(':pw@');
  });
});
