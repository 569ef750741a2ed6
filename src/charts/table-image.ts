// Draws a table result (top nodes, top pods, HPAs) as SVG for a PNG in chat: monospaced like
// kubectl's output, numbers right-aligned, high percentages coloured, long tables cut with a count.
import { isAbsent, type Cell, type Column, type TableResult } from '../domain/query.js';
import { formatCell, formatTime } from '../metrics/format.js';
import { FONT, shorten } from './chart-layout.js';
import { MONO_FAMILY, SANS_FAMILY } from './font-files.js';
import type { Measure } from './series-chart.js';

export interface TableImageOptions {
  readonly timeZone: string;
  readonly now: number;
  /** Rows drawn at most; the rest are counted in a last line. */
  readonly maxRows?: number;
}

export interface SvgImage {
  readonly svg: string;
  readonly width: number;
  readonly height: number;
}

const CELL_FONT = 14;
const ROW_HEIGHT = 24;
const PAD = 16;
const COLUMN_GAP = 18;
const CELL_MAX_CHARS = 44;

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Columns an image leaves out because another column already shows them (kubectl's TARGETS). */
const HIDDEN_IN_IMAGE: Readonly<Record<string, readonly string[]>> = {
  hpa: ['cpu_utilisation', 'cpu_target'],
};

/** Percent columns whose high values deserve colour; using more than requested is normal. */
function alarming(column: Column): boolean {
  return column.unit === 'percent' && !/of_request$|^cpu_(utilisation|target)$/.test(column.key);
}

export function buildTableImage(
  result: TableResult,
  options: TableImageOptions,
  measure: Measure,
  mono: Measure,
): SvgImage {
  const maxRows = options.maxRows ?? 40;
  const rows = result.rows.slice(0, maxRows);
  const hidden = result.rows.length - rows.length;
  const skip = HIDDEN_IN_IMAGE[result.query] ?? [];
  const columns = result.columns.filter((c) => !skip.includes(c.key));
  const text = rows.map((r) =>
    columns.map((c) =>
      shorten(formatCell(r[c.key] ?? null, c, options.timeZone, options.now), CELL_MAX_CHARS),
    ),
  );
  const widths = columns.map((c, i) =>
    Math.max(mono(c.title, CELL_FONT), ...text.map((cells) => mono(cells[i] ?? '', CELL_FONT))),
  );
  const title = result.title;
  const subtitle = `${result.cluster} · ${formatTime(result.at, options.timeZone, true)} ${options.timeZone === 'UTC' ? 'UTC' : options.timeZone}`;
  const notes = [...(result.notes ?? [])];
  if (hidden > 0) notes.unshift(`… and ${hidden} more rows`);
  if (result.rows.length === 0) notes.unshift('Nothing to show.');
  const tableWidth = widths.reduce((a, b) => a + b, 0) + COLUMN_GAP * Math.max(0, widths.length - 1);
  const width = Math.ceil(
    Math.max(
      480,
      tableWidth + 2 * PAD,
      measure(title, FONT.title, true) + 2 * PAD,
      measure(subtitle, FONT.subtitle) + 2 * PAD,
    ),
  );
  const headerY = 88;
  const noteLines = notes.map((n) => fitText(n, width - 2 * PAD, FONT.note, measure));
  const height = headerY + ROW_HEIGHT * rows.length + 10 + noteLines.length * (FONT.note + 8) + PAD;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    textEl(PAD, 38, title, { size: FONT.title, weight: 'bold', fill: '#222222' }),
    textEl(PAD, 62, subtitle, { size: FONT.subtitle, fill: '#666666' }),
  ];
  // Header band, then zebra rows.
  parts.push(
    `<rect x="${PAD - 6}" y="${headerY - 17}" width="${tableWidth + 12}" height="${ROW_HEIGHT}" fill="#eef1f5"/>`,
  );
  let x = PAD;
  const xs = widths.map((w) => {
    const at = x;
    x += w + COLUMN_GAP;
    return at;
  });
  columns.forEach((c, i) => {
    parts.push(
      cellEl(c, { x: xs[i]!, width: widths[i]! }, headerY, c.title, { fill: '#445566', family: MONO_FAMILY }),
    );
  });
  rows.forEach((row, r) => {
    const y = headerY + ROW_HEIGHT * (r + 1);
    if (r % 2 === 1) {
      parts.push(
        `<rect x="${PAD - 6}" y="${y - 17}" width="${tableWidth + 12}" height="${ROW_HEIGHT}" fill="#f7f8fa"/>`,
      );
    }
    columns.forEach((c, i) => {
      parts.push(
        cellEl(c, { x: xs[i]!, width: widths[i]! }, y, text[r]![i]!, {
          fill: cellColor(row[c.key] ?? null, c),
          family: MONO_FAMILY,
        }),
      );
    });
  });
  let y = headerY + ROW_HEIGHT * rows.length + 10;
  for (const line of noteLines) {
    y += FONT.note + 4;
    parts.push(textEl(PAD, y, line, { size: FONT.note, fill: '#666666' }));
    y += 4;
  }
  parts.push('</svg>');
  return { svg: parts.join(''), width, height };
}

