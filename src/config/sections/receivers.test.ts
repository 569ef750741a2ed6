import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/tmp.js';
import { Secret } from '../../lib/secret.js';
import { receiverSchema } from './receivers.js';

const dir = tempDir('lookout-receivers-');
afterAll(() => dir.remove());

function issues(input: unknown): string[] {
  const result = receiverSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('receiver config', () => {
  it('accepts Alertmanager telegram keys with their defaults', () => {
    const r = receiverSchema.parse({
      name: 'ops',
      telegram_configs: [{ bot_token: '123:abc', chat_id: -1001234567890, message_thread_id: 7 }],
    });
    const t = r.telegram_configs[0]!;
    expect(t.bot_token).toBeInstanceOf(Secret);
    expect(String(t.bot_token)).toBe('<redacted>');
    expect(t).toMatchObject({
      chat_id: -1001234567890,
      api_url: 'https://api.telegram.org',
      parse_mode: 'HTML',
      send_resolved: true,
      disable_notifications: false,
      update_message: true,
      timeout: 10_000,
    });
    expect(r.dead_letter_after).toBe(24 * 3_600_000);
  });

  it('reads bot_token_file and refuses both forms at once', () => {
    const file = join(dir.path, 'token');
    writeFileSync(file, '999:from-file\n');
    const r = receiverSchema.parse({
      name: 'ops',
      telegram_configs: [{ bot_token_file: file, chat_id: '42' }],
    });
    expect(r.telegram_configs[0]!.bot_token.reveal()).toBe('999:from-file');
    expect(r.telegram_configs[0]!.chat_id).toBe(42);
    expect(
      issues({ name: 'ops', telegram_configs: [{ bot_token: 'x:y', bot_token_file: file, chat_id: 1 }] }),
    ).toEqual(['telegram_configs.0.bot_token: set either bot_token or bot_token_file, not both']);
    expect(issues({ name: 'ops', telegram_configs: [{ chat_id: 1 }] })).toEqual([
      'telegram_configs.0.bot_token: is required (or bot_token_file)',
    ]);
  });

  it('refuses an invalid message template with the reason', () => {
    const found = issues({
      name: 'ops',
      telegram_configs: [{ bot_token: 'x:y', chat_id: 1, message: '{% for a in alerts %}' }],
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/^telegram_configs\.0\.message: invalid template: tag .*for.* not closed/);
  });

  it('takes a Slack bot token with a namespace → channel map, or an incoming webhook', () => {
    const bot = receiverSchema.parse({
      name: 'team',
      slack_configs: [
        { bot_token: 'xoxb-1', channel: '#alerts', namespace_channels: { payments: '#payments' } },
      ],
    }).slack_configs[0]!;
    expect(bot.update_message).toBe(true);
    expect(bot.send_resolved).toBe(false);
    expect(bot.namespace_channels).toEqual({ payments: '#payments' });
    const hook = receiverSchema.parse({
      name: 'team',
      slack_configs: [{ api_url: 'https://hooks.slack.com/services/T/B/secret' }],
    }).slack_configs[0]!;
    expect(hook.bot_token).toBeUndefined();
    expect(hook.update_message).toBe(false);
    expect(String(hook.api_url)).toBe('https://hooks.slack.com/services/T/B/secret');
  });

  it("accepts Alertmanager's bot-token form (http_config.authorization with chat.postMessage)", () => {
    const c = receiverSchema.parse({
      name: 'team',
      slack_configs: [
        {
          api_url: 'https://slack.com/api/chat.postMessage',
          channel: 'C1',
          http_config: { authorization: { credentials: 'xoxb-2' } },
        },
      ],
    }).slack_configs[0]!;
    expect(c.bot_token?.reveal()).toBe('xoxb-2');
  });

  it('explains Slack configs that cannot work', () => {
    expect(issues({ name: 't', slack_configs: [{ channel: '#a' }] })).toEqual([
      'slack_configs.0.bot_token: is required (a bot token, or api_url with an incoming-webhook URL)',
    ]);
    expect(issues({ name: 't', slack_configs: [{ bot_token: 'xoxb' }] })).toEqual([
      'slack_configs.0.channel: is required with a bot token',
    ]);
    expect(
      issues({
        name: 't',
        slack_configs: [{ api_url: 'https://hooks.slack.com/x', namespace_channels: { a: '#a' } }],
      }),
    ).toEqual([
      'slack_configs.0.namespace_channels: needs a bot token: an incoming webhook always posts to its own channel',
    ]);
    expect(
      issues({ name: 't', slack_configs: [{ bot_token: 'xoxb', channel: '#a', text: '{{ x | nope }}' }] })[0],
    ).toMatch(/slack_configs\.0\.text: invalid template: undefined filter: nope/);
  });

  it('takes webhook keys as Alertmanager does, with auth', () => {
    const w = receiverSchema.parse({
      name: 'hook',
      webhook_configs: [
        {
          url: 'http://u:p@127.0.0.1:9/hook',
          max_alerts: 5,
          http_config: { basic_auth: { username: 'a', password: 'b' } },
        },
      ],
    }).webhook_configs[0]!;
    expect(String(w.url)).toBe('http://u:<redacted>@127.0.0.1:9/hook');
    expect(w.send_resolved).toBe(true);
    expect(w.max_alerts).toBe(5);
    expect(w.http_config?.basic_auth?.password?.reveal()).toBe('b');
    expect(issues({ name: 'hook', webhook_configs: [{}] })).toEqual([
      'webhook_configs.0.url: is required (or url_file)',
    ]);
  });

  it('takes NATS configs with a checked subject template and stream defaults', () => {
    const n = receiverSchema.parse({
      name: 'stream',
      nats_configs: [
        {
          url: 'nats://127.0.0.1:4222',
          subject: 'lookout.{cluster}.{namespace}',
          stream: { name: 'LOOKOUT' },
        },
      ],
    }).nats_configs[0]!;
    expect(n.stream).toEqual({ name: 'LOOKOUT', duplicate_window: 600_000, max_age: 7 * 24 * 3_600_000 });
    expect(issues({ name: 's', nats_configs: [{ url: 'nats://h:1', subject: 'a..b' }] })[0]).toMatch(
      /empty tokens/,
    );
    expect(issues({ name: 's', nats_configs: [{ url: 'nats://h:1', subject: 'a.*' }] })[0]).toMatch(
      /wildcards/,
    );
  });

  it('names the Alertmanager integrations Lookout does not deliver to', () => {
    expect(issues({ name: 'x', email_configs: [{ to: 'a@b' }] })).toEqual([
      'email_configs: Lookout does not deliver to email; it delivers to telegram_configs, slack_configs, webhook_configs and nats_configs (a webhook can feed other systems)',
    ]);
  });
});
