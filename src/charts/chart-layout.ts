// Shared drawing decisions for chart images: sizes for a phone screen, the palette and text
// that fits. How many series a chart shows is `CHART_SERIES` (src/domain/query.ts).
import { formatTime } from '../metrics/format.js';

/** Logical width of every chart; the PNG is this times the scale. */
export const CHART_WIDTH = 800;
/** Height of the plot area; the image grows with the legend instead of squeezing the plot. */
export const PLOT_HEIGHT = 300;
/** PNG pixels per logical pixel: 1200 px wide, sharp on a phone and under Telegram's 1280 px. */
export const DEFAULT_SCALE = 1.5;

export const FONT = { title: 22, subtitle: 14, axis: 13, legend: 14, note: 13 } as const;

export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#2f4b7c',
];
export const OTHERS_COLOR = '#a0a0a0';

/** Shortens `text` to `max` characters with an ellipsis in the middle, keeping both ends readable. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  const tail = max - 1 - head;
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - tail).join('')}`;
}

/** `23 Nov 14:00 – 20:00 UTC`, or with both dates when the range crosses midnight. */
export function describeRange(start: number, end: number, timeZone: string): string {
  const day = (ms: number): string => formatTime(ms, timeZone, true).replace(/ \d\d:\d\d$/, '');
  const zone = timeZone === 'UTC' || timeZone === 'Etc/UTC' ? 'UTC' : timeZone;
  const from = formatTime(start, timeZone, true);
  const to = day(start) === day(end) ? formatTime(end, timeZone) : formatTime(end, timeZone, true);
  return `${from} – ${to} ${zone}`;
}

/** Throws a clear error for a time zone Intl does not know. */
export function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin, or UTC)`);
  }
}
