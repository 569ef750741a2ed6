// Alertmanager's `time_intervals`: times of day, weekdays, days of the month (negative counts
// from the month's end), months, years, in a time zone. Parsing with its messages, and evaluation.

/** One entry of a named interval's `time_intervals` list, as written in the config. */
export interface TimeIntervalSpec {
  readonly times?: ReadonlyArray<{ readonly start_time: string; readonly end_time: string }> | undefined;
  readonly weekdays?: readonly string[] | undefined;
  readonly days_of_month?: readonly string[] | undefined;
  readonly months?: readonly string[] | undefined;
  readonly years?: readonly string[] | undefined;
  readonly location?: string | undefined;
}

interface Range {
  readonly begin: number;
  readonly end: number;
}

export interface TimeInterval {
  /** Minutes of the day, end exclusive. */
  readonly times?: readonly Range[];
  /** 0 = Sunday. */
  readonly weekdays?: readonly Range[];
  readonly daysOfMonth?: readonly Range[];
  /** 1 = January. */
  readonly months?: readonly Range[];
  readonly years?: readonly Range[];
  /** IANA zone; undefined means UTC. */
  readonly location?: string;
}

const WEEKDAYS: Record<string, number> = {
  sunday: 0,
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
};
const MONTHS: Record<string, number> = {
  january: 1,
  february: 2,
  march: 3,
  april: 4,
  may: 5,
  june: 6,
  july: 7,
  august: 8,
  september: 9,
  october: 10,
  november: 11,
  december: 12,
};
const MONTH_NAMES = Object.keys(MONTHS);

export class TimeIntervalError extends Error {}

function parseInteger(text: string): number {
  if (!/^[+-]?\d+$/.test(text))
    throw new TimeIntervalError(`strconv.Atoi: parsing "${text}": invalid syntax`);
  return Number(text);
}

function parseRange(text: string, member: (s: string) => number): Range {
  const lower = text.toLowerCase();
  if (lower.includes(':')) {
    const parts = lower.split(':');
    if (parts.length !== 2) throw new TimeIntervalError(`couldn't parse range ${lower}, invalid format`);
    return { begin: member(parts[0]!), end: member(parts[1]!) };
  }
  const value = member(lower);
  return { begin: value, end: value };
}

function parseWeekdays(text: string): Range {
  const r = parseRange(text, (s) => {
    const day = WEEKDAYS[s];
    if (day === undefined) throw new TimeIntervalError(`${s} is not a valid weekday`);
    return day;
  });
  if (r.begin > r.end) throw new TimeIntervalError('start day cannot be before end day');
  return r;
}

function parseDaysOfMonth(text: string): Range {
  const r = parseRange(text, parseInteger);
  for (const day of [r.begin, r.end]) {
    if (day === 0 || day < -31 || day > 31) {
      throw new TimeIntervalError(`${day} is not a valid day of the month: out of range`);
    }
  }
  if (r.begin < 0 && r.end > 0)
    throw new TimeIntervalError('end day must be negative if start day is negative');
  // Negative days are checked against the shortest month (28 days), as Alertmanager does.
  const begin = r.begin < 0 ? 28 + r.begin : r.begin;
  const end = r.end < 0 ? 28 + r.end : r.end;
  if (begin > end) throw new TimeIntervalError(`end day ${r.end} is always before start day ${r.begin}`);
  return r;
}

function parseMonths(text: string): Range {
  const r = parseRange(text, (s) => {
    const month = MONTHS[s];
    if (month !== undefined) return month;
    try {
      return parseInteger(s);
    } catch {
      throw new TimeIntervalError(`${s} is not a valid month`);
    }
  });
  if (r.begin > r.end) {
    throw new TimeIntervalError(
      `end month ${MONTH_NAMES[r.end - 1] ?? r.end} is before start month ${MONTH_NAMES[r.begin - 1] ?? r.begin}`,
    );
  }
  return r;
}

function parseYears(text: string): Range {
  const r = parseRange(text, parseInteger);
  if (r.begin > r.end) throw new TimeIntervalError(`end year ${r.end} is before start year ${r.begin}`);
  return r;
}

