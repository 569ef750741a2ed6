import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AlertTemplate } from './alert-template.js';
import { AlertRuleState, RESOLVED_RETENTION_MS, RuleEvaluationError } from './alert-rule-state.js';
import type { AlertingRule } from './rule-file.js';

function rule(overrides: Partial<AlertingRule> = {}): AlertingRule {
  return {
    alert: 'PodCrashLooping',
    expr: 'x == 1',
    forMs: 10_000,
    keepFiringForMs: 0,
    labels: { severity: AlertTemplate.parse('critical') },
    annotations: { summary: AlertTemplate.parse('{{ $labels.pod }} value {{ $value }}') },
    ...overrides,
  };
}

const opts = { externalLabels: { cluster: 'prod' }, externalURL: 'http://prom:9090/' };
const sample = (pod: string, value = 1) => ({ labels: { __name__: 'x', pod }, value });
const RESEND = 60_000;
const INTERVAL = 5_000;

describe('alert rule state (Prometheus semantics)', () => {
  it('is pending first, fires once `for` has passed, and is sent only when firing', () => {
    const s = new AlertRuleState(rule(), opts);
    s.apply([sample('a')], 0);
    expect(s.alerts.map((a) => a.state)).toEqual(['pending']);
    expect(s.due(0, RESEND, INTERVAL)).toEqual([]);
    s.apply([sample('a')], 5_000);
    expect(s.alerts[0]!.state).toBe('pending');
    s.apply([sample('a', 2)], 10_000);
    expect(s.alerts[0]!.state).toBe('firing');
    const [due] = s.due(10_000, RESEND, INTERVAL);
    expect(due!.toSend).toEqual({
      labels: { pod: 'a', severity: 'critical', alertname: 'PodCrashLooping', cluster: 'prod' },
      annotations: { summary: 'a value 2' },
      startsAt: 10_000,
      endsAt: 10_000 + 4 * RESEND,
      updatedAt: 10_000,
      generatorURL: 'http://prom:9090/graph?g0.expr=x%20%3D%3D%201&g0.tab=1',
    });
  });

  it('forgets a pending alert whose series went away, without ever sending it', () => {
    const s = new AlertRuleState(rule(), opts);
    s.apply([sample('a')], 0);
    s.apply([], 5_000);
    expect(s.alerts).toEqual([]);
  });

  it('resolves a firing alert when its series goes away, sends the resolution, and ages it out', () => {
    const s = new AlertRuleState(rule({ forMs: 0 }), opts);
    s.apply([sample('a')], 0);
    const fired = s.due(0, RESEND, INTERVAL);
    s.markSent(
      fired.map((d) => d.alert),
      0,
      RESEND,
      INTERVAL,
    );
    s.apply([], 5_000);
    expect(s.alerts[0]!.state).toBe('inactive');
    const resolved = s.due(5_000, RESEND, INTERVAL);
    expect(resolved.map((d) => d.toSend.endsAt)).toEqual([5_000]);
    s.markSent(
      resolved.map((d) => d.alert),
      5_000,
      RESEND,
      INTERVAL,
    );
    expect(s.due(6_000, RESEND, INTERVAL)).toEqual([]);
    s.apply([], 5_000 + RESOLVED_RETENTION_MS + 1);
    expect(s.alerts).toEqual([]);
  });

  it('starts a new pending alert when a resolved one comes back', () => {
    const s = new AlertRuleState(rule({ forMs: 0 }), opts);
    s.apply([sample('a')], 0);
    s.apply([], 1000);
    s.apply([sample('a')], 2000);
    expect(s.alerts).toHaveLength(1);
    expect(s.alerts[0]).toMatchObject({ state: 'firing', activeAt: 2000, resolvedAt: undefined });
  });

  it('keeps firing for keep_firing_for after the series goes away', () => {
    const s = new AlertRuleState(rule({ forMs: 0, keepFiringForMs: 10_000 }), opts);
    s.apply([sample('a')], 0);
    s.apply([], 5_000);
    expect(s.alerts[0]!.state).toBe('firing');
    s.apply([], 14_000);
    expect(s.alerts[0]!.state).toBe('firing');
    s.apply([], 15_000);
    expect(s.alerts[0]!.state).toBe('inactive');
  });

  it('refuses two samples that end up with the same labels, leaving the state as it was', () => {
    const s = new AlertRuleState(rule({ labels: {} }), opts);
    s.apply([sample('a')], 0);
    expect(() =>
      s.apply(
        [
          { labels: { pod: 'a', __name__: 'x' }, value: 1 },
          { labels: { pod: 'a', __name__: 'y' }, value: 2 },
        ],
        1000,
      ),
    ).toThrow(RuleEvaluationError);
    expect(s.alerts).toHaveLength(1);
  });

  it('drops every alert of the rule when the group limit is passed', () => {
    const s = new AlertRuleState(rule(), { ...opts, limit: 1 });
    expect(() => s.apply([sample('a'), sample('b')], 0)).toThrow(/exceeded limit of 1/);
    expect(s.alerts).toEqual([]);
  });

  it('never fires before `for` has passed since the alert first matched (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 60_000 }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.boolean()), { maxLength: 30 }),
        (forMs, steps) => {
          const s = new AlertRuleState(rule({ forMs }), opts);
          let t = 0;
          let matchingSince: number | undefined;
          for (const [dt, present] of steps) {
            t += dt;
            s.apply(present ? [sample('a')] : [], t);
            if (present) matchingSince ??= t;
            else matchingSince = undefined;
            const firing = s.alerts.filter((a) => a.state === 'firing');
            if (matchingSince === undefined) {
              expect(firing).toEqual([]);
            } else {
              expect(firing.length === 1).toBe(t - matchingSince >= forMs);
            }
            // Pending alerts are never due for sending.
            for (const d of s.due(t, RESEND, INTERVAL)) expect(d.alert.state).not.toBe('pending');
          }
        },
      ),
    );
  });
});
