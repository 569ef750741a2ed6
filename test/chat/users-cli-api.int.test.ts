// The same user management outside chat: `lookout users …` and `lookout audit` on the store,
// and the users/audit JSON API the web UI calls — on SQLite and PostgreSQL.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { usersApi } from '../../src/http/api/users-api.js';
import { createHttpApp } from '../../src/http/app.js';
import { Readiness } from '../../src/lib/readiness.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { createMetrics } from '../../src/telemetry/metrics.js';
import { appendAudit } from '../../src/store/repos/audit-repo.js';
import { registerUser } from '../../src/store/repos/user-repo.js';
import { runCli } from '../support/cli.js';
import { STORE_TARGETS } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

const dir = tempDir('lookout-users-');
afterAll(() => dir.remove());

describe('lookout users and lookout audit', () => {
  it('adds, approves, grants, revokes and lists users, and prints the audit log', async () => {
    const config = join(dir.path, 'lookout.yaml');
    writeFileSync(
      config,
      [
        `storage: { url: "sqlite:${join(dir.path, 'cli.db')}" }`,
        'chat: { telegram: { bot_token: "1:x", admins: [1001] } }',
      ].join('\n'),
    );
    const cli = (...args: string[]) => runCli(['-c', config, ...args]);
    expect((await cli('users', 'add', '2001', '--role', 'pending', '--name', 'Alice')).code).toBe(0);
    const approved = await cli('users', 'approve', '2001', 'shop', 'ops');
    expect(approved.stdout).toContain('2001 Alice: member (ops, shop)');
    expect((await cli('users', 'revoke', '2001', 'ops')).stdout).toContain('member (shop)');
    const refused = await cli('users', 'role', '1001', 'member');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('admin in the configuration');
    const bad = await cli('users', 'grant', '2001', 'Not_A_Namespace');
    expect(bad.code).toBe(1);
    const list = await cli('users', 'list', '-o', 'json');
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({ id: 2001, role: 'member', namespaces: ['shop'] }),
    ]);
    const audit = await cli('audit', '--since', '1h');
    expect(audit.code).toBe(0);
    expect(audit.stdout).toContain('ACTION');
  }, 60_000);
});

describe.each(STORE_TARGETS)('users and audit API ($name)', (target) => {
  it('lists users, changes role and grants with PATCH, refuses bad input, and pages the audit log', async () => {
    const db = await target.create();
    const store = db.open();
    try {
      await store.migrate();
      await registerUser(store.db, { id: 2001, name: 'Alice', username: 'alice' }, 1000);
      for (let i = 0; i < 3; i++)
        await appendAudit(store.db, {
          at: 2000 + i,
          userId: 2001,
          userName: 'Alice',
          chatId: 2001,
          action: '/status',
          args: { args: [] },
          result: 'ok',
          detail: null,
        });
      const app = createHttpApp(
        {
          log: silentLogger(),
          metrics: createMetrics({ version: 'test' }),
          readiness: new Readiness(),
          status: () => ({}),
        },
        [usersApi({ store, configAdmins: [1001], actor: () => 'web:ada' })],
      );

      const users = (await (await app.request('/api/v1/chat/users')).json()) as {
        items: Array<{ id: number; role: string }>;
      };
      expect(users.items).toEqual([expect.objectContaining({ id: 2001, role: 'pending' })]);
      const patch = (body: unknown, id = '2001') =>
        app.request(`/api/v1/chat/users/${id}`, {
          method: 'PATCH',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      const changed = await patch({ role: 'member', grant: ['shop', 'ops'], revoke: ['ops'] });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toMatchObject({ id: 2001, role: 'member', namespaces: ['shop'] });
      expect((await patch({ role: 'emperor' })).status).toBe(400);
      expect((await patch({ colour: 'red' })).status).toBe(400);
      expect((await patch({ role: 'member' }, '999')).status).toBe(404);
      const error = (await (await patch({ grant: 'shop' })).json()) as { error: { code: string } };
      expect(error.error.code).toBe('bad_request');

      const first = (await (await app.request('/api/v1/audit?user=2001&limit=2')).json()) as {
        items: Array<{ at: number }>;
        nextCursor?: string;
      };
      expect(first.items.map((e) => e.at)).toEqual([2002, 2001]);
      const second = (await (
        await app.request(`/api/v1/audit?user=2001&limit=2&cursor=${first.nextCursor}`)
      ).json()) as { items: Array<{ at: number }> };
      expect(second.items.map((e) => e.at)).toEqual([2000]);
      const updates = (await (await app.request('/api/v1/audit?action=users.update')).json()) as {
        items: Array<{ userName: string; result: string }>;
      };
      expect(updates.items[0]).toMatchObject({ userName: 'web:ada' });
      expect(updates.items.some((e) => e.result === 'error')).toBe(true);
    } finally {
      await store.close();
      await db.cleanup();
    }
  });
});
