import { describe, expect, it } from 'vitest';
import { silentLogger } from '../telemetry/logger.js';
import { Lifecycle } from './lifecycle.js';

describe('Lifecycle', () => {
  it('stops services in reverse start order', async () => {
    const order: string[] = [];
    const lifecycle = new Lifecycle(silentLogger());
    for (const name of ['store', 'watch', 'http']) {
      lifecycle.add({
        name,
        start: () => void order.push(`start ${name}`),
        stop: () => void order.push(`stop ${name}`),
      });
    }
    await lifecycle.start();
    await lifecycle.stop();
    expect(order).toEqual([
      'start store',
      'start watch',
      'start http',
      'stop http',
      'stop watch',
      'stop store',
    ]);
  });

  it('keeps stopping the rest when one service hangs, within the deadline', async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(silentLogger());
    lifecycle.add({ name: 'a', stop: () => void stopped.push('a') });
    lifecycle.add({ name: 'hangs', stop: () => new Promise(() => undefined) });
    await lifecycle.start();
    const t0 = Date.now();
    await lifecycle.stop(300);
    expect(stopped).toEqual(['a']);
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('stops what started when a later service fails to start', async () => {
    const stopped: string[] = [];
    const lifecycle = new Lifecycle(silentLogger());
    lifecycle.add({ name: 'a', stop: () => void stopped.push('a') });
    lifecycle.add({ name: 'b', start: () => Promise.reject(new Error('port in use')) });
    await expect(lifecycle.start()).rejects.toThrow('port in use');
    expect(stopped).toEqual(['a']);
  });
});
