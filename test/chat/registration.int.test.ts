// Registration and approval through the Bot API: a stranger registers, admins get Approve/Deny
// buttons, roles decide which commands exist for whom, and every command lands in the audit log.
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, ALICE, BOB, removeTempDirs, startChat, until, type ChatHarness } from './harness.js';

let h: ChatHarness;
beforeEach(async () => {
  h = await startChat();
});
afterEach(async () => h.close());
afterAll(() => removeTempDirs());

describe('registration and approval', () => {
  it('registers a stranger as pending and asks every admin with Approve/Deny buttons', async () => {
    const entry = await h.say(ALICE, '/register');
    expect(entry).toMatchObject({ action: '/register', userId: ALICE.id, result: 'ok' });
    expect(h.last(ALICE.id).text).toContain('An admin will look at your request');
    const ask = await until('the admin is asked', () =>
      h.fake.visible(ADMIN.id).find((m) => m.text.includes('asks for access')),
    );
    expect(ask.text).toContain('Alice');
    const buttons = (
      ask.reply_markup as { inline_keyboard: Array<Array<{ text: string; callback_data: string }>> }
    ).inline_keyboard[0]!;
    expect(buttons.map((b) => b.text)).toEqual(['✅ Approve', '⛔ Deny']);

    // Pending: questions are refused with a clear reason.
    await h.say(ALICE, '/status');
    expect(h.last(ALICE.id).text).toContain('waiting for an admin to approve');

    const press = await h.press(ADMIN, ADMIN.id, ask.message_id, buttons[0]!.callback_data);
    expect(press).toMatchObject({
      action: 'users.decide',
      result: 'ok',
      args: { user: ALICE.id, verdict: 'approve' },
    });
    await until('the request message says who approved', () =>
      h.fake
        .visible(ADMIN.id)
        .find((m) => m.message_id === ask.message_id && m.text.includes('Approved by Ada')),
    );
    await until('Alice is told', () =>
      h.fake.visible(ALICE.id).some((m) => m.text.includes('approved your access')),
    );

    await h.say(ADMIN, `/grant ${ALICE.id} shop`);
    await h.say(ALICE, '/me');
    const me = h.last(ALICE.id).text;
    expect(me).toContain('role member');
    expect(me).toContain('namespaces: shop');
  });

  it('refuses non-admins the admin commands and lists only what each role may run', async () => {
    await h.say(BOB, '/gu');
    expect(h.last(BOB.id).text).toContain('not registered');
    await h.say(BOB, '/au');
    await h.say(ADMIN, '/approve @bob ops');
    const denied = await h.say(BOB, '/users');
    expect(denied).toMatchObject({ action: '/users', result: 'denied' });
    expect(h.last(BOB.id).text).toContain('Only Lookout admins');

    await h.say(BOB, '/ac');
    const memberList = h.last(BOB.id).text;
    expect(memberList).toContain('/status');
    expect(memberList).toContain('/logs');
    expect(memberList).not.toContain('/grant');
    await h.say(ADMIN, '/commands');
    expect(h.last(ADMIN.id).text).toContain('/grant');

    await h.say(ADMIN, '/users');
    const users = h.last(ADMIN.id).text;
    expect(users).toContain('Bob');
    expect(users).toContain('member — ops');
    expect(users).toContain(`${ADMIN.id} — admin (config)`);
  });

  it('handles /deny, /role and /revoke, and explains mistakes without failing', async () => {
    await h.say(ALICE, '/register');
    await h.say(BOB, '/register');
    await h.say(ADMIN, '/deny alice');
    expect(h.last(ADMIN.id).text).toContain('blocked');
    await h.say(ALICE, '/status');
    expect(h.last(ALICE.id).text).toContain('withdrawn');

    await h.say(ADMIN, `/approve ${BOB.id} shop ops`);
    await h.say(ADMIN, `/revoke ${BOB.id} ops`);
    expect(h.last(ADMIN.id).text).toContain('namespaces: shop');
    const bad = await h.say(ADMIN, `/role ${BOB.id} king`);
    expect(bad).toMatchObject({ result: 'error' });
    expect(h.last(ADMIN.id).text).toContain('is not a role');
    const badNs = await h.say(ADMIN, `/grant ${BOB.id} Bad_NS`);
    expect(badNs.result).toBe('error');
    await h.say(ADMIN, `/role ${BOB.id} admin`);
    await h.say(BOB, '/me');
    expect(h.last(BOB.id).text).toContain('role admin');
    const self = await h.say(ADMIN, `/role ${ADMIN.id} member`);
    expect(self.result).toBe('error');
    expect(h.last(ADMIN.id).text).toContain('admin in the configuration');
  });

  it('answers unknown commands and free text with help, and audits who did what', async () => {
    h.fake.userSays(ALICE.id, ALICE, 'hello there');
    await until('help for free text', () =>
      h.fake.visible(ALICE.id).some((m) => m.text.includes('/register')),
    );
    const unknown = await h.say(ADMIN, '/frobnicate now');
    expect(unknown).toMatchObject({ action: '/frobnicate', result: 'error', detail: 'unknown command' });
    expect(h.last(ADMIN.id).text).toContain('I do not know /frobnicate');
    const all = await h.audit();
    expect(all.every((e) => e.at > 0 && e.userName !== '')).toBe(true);
  });
});
