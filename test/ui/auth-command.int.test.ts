// `lookout auth`: hashes that config accepts and bcrypt verifies, and tokens made on the command
// line that the HTTP gate then accepts — against a real SQLite file.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compare } from 'bcryptjs';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { AuthService } from '../../src/http/auth/auth-service.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

function run(args: string[], input = '') {
  return runCli(args, { input });
}

describe('lookout auth', () => {
  const dir = tempDir('lookout-auth-cli-');
  afterAll(() => dir.remove());
  const configFile = join(dir.path, 'lookout.yaml');
  writeFileSync(configFile, `storage:\n  url: sqlite:${join(dir.path, 'l.db')}\n`);

  it('prints a bcrypt hash of the password on stdin that the config accepts', async () => {
    const out = await run(['auth', 'hash-password'], 'correct horse battery\n');
    expect(out.code).toBe(0);
    const hash = out.stdout.trim();
    expect(hash).toMatch(/^\$2b\$10\$/);
    expect(await compare('correct horse battery', hash)).toBe(true);
    const config = parseConfig(
      `http:\n  auth:\n    users:\n      - name: ann\n        password_hash: "${hash}"\n`,
      { env: {} },
    );
    expect(config.http.auth.users[0]!.password_hash.reveal()).toBe(hash);
    expect(out.stdout).not.toContain('correct horse');
  }, 30_000);

  it('refuses a short password', async () => {
    const out = await run(['auth', 'hash-password'], 'short\n');
    expect(out.code).toBe(2);
    expect(out.stderr).toContain('at least 8 characters');
  }, 30_000);

  it('creates API tokens and replaces the bootstrap token, which the gate then accepts', async () => {
    const made = await run([
      '-c',
      configFile,
      'auth',
      'create-token',
      '--name',
      'prometheus',
      '--role',
      'ingest',
      '--expires',
      '90d',
    ]);
    expect(made.code, made.stderr).toBe(0);
    const token = made.stdout.trim();
    expect(token).toMatch(/^lk_api_/);
    const reset = await run(['-c', configFile, 'auth', 'reset-token']);
    expect(reset.code, reset.stderr).toBe(0);
    const boot = reset.stdout.trim();
    expect(boot).toMatch(/^lk_boot_/);

    const config = parseConfig(`storage:\n  url: sqlite:${join(dir.path, 'l.db')}\n`, { env: {} });
    const store = openStore(config.storage);
    try {
      const service = new AuthService({
        auth: config.http.auth,
        store,
        log: silentLogger(),
        announce: () => undefined,
      });
      expect(await service.bearer(token)).toEqual({ name: 'prometheus', role: 'ingest', via: 'token' });
      expect(await service.bearer(boot)).toEqual({ name: 'admin', role: 'admin', via: 'token' });
      const [record] = (await service.listApiTokens()).filter((t) => t.name === 'prometheus');
      expect(record!.expiresAt! - record!.createdAt).toBe(90 * 24 * 3600_000);
    } finally {
      await store.close();
    }
    const bad = await run(['-c', configFile, 'auth', 'create-token', '--name', 'x', '--role', 'root']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must be viewer, admin or ingest');
  }, 60_000);
});
