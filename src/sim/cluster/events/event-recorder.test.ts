import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../telemetry/logger.js';
import { ManualClock } from '../../clock.js';
import { ObjectStore, type KubeObject } from '../../object-store.js';
import { SeededRandom } from '../../random.js';
import { RESOURCE_TYPES } from '../../resources.js';
import { ClusterCache } from '../cache.js';
import { Journal } from '../journal.js';
import { Timers } from '../timers.js';
import { EventBroadcaster } from './event-recorder.js';
import { EventTtl } from './event-ttl.js';
import { EventWriter, type ObjectRef } from './event-writer.js';
import { SeriesRecorder } from './series-recorder.js';

function rig(options: { spamFilter?: boolean; ttlMs?: number } = {}) {
  const clock = new ManualClock(Date.UTC(2026, 0, 12, 9));
  const random = new SeededRandom(1);
  const store = new ObjectStore(RESOURCE_TYPES, { now: () => clock.now(), uid: () => random.uuid() });
  const cache = new ClusterCache();
  cache.attach(store);
  store.create('namespaces', { metadata: { name: 'default' } });
  store.create('namespaces', { metadata: { name: 'shop' } });
  const journal = new Journal();
  const abort = new AbortController();
  const timers = new Timers(clock, abort.signal, (e) => {
    throw e;
  });
  const writer = new EventWriter(store, journal, random.fork('names'), () => clock.now(), silentLogger());
  const broadcaster = new EventBroadcaster(writer, () => clock.now(), {
    timeScale: 1,
    spamFilter: options.spamFilter,
  });
  const ttl = options.ttlMs ? new EventTtl(store, cache, timers, options.ttlMs) : undefined;
  const events = (): KubeObject[] => store.list('events').items;
  return { clock, store, journal, writer, broadcaster, timers, ttl, events };
}

const pod: ObjectRef = {
  apiVersion: 'v1',
  kind: 'Pod',
  namespace: 'shop',
  name: 'api-1',
  uid: 'u-1',
  fieldPath: 'spec.containers{api}',
};

