// The simulated cluster on the real clock with Kubernetes' durations scaled down, as fast
// tests and `lookout sim --time-scale` run it: a crash loop plays out in well under a second
// per restart, events expire after a TTL of seconds, and stop() stops every loop.
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../../src/sim/cluster.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

async function until(predicate: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(20);
  }
}

describe('simulated cluster on the real clock', () => {
  it('plays a crash loop with back-off scaled by the time scale and goes quiet on stop', async () => {
    const c = new SimCluster({ scenario: 'steady', timeScale: 0.01, eventTtlMs: 2_000 });
    await c.start();
    c.store.create('pods', {
      metadata: { name: 'crashy', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'app',
            image: 'docker.io/library/busybox:1.37',
            command: ['sh', '-c', 'echo boom; exit 1'],
          },
        ],
      },
    });
    const status = (): Json =>
      (c.store.get('pods', 'default', 'crashy') as Json)?.status?.containerStatuses?.[0];
    await until(() => (status()?.restartCount ?? 0) >= 4);
    const crashes = c.journal.crashes.filter((x) => x.pod === 'crashy');
    expect(crashes.slice(0, 4).map((x) => x.restartCount)).toEqual([0, 1, 2, 3]);
    // Scaled back-off: 100 ms, 200 ms, … plus a scaled pod-worker resync — far below the real 10 s.
    expect(crashes[3]!.at - crashes[0]!.at).toBeLessThan(5_000);
    const events = (): number => c.store.list('events', { namespace: 'default' }).items.length;
    expect(events()).toBeGreaterThan(0);
    await c.stop();
    const rv = c.store.resourceVersion;
    await sleep(500);
    expect(c.store.resourceVersion).toBe(rv);
  });

  it('deletes events once their TTL of seconds has passed since their last update', async () => {
    const c = new SimCluster({ scenario: 'steady', eventTtlMs: 1_000 });
    await c.start();
    c.driver.emitEvent(
      { apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'x', uid: 'u' },
      'Warning',
      'Test',
      'hello',
    );
    expect(c.store.list('events', { namespace: 'default' }).items).toHaveLength(1);
    await until(() => c.store.list('events', { namespace: 'default' }).items.length === 0, 10_000);
    expect(c.stats().events.expired).toBe(1);
    await c.stop();
  });
});
