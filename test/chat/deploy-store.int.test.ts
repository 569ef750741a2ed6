// The record of apps deployed from chat and of deploy conversations, on SQLite and PostgreSQL:
// one live app per name and namespace, history kept after removal, conversations replaced per person.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '../../src/store/index.js';
import {
  deleteConversation,
  deleteConversationsBefore,
  findLiveDeployment,
  getConversation,
  getDeployment,
  insertDeployment,
  listDeployments,
  saveConversation,
  updateDeployment,
  type NewAppDeployment,
} from '../../src/store/repos/deployment-repo.js';
import { STORE_TARGETS } from '../support/stores.js';

const BLOG: NewAppDeployment = {
  cluster: 'prod',
  namespace: 'shop',
  name: 'blog',
  template: 'wordpress',
  replicas: 2,
  // Telegram ids go beyond 32 bits.
  ownerId: 7_012_345_678,
  ownerName: 'Ada',
  chatId: -1_001_234_567_890,
  objects: [
    { apiVersion: 'v1', kind: 'Secret', name: 'blog-db' },
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'blog' },
  ],
  expose: { service: 'blog', port: 'http', scheme: 'http', path: '/' },
};

describe.each(STORE_TARGETS)('deployment records on $name', (target) => {
  let store: Store;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const db = await target.create();
    cleanup = () => db.cleanup();
    store = db.open();
    await store.migrate();
  });

  afterAll(async () => {
    await store?.close();
    await cleanup?.();
  });

  it('records a deploy, follows it to ready and reads it back whole', async () => {
    const app = await insertDeployment(store.db, BLOG, 1_000);
    expect(app).toMatchObject({
      ...BLOG,
      status: 'deploying',
      url: undefined,
      progressMessageId: undefined,
      createdAt: 1_000,
    });
    await updateDeployment(store.db, app!.id, { progressMessageId: 42 }, 1_500);
    await updateDeployment(
      store.db,
      app!.id,
      { status: 'ready', url: 'http://172.18.0.3:31234', finishedAt: 2_000 },
      2_000,
    );
    expect(await getDeployment(store.db, app!.id)).toMatchObject({
      status: 'ready',
      url: 'http://172.18.0.3:31234',
      progressMessageId: 42,
      finishedAt: 2_000,
      updatedAt: 2_000,
      ownerId: 7_012_345_678,
      chatId: -1_001_234_567_890,
    });
  });

  it('refuses a second live app of the same name in the namespace, but allows it elsewhere and after removal', async () => {
    expect(await insertDeployment(store.db, BLOG, 3_000)).toBeUndefined();
    const other = await insertDeployment(store.db, { ...BLOG, namespace: 'team-a' }, 3_000);
    expect(other?.namespace).toBe('team-a');
    const live = await findLiveDeployment(store.db, { cluster: 'prod', namespace: 'shop', name: 'blog' });
    await updateDeployment(store.db, live!.id, { status: 'removed', removedAt: 4_000 }, 4_000);
    expect(
      await findLiveDeployment(store.db, { cluster: 'prod', namespace: 'shop', name: 'blog' }),
    ).toBeUndefined();
    const again = await insertDeployment(store.db, BLOG, 5_000);
    expect(again?.id).toBeGreaterThan(live!.id);
  });

  it("lists a person's live apps newest first, and removed ones only when asked", async () => {
    await insertDeployment(store.db, { ...BLOG, name: 'wiki', ownerId: 99 }, 6_000);
    const mine = await listDeployments(store.db, { ownerId: BLOG.ownerId });
    expect(mine.map((a) => `${a.namespace}/${a.name}@${a.createdAt}`)).toEqual([
      'shop/blog@5000',
      'team-a/blog@3000',
    ]);
    const removed = await listDeployments(store.db, { ownerId: BLOG.ownerId, statuses: ['removed'] });
    expect(removed.map((a) => a.removedAt)).toEqual([4_000]);
    expect((await listDeployments(store.db, { name: 'wiki' })).map((a) => a.ownerId)).toEqual([99]);
  });

  it('keeps one conversation per person and chat, replaced on save and forgotten when old', async () => {
    await saveConversation(store.db, {
      chatId: 5,
      userId: 7_012_345_678,
      session: 'abc',
      state: { template: 'wordpress', offered: ['shop'] },
      messageId: 10,
      updatedAt: 1_000,
    });
    await saveConversation(store.db, {
      chatId: 5,
      userId: 7_012_345_678,
      session: 'def',
      state: { template: 'wordpress', app: 'blog' },
      messageId: undefined,
      updatedAt: 2_000,
    });
    await saveConversation(store.db, {
      chatId: 6,
      userId: 1,
      session: 'x',
      state: {},
      messageId: 3,
      updatedAt: 500,
    });
    expect(await getConversation(store.db, 5, 7_012_345_678)).toEqual({
      chatId: 5,
      userId: 7_012_345_678,
      session: 'def',
      state: { template: 'wordpress', app: 'blog' },
      messageId: undefined,
      updatedAt: 2_000,
    });
    expect(await deleteConversationsBefore(store.db, 1_000)).toBe(1);
    expect(await getConversation(store.db, 6, 1)).toBeUndefined();
    expect(await deleteConversation(store.db, 5, 7_012_345_678)).toBe(true);
    expect(await deleteConversation(store.db, 5, 7_012_345_678)).toBe(false);
  });
});
