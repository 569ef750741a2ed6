// The alerting CLI works on the store directly: silences added, listed and expired without a
// server, picked up by a running Lookout; alerts listed with their state; dead letters re-sent.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SILENCE_SYNC_INTERVAL_MS } from '../../src/alerting/alerting.js';
import { ManualClock } from '../../src/alerting/clock.js';
import { openSqliteStore, type Store } from '../../src/store/index.js';
import { enqueueNotifications } from '../../src/store/repos/outbox-repo.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { startAlerting } from './support/harness.js';

const ALERTING = `
route:
  receiver: hook
  group_by: [alertname]
receivers:
  - name: hook
    webhook_configs: [{ url: 'http://127.0.0.1:9/hook' }]
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
`;

describe('lookout silence and lookout alerts', () => {
  const dir = tempDir('lookout-cli-alerting-');
  const dbFile = join(dir.path, 'lookout.db');
  const configFile = join(dir.path, 'lookout.yaml');
  let store: Store;

  beforeAll(async () => {
    writeFileSync(
      configFile,
      `clusters: []\nstorage:\n  url: sqlite:${dbFile}\nalerting:\n${ALERTING.split('\n')
        .map((l) => `  ${l}`)
        .join('\n')}\n`,
    );
    store = openSqliteStore(dbFile);
    await store.migrate();
  });

  afterAll(async () => {
    await store.close();
    dir.remove();
  });

  const cli = (...args: string[]) => runCli(['--config', configFile, ...args]);

  it('adds a silence a running Lookout picks up, lists it and expires it', { timeout: 120_000 }, async () => {
    // The CLI runs on the real clock; the service's manual clock starts there too.
    const h = await startAlerting(store, ALERTING, new ManualClock(Date.now()));
    await h.alerting.ingest([{ labels: { alertname: 'Disk', node: 'a' } }], 'test');

    const added = await cli(
      'silence',
      'add',
      'alertname=Disk',
      'node=~"a|b"',
      '--duration',
      '2h',
      '--comment',
      'disk swap',
      '--author',
      'ops',
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    // The silence starts when the CLI made it (real time, seconds later on a busy machine): move
    // the service's clock past that and past its next silence sync.
    h.clock.advance(Math.max(0, Date.now() - h.clock.now()) + SILENCE_SYNC_INTERVAL_MS);
    await h.alerting.idle();
    const disk = [...h.alerting.alerts()][0]!;
    expect(h.alerting.statusOf(disk, h.clock.now()).silencedBy).toEqual([id]);
    await h.alerting.stop();

    const listed = await cli('silence', 'list', '-o', 'json');
    const silences = JSON.parse(listed.stdout) as Array<{
      id: string;
      state: string;
      createdBy: string;
      comment: string;
    }>;
    expect(silences).toEqual([
      expect.objectContaining({ id, state: 'active', createdBy: 'ops', comment: 'disk swap' }),
    ]);
    const table = await cli('silence', 'list');
    expect(table.stdout).toContain('alertname="Disk" node=~"a|b"');

    const alerts = await cli('alerts', '-o', 'json');
    expect(JSON.parse(alerts.stdout)).toEqual([
      expect.objectContaining({
        state: 'suppressed',
        labels: { alertname: 'Disk', node: 'a' },
        silencedBy: [id],
      }),
    ]);

    const expired = await cli('silence', 'expire', id);
    expect(expired.stdout.trim()).toBe(`expired ${id}`);
    expect(JSON.parse((await cli('silence', 'list', '-o', 'json')).stdout)).toEqual([]);
    const again = await cli('silence', 'expire', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already expired');
  });

  it(
    'refuses a silence that would match everything, and a bad matcher, with a clear message',
    { timeout: 60_000 },
    async () => {
      const all = await cli('silence', 'add', 'alertname=~".*"', '--comment', 'x');
      expect(all.code).toBe(1);
      expect(all.stderr).toContain('at least one matcher must not match the empty string');
      const bad = await cli('silence', 'add', 'alertname="Disk', '--comment', 'x');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('unescaped double quote');
    },
  );

  it('lists dead letters and queues one for delivery again', { timeout: 60_000 }, async () => {
    await enqueueNotifications(
      store.db,
      [
        {
          receiver: 'hook',
          integration: 'webhook',
          integrationIndex: 0,
          groupKey: '{}:{alertname="Disk"}',
          idempotencyKey: 'cli-test-1',
          notification: {
            version: '4',
            groupKey: '{}:{alertname="Disk"}',
            truncatedAlerts: 0,
            status: 'firing',
            receiver: 'hook',
            groupLabels: {},
            commonLabels: {},
            commonAnnotations: {},
            externalURL: '',
            alerts: [],
          },
        },
      ],
      Date.now(),
    );
    await store.db
      .updateTable('notification_outbox')
      .set({ status: 'dead', last_error: 'HTTP 500' })
      .execute();
    const dead = await cli('alerts', '--dead');
    expect(dead.stdout).toMatch(/hook\s+webhook\[0\]\s+firing/);
    expect(dead.stdout).toContain('HTTP 500');
    const id = (await store.db.selectFrom('notification_outbox').select('id').executeTakeFirstOrThrow()).id;
    const resent = await cli('alerts', '--resend', String(id));
    expect(resent.stdout.trim()).toBe(`queued ${id} for delivery again`);
    const row = await store.db.selectFrom('notification_outbox').select('status').executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect((await cli('alerts', '--resend', '999999')).code).toBe(1);
  });
});
