import { describe, expect, it } from 'vitest';
import { describeEnv, isSecretLooking, redactText } from './redact.js';

describe('secret redaction', () => {
  it('hides values of variables whose names say they are secret', () => {
    for (const name of [
      'DB_PASSWORD',
      'API_KEY',
      'GITHUB_TOKEN',
      'AWS_SECRET_ACCESS_KEY',
      'SESSION_COOKIE',
      'SENTRY_DSN',
    ])
      expect(describeEnv({ name, value: 'hunter2' })).toBe(`${name}: <hidden>`);
  });

  it('hides URLs with credentials, JWTs and long random strings whatever the name', () => {
    expect(isSecretLooking('DATABASE_URL', 'postgres://app:s3cr3t@db:5432/app')).toBe(true);
    expect(isSecretLooking('X', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')).toBe(true);
    expect(isSecretLooking('SEED', 'q8Zr3LmP0xV7wT2yK9sD4fG6')).toBe(true);
  });

  it('shows plain configuration values', () => {
    expect(describeEnv({ name: 'LOG_LEVEL', value: 'debug' })).toBe('LOG_LEVEL: debug');
    expect(describeEnv({ name: 'WORDPRESS_DB_HOST', value: 'mysql.shop.svc.cluster.local' })).toBe(
      'WORDPRESS_DB_HOST: mysql.shop.svc.cluster.local',
    );
  });

  it('names the Secret a value comes from without reading it', () => {
    expect(describeEnv({ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } })).toBe(
      'PW: <from Secret db, key password>',
    );
  });

  it('hides secrets in free text', () => {
    expect(redactText('connecting with password=abc123 and Authorization: Bearer abcdefghijkl')).toBe(
      'connecting with password=<hidden> and Authorization: Bearer <hidden>',
    );
    expect(redactText('url https://u:p4ss@example.com/x')).toBe('url https://u:<hidden>@example.com/x');
  });
});
