import { describe, expect, it } from 'vitest';
import { BoundedQueue, QueueClosedError } from './bounded-queue.js';

describe('BoundedQueue', () => {
  it('makes producers wait when full instead of dropping', async () => {
    const queue = new BoundedQueue<number>(2);
    await queue.push(1);
    await queue.push(2);
    let third = false;
    const pending = queue.push(3).then(() => (third = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(third).toBe(false);
    expect(queue.blockedProducers).toBe(1);
    expect(await queue.take(1)).toEqual([1]);
    await pending;
    expect(third).toBe(true);
    expect(await queue.take(10)).toEqual([2, 3]);
  });

  it('keeps order across many producers and batches', async () => {
    const queue = new BoundedQueue<number>(5);
    const produced = (async () => {
      for (let i = 0; i < 100; i++) await queue.push(i);
      queue.close();
    })();
    const seen: number[] = [];
    for (;;) {
      const batch = await queue.take(7);
      if (batch.length === 0) break;
      seen.push(...batch);
    }
    await produced;
    expect(seen).toEqual([...Array(100).keys()]);
  });

  it('rejects pushes after close and lets the consumer drain', async () => {
    const queue = new BoundedQueue<string>(3);
    await queue.push('a');
    queue.close();
    await expect(queue.push('b')).rejects.toBeInstanceOf(QueueClosedError);
    expect(await queue.take(5)).toEqual(['a']);
    expect(await queue.take(5)).toEqual([]);
  });

  it('stops a waiting consumer on abort', async () => {
    const queue = new BoundedQueue<string>(3);
    const controller = new AbortController();
    const taken = queue.take(5, { signal: controller.signal });
    controller.abort();
    expect(await taken).toEqual([]);
  });
});
