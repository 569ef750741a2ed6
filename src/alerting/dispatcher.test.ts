import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Notification } from '../domain/notification.js';
import { toAlertRecord } from './alert-record.js';
import { Dispatcher, RESOLVED_ALERT_MEMORY_MS } from './dispatcher.js';
import { compareAlertLabels } from './label-set.js';
import { buildRouteTree } from './route.js';
import type { AlertingSetup } from './setup.js';

const GROUP_WAIT = 1000;
const GROUP_INTERVAL = 1000;
const REPEAT = 5000;

function setup(): AlertingSetup {
  return {
    route: buildRouteTree({
      receiver: 'hook',
      group_by: ['alertname'],
      group_wait: GROUP_WAIT,
      group_interval: GROUP_INTERVAL,
      repeat_interval: REPEAT,
      routes: [{ matchers: ['team="x"'], receiver: 'hook', group_by: ['...'], continue: true }],
    }),
    receivers: new Map([
      ['hook', { name: 'hook', integrations: [{ kind: 'webhook', index: 0, sendResolved: true }] }],
    ]),
    inhibitRules: [],
    timeIntervals: new Map(),
    resolveTimeoutMs: 60_000,
    retentionMs: 3600_000,
    externalUrl: '',
    intakeResolveTimeoutMs: 60_000,
  };
}