describe('legacy event recorder', () => {
  it('bumps count and lastTimestamp on the same Event object for a repeat', () => {
    const r = rig();
    const kubelet = r.broadcaster.recorder({ component: 'kubelet', host: 'worker-1' });
    kubelet.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container api');
    const [first] = r.events();
    r.clock.advance(10_000);
    kubelet.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container api');
    r.clock.advance(10_000);
    kubelet.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container api');
    const all = r.events();
    expect(all).toHaveLength(1);
    const [e] = all;
    expect(e!.metadata.uid).toBe(first!.metadata.uid);
    expect(e!.metadata.name).toMatch(/^api-1\.[0-9a-f]{16}$/);
    expect(e).toMatchObject({
      count: 3,
      firstTimestamp: '2026-01-12T09:00:00Z',
      lastTimestamp: '2026-01-12T09:00:20Z',
      type: 'Warning',
      reason: 'BackOff',
      source: { component: 'kubelet', host: 'worker-1' },
      reportingComponent: 'kubelet',
      reportingInstance: 'worker-1',
      involvedObject: {
        kind: 'Pod',
        name: 'api-1',
        namespace: 'shop',
        uid: 'u-1',
        fieldPath: 'spec.containers{api}',
      },
    });
    expect(r.journal.eventOccurrences.map((o) => [o.uid, o.count])).toEqual([
      [e!.metadata.uid, 1],
      [e!.metadata.uid, 2],
      [e!.metadata.uid, 3],
    ]);
  });

  it('keeps different messages, reasons and sources apart', () => {
    const r = rig();
    const kubelet = r.broadcaster.recorder({ component: 'kubelet', host: 'worker-1' });
    kubelet.event(pod, 'Normal', 'Pulled', 'Container image "a" already present on machine');
    kubelet.event(pod, 'Normal', 'Created', 'Created container: api');
    r.broadcaster
      .recorder({ component: 'kubelet', host: 'worker-2' })
      .event(pod, 'Normal', 'Created', 'Created container: api');
    expect(r.events()).toHaveLength(3);
  });

  it('lets a source burst 25 events about an object, then one per 5 minutes, counting the skipped ones', () => {
    const r = rig();
    const kubelet = r.broadcaster.recorder({ component: 'kubelet', host: 'worker-1' });
    for (let i = 0; i < 40; i++)
      kubelet.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container api');
    expect(r.events()[0]!.count).toBe(25);
    expect(r.broadcaster.skipped).toBe(15);
    r.clock.advance(300_000);
    kubelet.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container api');
    // The dedup cache counted the skipped ones, so the next write jumps.
    expect(r.events()[0]!.count).toBe(41);
  });

  it('writes every occurrence when the spam filter is off', () => {
    const r = rig({ spamFilter: false });
    const op = r.broadcaster.recorder({ component: 'operator' });
    for (let i = 0; i < 40; i++) op.event(pod, 'Normal', 'Synced', 'synced');
    expect(r.events()[0]!.count).toBe(40);
    expect(r.journal.eventOccurrences).toHaveLength(40);
  });

  it('combines more than ten distinct messages of one reason into a "combined from similar events" event', () => {
    const r = rig({ spamFilter: false });
    const ctl = r.broadcaster.recorder({ component: 'job-controller' });
    const job: ObjectRef = { apiVersion: 'batch/v1', kind: 'Job', namespace: 'shop', name: 'sync', uid: 'j' };
    for (let i = 0; i < 12; i++) ctl.event(job, 'Normal', 'SuccessfulCreate', `Created pod: sync-${i}`);
    const combined = r
      .events()
      .filter((e) => String(e.message).startsWith('(combined from similar events): '));
    expect(combined).toHaveLength(1);
    expect(combined[0]!.count).toBe(3);
    expect(r.events()).toHaveLength(10);
  });

  it('recreates an expired Event under the same name with the next count', () => {
    const r = rig({ ttlMs: 60_000 });
    const kubelet = r.broadcaster.recorder({ component: 'kubelet', host: 'worker-1' });
    kubelet.event(
      pod,
      'Warning',
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
    const first = r.events()[0]!;
    r.clock.advance(61_000);
    expect(r.events()).toHaveLength(0);
    kubelet.event(
      pod,
      'Warning',
      'Unhealthy',
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
    const again = r.events()[0]!;
    expect(again.metadata.name).toBe(first.metadata.name);
    expect(again.metadata.uid).not.toBe(first.metadata.uid);
    expect(again.count).toBe(2);
    expect(again.firstTimestamp).toBe(first.firstTimestamp);
  });

  it('drops an event whose namespace is gone instead of failing the component', () => {
    const r = rig();
    r.broadcaster
      .recorder({ component: 'kubelet' })
      .event({ ...pod, namespace: 'nowhere' }, 'Normal', 'Pulled', 'x');
    expect(r.events()).toHaveLength(0);
    expect(r.writer.dropped).toBe(1);
  });
});

describe('event TTL', () => {
  it('deletes an Event its TTL after the last write, and each write starts the TTL again', () => {
    const r = rig({ ttlMs: 60_000 });
    const kubelet = r.broadcaster.recorder({ component: 'kubelet', host: 'worker-1' });
    const seen: string[] = [];
    r.store.watch('events', { resourceVersion: r.store.resourceVersion }, (e) => seen.push(e.type));
    kubelet.event(pod, 'Warning', 'BackOff', 'b');
    r.clock.advance(50_000);
    kubelet.event(pod, 'Warning', 'BackOff', 'b');
    r.clock.advance(50_000);
    expect(r.events()).toHaveLength(1);
    r.clock.advance(10_001);
    expect(r.events()).toHaveLength(0);
    expect(seen).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
    expect(r.ttl!.expired).toBe(1);
  });
});

describe('series recorder (events.k8s.io, as the scheduler emits)', () => {
  it('creates, then turns a repeat into a series, counting further repeats until the series is written', () => {
    const r = rig();
    const scheduler = new SeriesRecorder(r.writer, r.timers, {
      reportingController: 'default-scheduler',
      reportingInstance: 'default-scheduler-control-plane',
      timeScale: 1,
    });
    scheduler.start();
    const msg = '0/3 nodes are available: 3 Insufficient cpu.';
    scheduler.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', msg);
    const created = r.events()[0]!;
    expect(created).toMatchObject({
      reason: 'FailedScheduling',
      action: 'Scheduling',
      reportingComponent: 'default-scheduler',
      source: {},
    });
    expect(created.count).toBeUndefined();
    expect(created.eventTime).toMatch(/^2026-01-12T09:00:00\.\d{6}Z$/);
    r.clock.advance(5_000);
    scheduler.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', msg);
    expect(r.events()[0]!.series).toMatchObject({ count: 2 });
    for (let i = 0; i < 5; i++) {
      r.clock.advance(5_000);
      scheduler.event(pod, 'Warning', 'FailedScheduling', 'Scheduling', msg);
    }
    expect(r.events()[0]!.series).toMatchObject({ count: 2 });
    r.clock.advance(13 * 60_000);
    expect(r.events()).toHaveLength(1);
    expect(r.events()[0]!.series).toMatchObject({ count: 7 });
    expect(r.events()[0]!.metadata.uid).toBe(created.metadata.uid);
    expect(r.journal.eventOccurrences.map((o) => o.count)).toEqual([1, 2, 7]);
  });
});
