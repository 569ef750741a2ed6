// `top`: keeping the series with the highest peaks and folding the rest into one line. Charts
// draw at most ten lines; every source answers `top` the same way (the built-in source without
// reading the folded series one by one, others by folding a full answer here).
import type { FoldedSeries, Point, QueryResult, Series, SeriesResult, Unit } from '../domain/query.js';

/** The highest value of a series; -Infinity when it has none. */
export function peakOf(points: readonly Point[]): number {
  let peak = -Infinity;
  for (const [, v] of points) if (v !== null && v > peak) peak = v;
  return peak;
}

/** `others (12, highest)` for percentages, `others (12)` for sums. */
export function othersName(count: number, unit: Unit): string {
  return unit === 'percent' ? `others (${count}, highest)` : `others (${count})`;
}

/** Series ranked for `top`: highest peak first, then by name. */
export function byPeak<T extends { readonly name: string }>(peak: (s: T) => number): (a: T, b: T) => number {
  return (a, b) => peak(b) - peak(a) || a.name.localeCompare(b.name);
}

export interface Folded {
  /** The series kept, by name. */
  readonly shown: readonly Series[];
  readonly others?: FoldedSeries;
}

/**
 * Keeps the `top − 1` series with the highest peaks and folds the rest into one line: the
 * highest of them at each step for percentages, their sum otherwise. At most `top` series are
 * left alone.
 */
export function foldSeries(series: readonly Series[], unit: Unit, top: number): Folded {
  if (series.length <= top) return { shown: series };
  const peaks = new Map(series.map((s) => [s, peakOf(s.points)]));
  const ranked = [...series].sort(byPeak((s) => peaks.get(s)!));
  const shown = ranked.slice(0, top - 1);
  const rest = ranked.slice(top - 1);
  const byTime = new Map<number, number | null>();
  for (const s of rest) {
    for (const [t, v] of s.points) {
      const prev = byTime.get(t) ?? null;
      if (v === null) byTime.set(t, prev);
      else if (prev === null) byTime.set(t, v);
      else byTime.set(t, unit === 'percent' ? Math.max(prev, v) : prev + v);
    }
  }
  const points = [...byTime.entries()].sort(([a], [b]) => a - b);
  return {
    shown: shown.sort((a, b) => a.name.localeCompare(b.name)),
    others: { name: othersName(rest.length, unit), labels: {}, points, count: rest.length },
  };
}

/** A series answer cut to `top` lines (unchanged when it has no more, or was cut already). */
export function applyTop(result: SeriesResult, top: number | undefined): SeriesResult;
export function applyTop(result: QueryResult, top: number | undefined): QueryResult;
export function applyTop(result: QueryResult, top: number | undefined): QueryResult {
  if (top === undefined || result.kind !== 'series' || result.others) return result;
  const { shown, others } = foldSeries(result.series, result.unit, top);
  if (!others) return result;
  return { ...result, series: shown, others };
}
