// How numbers of each unit read for people: 31%, 830Mi, 250m, 1.5 cores; "no limit" where a
// container has none. Shared by the chart renderer, the CLI and the chat replies.
import { isAbsent, type Cell, type Column, type ScaleEvent, type Unit } from '../domain/query.js';

const KI = 1024;
const BYTE_UNITS = ['Ki', 'Mi', 'Gi', 'Ti', 'Pi'];

/** A value with its unit, short: `31%`, `5.9%`, `830Mi`, `250m`, `1.25`, `12`. */
export function formatValue(value: number, unit: Unit | undefined): string {
  if (!Number.isFinite(value)) return value > 0 ? '∞' : value < 0 ? '-∞' : '–';
  switch (unit) {
    case 'percent':
      return `${trimNumber(value, Math.abs(value) >= 10 ? 0 : 1)}%`;
    case 'bytes':
      return formatBytes(value);
    case 'cores':
      return formatCores(value);
    case 'count':
    case undefined:
      return trimNumber(value, Number.isInteger(value) ? 0 : 1);
  }
}

/** Binary units as Kubernetes writes them: 512Mi, 1.5Gi. */
export function formatBytes(bytes: number): string {
  let v = Math.abs(bytes);
  let unit = '';
  for (const u of BYTE_UNITS) {
    if (v < KI) break;
    v /= KI;
    unit = u;
  }
  const text = trimNumber(v, v >= 10 || unit === '' ? 0 : 1);
  return `${bytes < 0 ? '-' : ''}${text}${unit}`;
}

/** CPU as Kubernetes writes it: millicores below one core (250m), cores above (1.25). */
export function formatCores(cores: number): string {
  if (Math.abs(cores) < 1) return `${Math.round(cores * 1000)}m`;
  return trimNumber(cores, 2);
}

function trimNumber(v: number, decimals: number): string {
  const text = v.toFixed(decimals);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** Time of day (with the date when `withDate`) in `timeZone`, 24-hour: `14:03` or `23 Nov 14:03`. */
export function formatTime(ms: number, timeZone = 'UTC', withDate = false): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(withDate ? { day: 'numeric', month: 'short' } : {}),
  }).formatToParts(new Date(ms));
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${get('hour')}:${get('minute')}`;
  return withDate ? `${get('day')} ${get('month')} ${time}` : time;
}

/** Scale events newest first: `2→4 14:03, 4→2 13:10`; `none` when there were none. */
export function formatScaleEvents(events: readonly ScaleEvent[], timeZone = 'UTC', now = Date.now()): string {
  if (events.length === 0) return 'none';
  return events
    .map((e) => {
      const sameDay = formatDay(e.at, timeZone) === formatDay(now, timeZone);
      return `${e.from ?? '?'}→${e.to} ${formatTime(e.at, timeZone, !sameDay)}`;
    })
    .join(', ');
}

function formatDay(ms: number, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'short' }).format(new Date(ms));
}

/** A table cell as text: numbers with their column's unit, absent values as `no limit` / `no request`. */
export function formatCell(cell: Cell, column: Column, timeZone = 'UTC', now = Date.now()): string {
  if (cell === null) return '–';
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return formatValue(cell, column.unit);
  if (isAbsent(cell)) return cell.absent === 'no-limit' ? 'no limit' : 'no request';
  return formatScaleEvents(cell, timeZone, now);
}

/** The word for a unit on an axis or in a header. */
export function unitLabel(unit: Unit): string {
  switch (unit) {
    case 'percent':
      return '%';
    case 'bytes':
      return 'bytes';
    case 'cores':
      return 'cores';
    case 'count':
      return 'count';
  }
}
