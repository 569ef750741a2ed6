import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { Secret, SecretScrubber, collectSecrets, redactUrl } from './secret.js';

describe('Secret', () => {
  it('never shows its value through JSON, strings or inspect', () => {
    const s = new Secret('123456:ABC-telegram-token');
    expect(JSON.stringify({ s })).toBe('{"s":"<redacted>"}');
    expect(`${String(s)}`).toBe('<redacted>');
    expect(inspect({ s })).not.toContain('ABC');
    expect(s.reveal()).toBe('123456:ABC-telegram-token');
  });

  it('shows URLs with only the password and token-like parameters hidden', () => {
    expect(redactUrl('postgres://u:pw@h:5432/db')).toBe('postgres://u:<redacted>@h:5432/db');
    expect(redactUrl('https://x.test/hook?token=abc&team=a')).toBe(
      'https://x.test/hook?token=<redacted>&team=a',
    );
    expect(String(Secret.fromUrl('postgres://u:pw@h/db'))).toBe('postgres://u:<redacted>@h/db');
  });
});

describe('SecretScrubber', () => {
  it('replaces every known secret value in a text, also URL-encoded', () => {
    const scrubber = new SecretScrubber();
    collectSecrets({ a: { b: [new Secret('xoxb-slack-token')] }, c: new Secret('pa ss/word') }, scrubber);
    expect(scrubber.scrub('POST https://slack/api?t=xoxb-slack-token and pa%20ss%2Fword')).toBe(
      'POST https://slack/api?t=<redacted> and <redacted>',
    );
  });

  it('does not hide values that are shown as themselves', () => {
    const scrubber = new SecretScrubber();
    scrubber.add(new Secret('sqlite:/var/lib/lookout.db', 'sqlite:/var/lib/lookout.db'));
    expect(scrubber.scrub('opened sqlite:/var/lib/lookout.db')).toBe('opened sqlite:/var/lib/lookout.db');
  });

  it('ignores values too short to be secrets', () => {
    const scrubber = new SecretScrubber();
    scrubber.add('ab');
    expect(scrubber.scrub('ab cd')).toBe('ab cd');
  });
});
