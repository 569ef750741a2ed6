import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { parseConfig } from '../load.js';
import { isLoopbackHost } from './http.js';

const HASH = '$2b$04$b3lESvwuUFsCvf36Y9/ECOslfCBuMTC.LMZeSOwt3xSUHaKF7Xboq';

function issues(text: string): string[] {
  try {
    parseConfig(text, { env: {} });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('expected the config to be rejected');
}

describe('http.auth', () => {
  it('requires sign-in by default, with a bootstrap token and 12-hour sessions', () => {
    const auth = parseConfig('', { env: {} }).http.auth;
    expect(auth).toEqual({
      mode: 'login',
      users: [],
      bootstrap_token: true,
      session_ttl: 12 * 3600_000,
      secure_cookies: 'auto',
    });
  });

  it('keeps password hashes out of printed values', () => {
    const config = parseConfig(
      `http:\n  auth:\n    users:\n      - name: ann\n        password_hash: "${HASH}"\n        role: admin\n`,
      { env: {} },
    );
    const user = config.http.auth.users[0]!;
    expect(user.role).toBe('admin');
    expect(String(user.password_hash)).toBe('<redacted>');
    expect(user.password_hash.reveal()).toBe(HASH);
  });

  it('reads a hash from a file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lookout-http-')), 'hash');
    writeFileSync(file, `${HASH}\n`);
    const config = parseConfig(
      `http:\n  auth:\n    users:\n      - name: ann\n        password_hash_file: ${file}\n`,
      { env: {} },
    );
    expect(config.http.auth.users[0]!.password_hash.reveal()).toBe(HASH);
    expect(config.http.auth.users[0]!.role).toBe('viewer');
  });

  it('refuses a password where a bcrypt hash belongs, and a missing hash', () => {
    expect(issues('http:\n  auth:\n    users:\n      - name: ann\n        password_hash: hunter2\n')).toEqual(
      [
        'http.auth.users[0].password_hash: must be a bcrypt hash ($2b$10$…, 60 characters); make one with `lookout auth hash-password`',
      ],
    );
    expect(issues('http:\n  auth:\n    users:\n      - name: ann\n')).toEqual([
      'http.auth.users[0].password_hash: is required (or password_hash_file)',
    ]);
  });

  it('refuses the same name twice and unknown roles', () => {
    expect(
      issues(
        `http:\n  auth:\n    users:\n      - { name: a, password_hash: "${HASH}" }\n      - { name: a, password_hash: "${HASH}" }\n`,
      ),
    ).toEqual(['http.auth.users[1].name: "a" is listed twice']);
    expect(
      issues(`http:\n  auth:\n    users:\n      - { name: a, password_hash: "${HASH}", role: root }\n`)[0],
    ).toMatch(/role: must be one of "viewer", "admin" \(got "root"\)/);
  });

  it('allows mode none only on a loopback listen address', () => {
    expect(
      parseConfig('http:\n  listen: 127.0.0.1:9000\n  auth:\n    mode: none\n', { env: {} }).http.auth.mode,
    ).toBe('none');
    expect(
      parseConfig('http:\n  listen: "[::1]:9000"\n  auth:\n    mode: none\n', { env: {} }).http.auth.mode,
    ).toBe('none');
    expect(issues('http:\n  listen: 0.0.0.0:8080\n  auth:\n    mode: none\n')).toEqual([
      expect.stringMatching(
        /^http\.auth\.mode: "none" \(no login\) is only allowed on a loopback listen address .* Lookout would listen on 0\.0\.0\.0:8080/,
      ),
    ]);
    expect(issues('http:\n  listen: ":8080"\n  auth:\n    mode: none\n')).toHaveLength(1);
  });

  it('knows loopback addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '', '10.0.0.1', '::', 'example.com', '128.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(false);
  });
});

describe('http.trusted_proxies', () => {
  it('is empty by default and takes addresses and CIDR ranges', () => {
    expect(parseConfig('', { env: {} }).http.trusted_proxies).toEqual([]);
    const config = parseConfig('http:\n  trusted_proxies: [10.0.0.0/8, 192.0.2.7, "fd00::/8"]\n', {
      env: {},
    });
    expect(config.http.trusted_proxies).toEqual(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
  });

  it('names every entry that is not an address or range', () => {
    expect(issues('http:\n  trusted_proxies: [ingress, 10.0.0.0/40, 10.0.0.1/8/2]\n')).toEqual([
      'http.trusted_proxies[0]: "ingress" is not an IP address or a CIDR range such as 10.0.0.0/8',
      'http.trusted_proxies[1]: "10.0.0.0/40": the prefix length must be 0 to 32',
      'http.trusted_proxies[2]: "10.0.0.1/8/2" is not an IP address or a CIDR range such as 10.0.0.0/8',
    ]);
  });
});
