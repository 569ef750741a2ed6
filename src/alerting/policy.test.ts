import { describe, expect, it } from 'vitest';
import { notificationDue, type NflogEntry } from './dedup.js';
import { Inhibitor } from './inhibitor.js';
import { SilenceSet, silenceProblem, silenceState } from './silence.js';
import { expireSilence, planSilence, SilenceRequestError } from './silence-ops.js';
import { intervalContains, parseTimeInterval, TimeIntervalError } from './time-interval.js';

const set = (...xs: string[]) => new Set(xs);
const entry = (firing: string[], resolved: string[], timestamp = 0): NflogEntry => ({
  firing: set(...firing),
  resolved: set(...resolved),
  timestamp,
  expiresAt: Infinity,
});
const opts = { sendResolved: true, repeatIntervalMs: 1000, now: 500 };

describe('notificationDue (the notification log decision)', () => {
  it('needs a firing alert for a first notification', () => {
    expect(notificationDue(undefined, set('a'), set(), opts)).toBe('first notification');
    expect(notificationDue(undefined, set(), set('a'), opts)).toBeUndefined();
  });

  it('notifies new firing alerts, all-resolved (even without send_resolved) and, with it, some-resolved', () => {
    expect(notificationDue(entry(['a'], []), set('a', 'b'), set(), opts)).toBe('new alerts added');
    expect(notificationDue(entry(['a'], []), set(), set('a'), { ...opts, sendResolved: false })).toBe(
      'all alerts resolved',
    );
    expect(notificationDue(entry([], ['a']), set(), set('a'), opts)).toBeUndefined();
    expect(notificationDue(entry(['a', 'b'], []), set('a'), set('b'), opts)).toBe('some alerts resolved');
    expect(
      notificationDue(entry(['a', 'b'], []), set('a'), set('b'), { ...opts, sendResolved: false }),
    ).toBeUndefined();
  });

  it('repeats an unchanged group only after repeat_interval', () => {
    expect(notificationDue(entry(['a'], [], 0), set('a'), set(), opts)).toBeUndefined();
    expect(notificationDue(entry(['a'], [], 0), set('a'), set(), { ...opts, now: 1001 })).toBe(
      'repeat interval elapsed',
    );
  });
});

describe('Inhibitor', () => {
  const alert = (fp: string, labels: Record<string, string>, endsAt = Infinity) => ({
    fingerprint: fp,
    labels,
    endsAt,
  });

  it('mutes targets while a firing source has equal labels; missing on both sides counts as equal', () => {
    const inh = new Inhibitor([
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity="warning"'],
        equal: ['namespace', 'cluster'],
      },
    ]);
    inh.observe(alert('s1', { alertname: 'Down', severity: 'critical', namespace: 'n1' }));
    expect(inh.inhibitedBy({ severity: 'warning', namespace: 'n1' }, 0)).toBe('s1');
    expect(inh.inhibitedBy({ severity: 'warning', namespace: 'n2' }, 0)).toBeUndefined();
    expect(inh.inhibitedBy({ severity: 'warning', namespace: 'n1', cluster: 'c' }, 0)).toBeUndefined();
    inh.observe(alert('s1', { alertname: 'Down', severity: 'critical', namespace: 'n1' }, 10));
    expect(inh.inhibitedBy({ severity: 'warning', namespace: 'n1' }, 10)).toBeUndefined();
  });

  it('does not let an alert matching both sides inhibit another that matches both sides', () => {
    const inh = new Inhibitor([{ source_matchers: ['kind="x"'], target_matchers: ['kind="x"'], equal: [] }]);
    inh.observe(alert('a', { kind: 'x', n: '1' }));
    expect(inh.inhibitedBy({ kind: 'x', n: '2' }, 0)).toBeUndefined();
    const legacy = new Inhibitor([{ source_match: { s: '1' }, target_match_re: { t: '.+' } }]);
    legacy.observe(alert('b', { s: '1' }));
    expect(legacy.inhibitedBy({ t: 'x' }, 0)).toBe('b');
  });
});

