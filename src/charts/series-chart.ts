// Turns a time-series result into an ECharts option laid out for a phone: fixed plot size,
// legend rows measured with the real font, the unit on the axis, times in the chosen zone.
import type { EChartsCoreOption } from 'echarts/core';
import { CHART_SERIES, type SeriesResult, type Unit } from '../domain/query.js';
import { foldSeries } from '../metrics/fold-series.js';
import { formatTime, formatValue, unitLabel } from '../metrics/format.js';
import {
  CHART_WIDTH,
  FONT,
  OTHERS_COLOR,
  PALETTE,
  PLOT_HEIGHT,
  describeRange,
  shorten,
} from './chart-layout.js';
import { SANS_FAMILY } from './font-files.js';

/** Width of `text` in px at a font size, bold or not. */
export type Measure = (text: string, sizePx: number, bold?: boolean) => number;

export interface SeriesChartLayout {
  readonly option: EChartsCoreOption;
  readonly width: number;
  readonly height: number;
  /** The plot area in logical px. */
  readonly plot: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

const GRID = { left: 72, right: 28, top: 92 } as const;
const LEGEND = { icon: 18, textGap: 5, itemGap: 14, rowHeight: 24, side: 16 } as const;
const X_LABELS = 34;
const LEGEND_NAME_MAX = 40;

export function buildSeriesChart(
  result: SeriesResult,
  timeZone: string,
  measure: Measure,
): SeriesChartLayout {
  // A source asked for `top` has folded the series already; anything else is folded here.
  const { shown, others } = result.others
    ? { shown: result.series, others: result.others }
    : foldSeries(result.series, result.unit, CHART_SERIES);
  const lines = others ? [...shown, others] : [...shown];
  const names = lines.map((s) => shorten(s.name, LEGEND_NAME_MAX));
  const legendRows = countRows(
    names.map((n) => LEGEND.icon + LEGEND.textGap + measure(n, FONT.legend)),
    CHART_WIDTH - 2 * LEGEND.side,
  );
  const legendTop = GRID.top + PLOT_HEIGHT + X_LABELS;
  const legendHeight = legendRows * LEGEND.rowHeight;
  const footnote = unlimitedNote(result, measure);
  const height = legendTop + legendHeight + (footnote ? FONT.note + 14 : 0) + 14;
  const plotWidth = CHART_WIDTH - GRID.left - GRID.right;
  const { start, end } = result.range;
  const long = end - start > 36 * 3600_000;
  const peak = Math.max(0, ...lines.flatMap((s) => s.points.map(([, v]) => v ?? 0)));

  const option: EChartsCoreOption = {
    animation: false,
    useUTC: true,
    backgroundColor: '#ffffff',
    color: PALETTE,
    textStyle: { fontFamily: SANS_FAMILY, fontSize: FONT.axis, color: '#333333' },
    title: {
      text: result.title,
      subtext: `${result.cluster} · ${describeRange(start, end, timeZone)}`,
      left: LEGEND.side,
      top: 12,
      itemGap: 8,
      textStyle: { fontFamily: SANS_FAMILY, fontSize: FONT.title, fontWeight: 'bold', color: '#222222' },
      subtextStyle: { fontFamily: SANS_FAMILY, fontSize: FONT.subtitle, color: '#666666' },
    },
    grid: { left: GRID.left, top: GRID.top, width: plotWidth, height: PLOT_HEIGHT, outerBoundsMode: 'none' },
    xAxis: {
      type: 'time',
      min: start,
      max: end,
      splitLine: { show: false },
      axisLine: { lineStyle: { color: '#888888' } },
      axisLabel: {
        fontSize: FONT.axis,
        hideOverlap: true,
        color: '#555555',
        formatter: (value: number) => timeLabel(value, timeZone, long),
      },
    },
    yAxis: {
      type: 'value',
      name: unitLabel(result.unit),
      nameTextStyle: { fontSize: FONT.axis, color: '#555555', align: 'right' },
      min: 0,
      ...(result.unit === 'percent' && peak <= 100 ? { max: 100 } : {}),
      ...(result.unit === 'count' ? { minInterval: 1 } : {}),
      splitLine: { lineStyle: { color: '#e6e6e6' } },
      axisLabel: {
        fontSize: FONT.axis,
        color: '#555555',
        formatter: (v: number) => axisValue(v, result.unit),
      },
    },
    legend: {
      type: 'plain',
      top: legendTop,
      left: LEGEND.side,
      width: CHART_WIDTH - 2 * LEGEND.side,
      icon: 'roundRect',
      itemWidth: LEGEND.icon,
      itemHeight: 8,
      itemGap: LEGEND.itemGap,
      textStyle: { fontFamily: SANS_FAMILY, fontSize: FONT.legend, color: '#333333' },
      data: names,
    },
    series: lines.map((s, i) => {
      const isOthers = others !== undefined && i === lines.length - 1;
      const single = s.points.filter(([, v]) => v !== null).length === 1;
      return {
        type: 'line',
        name: names[i],
        data: s.points.map(([t, v]) => [t, v]),
        showSymbol: single,
        symbolSize: 6,
        connectNulls: false,
        emphasis: { disabled: true },
        lineStyle: { width: 2, ...(isOthers ? { type: 'dashed', color: OTHERS_COLOR } : {}) },
        ...(isOthers ? { itemStyle: { color: OTHERS_COLOR } } : {}),
      };
    }),
    ...(footnote
      ? {
          graphic: [
            {
              type: 'text',
              left: LEGEND.side,
              top: legendTop + legendHeight + 6,
              style: { text: footnote, fontFamily: SANS_FAMILY, fontSize: FONT.note, fill: '#666666' },
            },
          ],
        }
      : {}),
  };
  return {
    option,
    width: CHART_WIDTH,
    height,
    plot: { x: GRID.left, y: GRID.top, width: plotWidth, height: PLOT_HEIGHT },
  };
}

/** How many rows items of these widths take when packed left to right into `width`. */
export function countRows(itemWidths: readonly number[], width: number): number {
  if (itemWidths.length === 0) return 0;
  let rows = 1;
  let x = 0;
  for (const w of itemWidths) {
    if (x > 0 && x + w > width) {
      rows++;
      x = 0;
    }
    x += w + LEGEND.itemGap;
  }
  return rows;
}

function timeLabel(value: number, timeZone: string, long: boolean): string {
  if (!long) return formatTime(value, timeZone);
  const text = formatTime(value, timeZone, true);
  return text.endsWith(' 00:00') ? text.slice(0, -6) : text;
}

function axisValue(v: number, unit: Unit): string {
  if (unit === 'percent') return `${Math.round(v * 10) / 10}`;
  return formatValue(v, unit);
}

/** "No limit, not drawn: a, b (+3 more)" — containers a % of limit cannot be computed for. */
function unlimitedNote(result: SeriesResult, measure: Measure): string | undefined {
  const names = (result.unlimited ?? []).map((u) => u.name);
  if (names.length === 0) return undefined;
  const max = CHART_WIDTH - 2 * LEGEND.side;
  const head = `No limit, not drawn (${names.length}): `;
  let text = head + names.join(', ');
  for (let n = names.length - 1; n >= 1 && measure(text, FONT.note) > max; n--) {
    text = `${head}${names.slice(0, n).join(', ')} (+${names.length - n} more)`;
  }
  return measure(text, FONT.note) > max ? `${head.slice(0, -2)}` : text;
}
