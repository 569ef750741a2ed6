// Lookout's own composition with `chat.telegram` set: the bot runs inside `createLookout`,
// with guided deployment plugged in, the chat users API mounted behind sign-in, and its
// status shown by /api/v1/status.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, BOB, removeTempDirs, startChat, until, type ChatHarness } from './harness.js';

let h: ChatHarness;
beforeEach(async () => {
  h = await startChat({ signIn: true });
});
afterEach(async () => h.close());
afterAll(() => removeTempDirs());

describe('the bot inside Lookout', () => {
  it('offers guided deployment with the shipped templates', async () => {
    expect(h.bot).toBe(h.lookout.bot);
    const entry = await h.say(ADMIN, '/deploy');
    expect(entry.result).toBe('ok');
    const ask = await until('the template question', () =>
      h.fake.visible(ADMIN.id).find((m) => m.text.includes('WordPress')),
    );
    const buttons = (
      ask.reply_markup as { inline_keyboard: Array<Array<{ text: string }>> } | undefined
    )?.inline_keyboard
      .flat()
      .map((b) => b.text);
    expect(buttons?.some((t) => t.includes('WordPress'))).toBe(true);
  });

  it('mounts the chat users API behind sign-in and reports the bot in the status', async () => {
    await h.say(BOB, '/register');
    expect((await h.lookout.app.request('/api/v1/chat/users')).status).toBe(401);
    const wrong = await h.lookout.app.request('/api/v1/chat/users', {
      headers: { authorization: 'Bearer nothing-valid' },
    });
    expect(wrong.status).toBe(401);

    const { token } = await h.lookout.webUi.service.createApiToken({
      name: 'test',
      role: 'admin',
      createdBy: 'test',
    });
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const users = (await (await h.lookout.app.request('/api/v1/chat/users', auth)).json()) as {
      items: Array<{ id: number; role: string }>;
    };
    expect(users.items).toContainEqual(expect.objectContaining({ id: BOB.id, role: 'pending' }));
    const status = (await (await h.lookout.app.request('/api/v1/status', auth)).json()) as Record<
      string,
      unknown
    >;
    expect(status).toMatchObject({ chat: { telegram: 'polling' } });
    // The bot token never shows.
    expect(JSON.stringify(status)).not.toContain(h.fake.token);
  });
});