describe('silences', () => {
  const base = {
    matchers: [{ name: 'a', value: '1', isRegex: false, isEqual: true }],
    startsAt: 1000,
    endsAt: 2000,
    createdBy: 'me',
    comment: 'c',
  };

  it('derive their state from the clock and match active ones only', () => {
    expect(silenceState(base, 999)).toBe('pending');
    expect(silenceState(base, 1000)).toBe('active');
    expect(silenceState(base, 2000)).toBe('expired');
    const s = new SilenceSet();
    s.set({ ...base, id: 'x', updatedAt: 1 });
    expect(s.silencedBy({ a: '1' }, 1500)).toEqual(['x']);
    expect(s.silencedBy({ a: '1' }, 2500)).toEqual([]);
  });

  it('are refused as Alertmanager refuses them', () => {
    expect(
      silenceProblem({ ...base, matchers: [{ name: 'a', value: '.*', isRegex: true, isEqual: true }] }),
    ).toBe('at least one matcher must not match the empty string');
    expect(silenceProblem({ ...base, matchers: [] })).toBe('at least one matcher required');
    expect(
      silenceProblem({ ...base, matchers: [{ name: 'a', value: '(', isRegex: true, isEqual: true }] }),
    ).toMatch(
      /^invalid label matcher 0: invalid regular expression "\(": error parsing regexp: missing closing \)/,
    );
  });

  it('update in place only when matchers are unchanged, else expire and replace', () => {
    const first = planSilence(base, undefined, 500);
    const created = first.writes[0]!;
    expect(created.startsAt).toBe(1000);
    const extended = planSilence({ ...base, id: created.id, endsAt: 3000 }, created, 500);
    expect(extended.id).toBe(created.id);
    const active = { ...created, startsAt: 400 };
    const replaced = planSilence(
      { ...base, id: created.id, matchers: [{ name: 'b', value: '2', isRegex: false, isEqual: true }] },
      active,
      500,
    );
    expect(replaced.id).not.toBe(created.id);
    expect(replaced.writes[0]!.endsAt).toBe(500);
    expect(() => planSilence({ ...base, endsAt: 100, startsAt: 50 }, undefined, 500)).toThrow(
      SilenceRequestError,
    );
    expect(expireSilence(created, 500)).toMatchObject({ startsAt: 500, endsAt: 500 });
  });
});

describe('time intervals', () => {
  const at = (iso: string) => Date.parse(iso);

  it('match times, weekdays, negative days of month, months and years in a zone', () => {
    const nights = parseTimeInterval({
      times: [{ start_time: '22:00', end_time: '24:00' }],
      weekdays: ['monday:friday'],
      location: 'Europe/Berlin',
    });
    expect(intervalContains(nights, at('2026-01-05T21:30:00Z'))).toBe(true); // Mon 22:30 in Berlin
    expect(intervalContains(nights, at('2026-01-05T20:30:00Z'))).toBe(false);
    expect(intervalContains(nights, at('2026-01-03T21:30:00Z'))).toBe(false); // Saturday
    const lastDays = parseTimeInterval({
      days_of_month: ['-2:-1'],
      months: ['february'],
      years: ['2026:2027'],
    });
    expect(intervalContains(lastDays, at('2026-02-27T10:00:00Z'))).toBe(true);
    expect(intervalContains(lastDays, at('2026-02-26T10:00:00Z'))).toBe(false);
    expect(intervalContains(lastDays, at('2028-02-28T10:00:00Z'))).toBe(false);
  });

  it('refuse malformed parts with Alertmanager’s wording', () => {
    expect(() => parseTimeInterval({ weekdays: ['friday:monday'] })).toThrow(
      'start day cannot be before end day',
    );
    expect(() => parseTimeInterval({ days_of_month: ['0'] })).toThrow(
      '0 is not a valid day of the month: out of range',
    );
    expect(() => parseTimeInterval({ months: ['december:january'] })).toThrow(
      'end month january is before start month december',
    );
    expect(() => parseTimeInterval({ times: [{ start_time: '25:00', end_time: '26:00' }] })).toThrow(
      TimeIntervalError,
    );
  });
});
