import { describe, expect, it } from 'vitest';
import { parseConfig } from '../index.js';
import { ConfigError } from '../../lib/errors.js';

function problems(yaml: string): string {
  try {
    parseConfig(yaml, { env: {} });
    return '';
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}

describe('chat.telegram config', () => {
  it('parses a polling bot with admins, keeping the token a secret', () => {
    const config = parseConfig('chat: { telegram: { bot_token: "123:abc", admins: [42, "43"] } }', {
      env: {},
    });
    const t = config.chat.telegram!;
    expect(t.mode).toBe('polling');
    expect(t.admins).toEqual([42, 43]);
    expect(String(t.bot_token)).toBe('<redacted>');
    expect(t.bot_token.reveal()).toBe('123:abc');
  });

  it('requires a token, a webhook secret in webhook mode, and identities with impersonation', () => {
    expect(problems('chat: { telegram: { admins: [1] } }')).toContain('chat.telegram.bot_token: is required');
    expect(problems('chat: { telegram: { bot_token: "1:x", mode: webhook } }')).toContain(
      'webhook.secret_token: is required in webhook mode',
    );
    expect(problems('chat: { telegram: { bot_token: "1:x", impersonate: true } }')).toContain('identities');
    expect(problems('chat: { telegram: { bot_token: "1:x", admins: [-5] } }')).not.toBe('');
    expect(problems('chat: { telegram: { bot_token: "1:x", modes: polling } }')).toContain('modes');
  });

  it('maps chat users to Kubernetes identities', () => {
    const config = parseConfig(
      'chat: { telegram: { bot_token: "1:x", impersonate: true, identities: { "42": { user: ada, groups: [sre] } } } }',
      { env: {} },
    );
    expect(config.chat.telegram!.identities['42']).toEqual({ user: 'ada', groups: ['sre'] });
  });
});