const TIME_RE = /^((([01][0-9])|(2[0-3])):[0-5][0-9])$|(^24:00$)/;

function parseTime(text: string): number {
  if (!TIME_RE.test(text)) throw new TimeIntervalError(`couldn't parse timestamp ${text}, invalid format`);
  const [h, m] = text.split(':').map(Number) as [number, number];
  return h * 60 + m;
}

/** Whether a time zone name is known (IANA names, `UTC` and `Local`). */
export function isKnownTimeZone(name: string): boolean {
  if (name === 'Local' || name === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** Parses one interval; throws {@link TimeIntervalError} with Alertmanager's wording. */
export function parseTimeInterval(spec: TimeIntervalSpec): TimeInterval {
  const out: {
    times?: Range[];
    weekdays?: Range[];
    daysOfMonth?: Range[];
    months?: Range[];
    years?: Range[];
    location?: string;
  } = {};
  if (spec.times) {
    out.times = spec.times.map((t) => {
      if (!t.start_time || !t.end_time)
        throw new TimeIntervalError('both start and end times must be provided');
      const begin = parseTime(t.start_time);
      const end = parseTime(t.end_time);
      if (begin >= end) throw new TimeIntervalError('start time cannot be equal or greater than end time');
      return { begin, end };
    });
  }
  if (spec.weekdays) out.weekdays = spec.weekdays.map(parseWeekdays);
  if (spec.days_of_month) out.daysOfMonth = spec.days_of_month.map(parseDaysOfMonth);
  if (spec.months) out.months = spec.months.map(parseMonths);
  if (spec.years) out.years = spec.years.map(parseYears);
  if (spec.location !== undefined) {
    if (!isKnownTimeZone(spec.location)) throw new TimeIntervalError(`unknown time zone ${spec.location}`);
    if (spec.location !== 'UTC') out.location = spec.location;
  }
  return out;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  minuteOfDay: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY_SHORT: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function wallClock(ms: number, zone: string | undefined): WallClock {
  if (zone === undefined) {
    const d = new Date(ms);
    return {
      year: d.getUTCFullYear(),
      month: d.getUTCMonth() + 1,
      day: d.getUTCDate(),
      weekday: d.getUTCDay(),
      minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
    };
  }
  const timeZone = zone === 'Local' ? undefined : zone;
  const cacheKey = zone;
  let format = formatters.get(cacheKey);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(cacheKey, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: WEEKDAY_SHORT[parts.weekday ?? ''] ?? 0,
    minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function inAny(ranges: readonly Range[] | undefined, value: number): boolean {
  if (ranges === undefined) return true;
  return ranges.some((r) => value >= r.begin && value <= r.end);
}

/** Whether the instant `ms` lies inside the interval (every given part must match). */
export function intervalContains(interval: TimeInterval, ms: number): boolean {
  const t = wallClock(ms, interval.location);
  if (interval.times && !interval.times.some((r) => t.minuteOfDay >= r.begin && t.minuteOfDay < r.end)) {
    return false;
  }
  if (interval.daysOfMonth) {
    const days = daysInMonth(t.year, t.month);
    const hit = interval.daysOfMonth.some((r) => {
      let begin = r.begin < 0 ? days + r.begin + 1 : r.begin;
      let end = r.end < 0 ? days + r.end + 1 : r.end;
      if (begin > days) return false;
      begin = Math.max(-days, Math.min(days, begin));
      end = Math.max(-days, Math.min(days, end));
      return t.day >= begin && t.day <= end;
    });
    if (!hit) return false;
  }
  if (!inAny(interval.months, t.month)) return false;
  if (!inAny(interval.weekdays, t.weekday)) return false;
  if (!inAny(interval.years, t.year)) return false;
  return true;
}

/** Whether `ms` lies in any interval of any of the named sets. */
export function inTimeIntervals(
  ms: number,
  named: ReadonlyMap<string, readonly TimeInterval[]>,
  names: readonly string[],
): boolean {
  for (const name of names) {
    for (const interval of named.get(name) ?? []) {
      if (intervalContains(interval, ms)) return true;
    }
  }
  return false;
}