function cellEl(
  column: Column,
  slot: { readonly x: number; readonly width: number },
  y: number,
  text: string,
  style: { fill: string; family: string },
): string {
  const right = column.type === 'number';
  return textEl(right ? slot.x + slot.width : slot.x, y, text, {
    size: CELL_FONT,
    fill: style.fill,
    family: style.family,
    anchor: right ? 'end' : 'start',
  });
}

function textEl(
  x: number,
  y: number,
  text: string,
  style: {
    size: number;
    fill: string;
    weight?: 'bold';
    family?: string;
    anchor?: 'start' | 'end' | 'middle';
  },
): string {
  const attrs = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    `font-family="${style.family ?? SANS_FAMILY}"`,
    `font-size="${style.size}"`,
    `fill="${style.fill}"`,
    style.weight ? `font-weight="${style.weight}"` : '',
    style.anchor && style.anchor !== 'start' ? `text-anchor="${style.anchor}"` : '',
    'xml:space="preserve"',
  ].filter(Boolean);
  return `<text ${attrs.join(' ')}>${escapeXml(text)}</text>`;
}

function round(v: number): string {
  return String(Math.round(v * 10) / 10);
}

/** Percentages near or past 100 stand out: orange from 75, red from 90. */
function cellColor(cell: Cell, column: Column): string {
  if (isAbsent(cell)) return '#8a8a8a';
  if (typeof cell === 'number' && alarming(column)) {
    if (cell >= 90) return '#c62828';
    if (cell >= 75) return '#d9730d';
  }
  return '#222222';
}

/** `text`, cut with an ellipsis so it fits `width` px. */
export function fitText(text: string, width: number, size: number, measure: Measure): string {
  if (measure(text, size) <= width) return text;
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (measure(`${chars.slice(0, mid).join('')}…`, size) <= width) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('')}…`;
}

/** An image saying there is nothing to draw, with the title and why — never a blank picture. */
export function buildMessageImage(
  text: {
    readonly title: string;
    readonly subtitle: string;
    readonly message: string;
    readonly details: readonly string[];
  },
  measure: Measure,
  width = 800,
): SvgImage {
  const { title, subtitle, message, details } = text;
  const lines = details.flatMap((d) => wrapText(d, width - 4 * PAD, FONT.note + 1, measure, 3));
  const height = 300 + lines.length * 22;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    textEl(PAD, 38, fitText(title, width - 2 * PAD, FONT.title, measure), {
      size: FONT.title,
      weight: 'bold',
      fill: '#222222',
    }),
    textEl(PAD, 62, fitText(subtitle, width - 2 * PAD, FONT.subtitle, measure), {
      size: FONT.subtitle,
      fill: '#666666',
    }),
    `<rect x="${PAD}" y="90" width="${width - 2 * PAD}" height="${height - 90 - PAD}" rx="8" fill="#f5f6f8" stroke="#dddddd"/>`,
    textEl(width / 2, 170, message, { size: 30, weight: 'bold', fill: '#8a8a8a', anchor: 'middle' }),
  ];
  lines.forEach((line, i) => {
    parts.push(
      textEl(width / 2, 212 + i * 22, line, { size: FONT.note + 1, fill: '#666666', anchor: 'middle' }),
    );
  });
  parts.push('</svg>');
  return { svg: parts.join(''), width, height };
}

/** Splits `text` into lines of at most `width` px at spaces; the last allowed line is cut with an ellipsis. */
export function wrapText(
  text: string,
  width: number,
  size: number,
  measure: Measure,
  maxLines: number,
): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const candidate = line ? `${line} ${word}` : word;
    if (measure(candidate, size) <= width || !line) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines.map((l) => fitText(l, width, size, measure));
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = fitText(
    `${kept[maxLines - 1]!} ${lines.slice(maxLines).join(' ')}`,
    width,
    size,
    measure,
  );
  return kept.map((l) => fitText(l, width, size, measure));
}