type Op =
  | { kind: 'fire'; name: string; id: number; team: boolean }
  | { kind: 'resolve'; name: string; id: number; team: boolean }
  | { kind: 'wait'; ms: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('fire' as const),
    name: fc.constantFrom('A', 'B'),
    id: fc.integer({ min: 1, max: 4 }),
    team: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('resolve' as const),
    name: fc.constantFrom('A', 'B'),
    id: fc.integer({ min: 1, max: 4 }),
    team: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('wait' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
);

/** Drives the pure dispatcher as the service does, on a simulated clock; returns every notification. */
function simulate(ops: readonly Op[]) {
  const d = new Dispatcher(setup());
  let now = 1_000_000;
  const sent: Array<{ at: number; n: Notification }> = [];
  const tick = (until: number) => {
    for (let due = d.nextDueAt(); due !== undefined && due <= until; due = d.nextDueAt()) {
      now = Math.max(now, due);
      const plan = d.planFlush(d.takeDue(now), now);
      for (const g of plan.groups) for (const item of g.outbox) sent.push({ at: now, n: item.notification });
      d.applyFlush(plan);
    }
    now = until;
  };
  const firing = new Map<string, boolean>();
  for (const o of ops) {
    if (o.kind === 'wait') {
      tick(now + o.ms);
      continue;
    }
    const labels = { alertname: o.name, id: String(o.id), ...(o.team ? { team: 'x' } : {}) };
    const key = JSON.stringify(labels);
    if (o.kind === 'resolve' && !firing.get(key)) continue; // resolve only what fires
    firing.set(key, o.kind === 'fire');
    const record = toAlertRecord({ labels, endsAt: o.kind === 'resolve' ? now : undefined }, now, 60_000);
    d.applyIngest(d.planIngest([record], now), now);
  }
  // Quiet period: long enough for every pending change to be flushed, short of timeouts.
  tick(now + GROUP_WAIT + 2 * GROUP_INTERVAL);
  return { d, sent, now };
}

describe('dispatcher (property)', () => {
  it('notifies only on change or after repeat_interval, in Alertmanager’s order, and ends in step with the alerts', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { d, sent, now } = simulate(ops);
        const last = new Map<string, { at: number; firing: Set<string>; resolved: Set<string> }>();
        for (const { at, n } of sent) {
          // Order and status as Alertmanager builds them.
          const sorted = [...n.alerts].sort((a, b) => compareAlertLabels(a.labels, b.labels));
          expect(n.alerts).toEqual(sorted);
          expect(n.status).toBe(n.alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved');
          for (const a of n.alerts)
            for (const [k, v] of Object.entries(n.groupLabels)) expect(a.labels[k]).toBe(v);
          // Each notification is justified by the notification log's rules.
          const firing = new Set(n.alerts.filter((a) => a.status === 'firing').map((a) => a.fingerprint));
          const resolved = new Set(n.alerts.filter((a) => a.status === 'resolved').map((a) => a.fingerprint));
          const prev = last.get(n.groupKey);
          if (prev) {
            const added = [...firing].some((f) => !prev.firing.has(f));
            const allResolved = firing.size === 0 && prev.firing.size > 0;
            const newlyResolved = [...resolved].some((f) => !prev.resolved.has(f));
            const repeat = at - prev.at > REPEAT;
            expect(added || allResolved || newlyResolved || repeat).toBe(true);
          } else {
            expect(firing.size).toBeGreaterThan(0);
          }
          last.set(n.groupKey, { at, firing, resolved });
        }
        // After a quiet period every group's receiver knows exactly what fires now.
        for (const g of d.groups()) {
          const fires = [...g.alerts.values()].filter((a) => a.endsAt > now).map((a) => a.fingerprint);
          const told = last.get(g.groupKey);
          if (fires.length === 0) continue;
          expect(told).toBeDefined();
          expect([...told!.firing].sort()).toEqual(fires.sort());
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reports a resolved alert once, then drops it from its group', () => {
    const { sent } = simulate([
      { kind: 'fire', name: 'A', id: 1, team: false },
      { kind: 'fire', name: 'A', id: 2, team: false },
      { kind: 'wait', ms: 1500 },
      { kind: 'resolve', name: 'A', id: 1, team: false },
      { kind: 'wait', ms: 1000 },
      { kind: 'fire', name: 'A', id: 3, team: false },
      { kind: 'wait', ms: 1000 },
    ]);
    const shapes = sent.map(({ n }) => n.alerts.map((a) => `${a.labels.id}:${a.status}`).join(' '));
    expect(shapes).toEqual(['1:firing 2:firing', '1:resolved 2:firing', '2:firing 3:firing']);
  });
});

describe('dispatcher placements', () => {
  /** Stores alerts as the service does (plan, then apply) and answers the records. */
  const ingest = (
    d: Dispatcher,
    now: number,
    ...alerts: Array<{ labels: Record<string, string>; endsAt?: number }>
  ) => {
    const records = alerts.map((a) => toAlertRecord(a, now, 60_000));
    d.applyIngest(d.planIngest(records, now), now);
    return records;
  };

  it('places alerts that share their groups alike, and places a forgotten alert afresh when it returns', () => {
    const d = new Dispatcher(setup());
    let now = 1_000_000;
    const [a1, a2, t1] = ingest(
      d,
      now,
      { labels: { alertname: 'A', id: '1' } },
      { labels: { alertname: 'A', id: '2' } },
      { labels: { alertname: 'A', id: '3', team: 'x' } },
    );
    for (const alert of [a1!, a2!, t1!]) expect(d.receiversOf(alert)).toEqual(['hook']);
    // A1 and A2 share {alertname="A"}; the team route groups by every label.
    expect(d.groupCount).toBe(2);

    // A1 resolves, is reported and dropped from its groups, and is forgotten later; A2 still
    // shares the groups of A.
    const flushUntil = (until: number) => {
      for (let due = d.nextDueAt(); due !== undefined && due <= until; due = d.nextDueAt()) {
        d.applyFlush(d.planFlush(d.takeDue(due), due));
      }
    };
    now += GROUP_WAIT;
    flushUntil(now);
    ingest(d, now, { labels: { alertname: 'A', id: '1' }, endsAt: now });
    now += GROUP_INTERVAL;
    flushUntil(now);
    now += RESOLVED_ALERT_MEMORY_MS;
    const result = d.maintenance(now);
    expect(result.forgottenAlerts).toEqual([a1!.fingerprint]);
    expect(d.alertCount).toBe(2);
    const holding = (fingerprint: string) =>
      [...d.groups()].filter((g) => g.alerts.has(fingerprint)).map((g) => g.labels);
    expect(holding(a2!.fingerprint)).toEqual([{ alertname: 'A' }]);

    // It fires again: into the group A2 is still in.
    const [again] = ingest(d, now, { labels: { alertname: 'A', id: '1' } });
    expect(again!.fingerprint).toBe(a1!.fingerprint);
    expect(d.receiversOf(again!)).toEqual(['hook']);
    expect(holding(again!.fingerprint)).toEqual([{ alertname: 'A' }]);
    expect(d.groupCount).toBe(2);
  });
});
