// The local Telegram server speaks the Bot API the way grammY (and so Lookout) uses it: photos
// as multipart, long-polled updates with offsets, commands, callbacks, and Telegram's refusals.
import { Api, GrammyError, InputFile } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import { receiverChecks } from '../../src/notify/doctor-checks.js';
import { FakeTelegram } from '../fakes/telegram-server.js';
import { receivers } from './harness.js';

let fake: FakeTelegram | undefined;

afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function api(): Promise<{ fake: FakeTelegram; bot: Api }> {
  fake = await FakeTelegram.start();
  return { fake, bot: new Api(fake.token, { apiRoot: fake.url }) };
}

describe('local Telegram Bot API server', () => {
  it('takes a photo as multipart with an HTML caption', async () => {
    const { fake, bot } = await api();
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]);
    const message = await bot.sendPhoto(42, new InputFile(png, 'chart.png'), {
      caption: '<b>CPU</b> &lt; 80%',
      parse_mode: 'HTML',
    });
    expect(message.photo?.[0]?.file_size).toBe(8);
    expect(message.caption).toBe('CPU < 80%');
    const stored = fake.visible(42)[0]!;
    expect(stored.file).toMatchObject({ field: 'photo', name: 'chart.png', size: 8 });
    expect(stored.caption).toBe('CPU < 80%');
  });

  it('long-polls updates, confirms them by offset, and ends a second poller with 409', async () => {
    const { fake, bot } = await api();
    await bot.deleteWebhook();
    const waiting = bot.getUpdates({ timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    fake.userSays(7, { id: 7, username: 'alice' }, '/status payments');
    const [update] = await waiting;
    expect(update!.message?.text).toBe('/status payments');
    expect(update!.message?.entities?.[0]).toEqual({ type: 'bot_command', offset: 0, length: 7 });
    fake.userPresses(7, { id: 7 }, 1, 'silence:1h');
    const next = await bot.getUpdates({ offset: update!.update_id + 1, timeout: 1 });
    expect(next.map((u) => u.callback_query?.data)).toEqual(['silence:1h']);
    expect(await bot.answerCallbackQuery(next[0]!.callback_query!.id, { text: 'Silenced' })).toBe(true);

    const first = bot.getUpdates({ offset: next[0]!.update_id + 1, timeout: 5 });
    await new Promise((r) => setTimeout(r, 50));
    const second = bot.getUpdates({ offset: next[0]!.update_id + 1, timeout: 1 });
    await expect(first).rejects.toMatchObject({ error_code: 409 });
    expect(await second).toEqual([]);
  });

  it('keeps the bot commands', async () => {
    const { bot } = await api();
    await bot.setMyCommands([{ command: 'status', description: 'Cluster status' }]);
    expect(await bot.getMyCommands()).toEqual([{ command: 'status', description: 'Cluster status' }]);
  });

  it("refuses what Telegram refuses, with Telegram's words", async () => {
    const { bot } = await api();
    const refuse = async (p: Promise<unknown>): Promise<string> => {
      try {
        await p;
        return 'accepted';
      } catch (error) {
        return (error as GrammyError).description;
      }
    };
    expect(await refuse(bot.sendMessage(1, 'a <b>b', { parse_mode: 'HTML' }))).toBe(
      `Bad Request: can't parse entities: Can't find end tag corresponding to start tag "b"`,
    );
    expect(await refuse(bot.sendMessage(1, '<blink>x</blink>', { parse_mode: 'HTML' }))).toBe(
      `Bad Request: can't parse entities: Unsupported start tag "blink" at byte offset 0`,
    );
    expect(await refuse(bot.sendMessage(1, 'x'.repeat(4097)))).toBe('Bad Request: message is too long');
    expect(await refuse(bot.sendMessage(1, 'fine.', { parse_mode: 'MarkdownV2' }))).toMatch(
      /Character '\.' is reserved/,
    );
    const sent = await bot.sendMessage(1, 'same');
    expect(await refuse(bot.editMessageText(1, sent.message_id, 'same'))).toMatch(
      /^Bad Request: message is not modified/,
    );
    expect(await refuse(bot.editMessageText(1, 999, 'x'))).toBe('Bad Request: message to edit not found');
    expect(await refuse(new Api('1:wrong', { apiRoot: fake!.url }).getMe())).toBe('Unauthorized');
  });

  it('answers 429 with retry_after when told to', async () => {
    const { fake, bot } = await api();
    fake.rateLimit(17);
    const error = await bot.sendMessage(1, 'x').catch((e: unknown) => e as GrammyError);
    expect(error).toBeInstanceOf(GrammyError);
    expect((error as GrammyError).parameters.retry_after).toBe(17);
    expect(await bot.sendMessage(1, 'x')).toMatchObject({ text: 'x' });
  });

  it('backs lookout doctor: getMe and getChat pass, a wrong token fails', async () => {
    const { fake } = await api();
    const config = { bot_token: fake.token, chat_id: -100200, api_url: fake.url };
    const [ok] = receiverChecks(receivers([{ name: 'ops', telegram_configs: [config] }]), { version: 't' });
    expect(await ok!.run()).toEqual({
      ok: true,
      detail: 'bot @lookout_test_bot can reach chat Group -100200',
    });
    const [bad] = receiverChecks(
      receivers([{ name: 'ops', telegram_configs: [{ ...config, bot_token: '1:nope' }] }]),
      {
        version: 't',
      },
    );
    expect(await bad!.run()).toEqual({ ok: false, detail: 'Telegram answered 401: Unauthorized' });
  });
});
