// Debian's real amtool (Alertmanager 0.25's CLI) against Lookout: posting and querying alerts,
// adding, querying and expiring silences all work as they do against Alertmanager.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Hono } from 'hono';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlerting, type Alerting } from '../../src/alerting/alerting.js';
import { startHttpServer, type RunningServer } from '../../src/http/server.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { alertingConfig } from './support/harness.js';

const run = promisify(execFile);

describe('amtool against Lookout', () => {
  let store: Store;
  let alerting: Alerting;
  let server: RunningServer;

  beforeAll(async () => {
    store = openSqliteStore(':memory:');
    await store.migrate();
    alerting = createAlerting({
      config: alertingConfig(`
route:
  receiver: hook
  group_by: [alertname]
receivers:
  - name: hook
`),
      store,
      log: silentLogger(),
      registry: new Registry(),
    });
    await alerting.start();
    const app = new Hono();
    alerting.mount(app);
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await server.close();
    await alerting.stop();
    await store.close();
  });

  const amtool = async (...args: string[]) => {
    const { stdout } = await run('amtool', [`--alertmanager.url=${server.url}`, ...args], {
      timeout: 20_000,
    });
    return stdout;
  };

  it('adds and queries alerts', async () => {
    await amtool('alert', 'add', 'alertname=DiskFull', 'node=n1', '--annotation=summary=disk is full');
    const table = await amtool('alert', 'query');
    expect(table).toMatch(/DiskFull\s+.*disk is full\s+active/);
    const json = JSON.parse(await amtool('alert', 'query', '-o', 'json', 'alertname=DiskFull')) as Array<{
      labels: Record<string, string>;
    }>;
    expect(json.map((a) => a.labels)).toEqual([{ alertname: 'DiskFull', node: 'n1' }]);
  });

  it('adds, queries and expires silences, and the silenced alert shows as suppressed', async () => {
    const id = (
      await amtool('silence', 'add', 'alertname=DiskFull', '-c', 'swapping the disk', '-d', '2h', '-a', 'ops')
    ).trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const query = await amtool('silence', 'query');
    expect(query).toContain(id);
    expect(query).toContain('alertname="DiskFull"');
    expect(query).toContain('swapping the disk');
    expect(await amtool('alert', 'query')).not.toContain('DiskFull');
    expect(await amtool('alert', 'query', '--silenced')).toMatch(/DiskFull.*suppressed/);
    await amtool('silence', 'expire', id);
    expect(await amtool('silence', 'query')).not.toContain(id);
    expect(await amtool('silence', 'query', '--expired')).toContain(id);
  });
});
