// Chart images decoded back from PNG: the right size, lines inside the plot area, and text
// really drawn (titles, legends, table cells) — the failure mode of resvg without fonts is a
// chart whose every word silently vanished. With LOOKOUT_WRITE_CHART_IMAGES=1 this file also
// writes the sample chart of every query to docs/images/chart-<name>.png.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { ChartRenderer, type ChartImage } from '../../src/charts/chart-renderer.js';
import { foldSeries } from '../../src/metrics/fold-series.js';
import { FONT_NAMES, SYSTEM_FONT_DIR, resolveFontFiles } from '../../src/charts/font-files.js';
import { FontMetrics } from '../../src/charts/font-metrics.js';
import {
  CHART_SERIES,
  QUERY_NAMES,
  type Series,
  type SeriesResult,
  type TableResult,
} from '../../src/domain/query.js';
import { LookoutError } from '../../src/lib/errors.js';
import { packageRoot } from '../../src/lib/version.js';
import { tempDir } from '../support/tmp.js';
import { sampleResult } from './samples.js';

interface Pixels {
  readonly width: number;
  readonly height: number;
  at(x: number, y: number): [number, number, number];
}

function decode(image: ChartImage): Pixels {
  const png = PNG.sync.read(image.png);
  expect(png.width).toBe(image.width);
  expect(png.height).toBe(image.height);
  return {
    width: png.width,
    height: png.height,
    at: (x, y) => {
      const i = (y * png.width + x) * 4;
      return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    },
  };
}

/** Pixels in a rectangle that are not (near) white. */
function inked(p: Pixels, x0: number, y0: number, x1: number, y1: number): number {
  let n = 0;
  for (let y = Math.max(0, y0); y < Math.min(p.height, y1); y++) {
    for (let x = Math.max(0, x0); x < Math.min(p.width, x1); x++) {
      const [r, g, b] = p.at(x, y);
      if (r < 200 || g < 200 || b < 200) n++;
    }
  }
  return n;
}

/** Pixels in a rectangle that differ between two images of the same size. */
function differing(a: Pixels, b: Pixels, y0: number, y1: number): number {
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = 0; x < a.width; x++) {
      const pa = a.at(x, y);
      const pb = b.at(x, y);
      if (Math.abs(pa[0] - pb[0]) + Math.abs(pa[1] - pb[1]) + Math.abs(pa[2] - pb[2]) > 60) n++;
    }
  }
  return n;
}

let renderer: ChartRenderer;
const NOW = Date.UTC(2026, 10, 23, 14, 5);

beforeAll(() => {
  renderer = new ChartRenderer();
});

describe('chart images', () => {
  it.each(QUERY_NAMES.map((n) => [n]))(
    '%s renders a decodable PNG with ink where it belongs',
    async (name) => {
      const result = sampleResult(name);
      const image = await renderer.render(result, { now: NOW });
      const p = decode(image);
      if (result.kind === 'series') {
        expect(image.kind).toBe('series');
        expect(image.width).toBe(1200);
        const plot = image.plot!;
        // The lines: a good share of the plot area is drawn on, and the plot sits inside the image.
        expect(plot.x + plot.width).toBeLessThanOrEqual(image.width);
        expect(plot.y + plot.height).toBeLessThanOrEqual(image.height);
        expect(
          inked(p, plot.x + 2, plot.y + 2, plot.x + plot.width - 2, plot.y + plot.height - 2),
        ).toBeGreaterThan(2000);
        // The title band has text.
        expect(inked(p, 0, 0, image.width, plot.y - 40)).toBeGreaterThan(1500);
        // The legend band below the axis labels has text and swatches.
        expect(inked(p, 0, plot.y + plot.height + 40, image.width, image.height)).toBeGreaterThan(500);
      } else {
        expect(image.kind).toBe('table');
        expect(inked(p, 0, 100, image.width, image.height)).toBeGreaterThan(3000);
      }
      if (process.env.LOOKOUT_WRITE_CHART_IMAGES === '1') {
        const dir = join(packageRoot(), 'docs', 'images');
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, `chart-${name}.png`), image.png);
      }
    },
  );

  it('draws the title text: the title band differs from the same chart without a title', async () => {
    const result = sampleResult('node-memory') as SeriesResult;
    const titled = decode(await renderer.render(result));
    const untitled = decode(await renderer.render({ ...result, title: '' }));
    // Title glyphs at 22 px × 1.5 scale cover thousands of pixels.
    expect(differing(titled, untitled, 0, 60)).toBeGreaterThan(1500);
    // Everything below the title band is the same picture.
    expect(differing(titled, untitled, 150, titled.height)).toBe(0);
  });

  it('names each series in the legend: renaming one changes only the legend band', async () => {
    const result = sampleResult('pods-running') as SeriesResult;
    const image = await renderer.render(result);
    const renamed = await renderer.render({
      ...result,
      series: result.series.map((s, i) => (i === 0 ? { ...s, name: 'zz-renamed-namespace' } : s)),
    });
    const a = decode(image);
    const b = decode(renamed);
    const plotBottom = image.plot!.y + image.plot!.height;
    expect(differing(a, b, plotBottom + 40, a.height)).toBeGreaterThan(300);
  });

  it('uses the time zone it is given for axis labels and subtitle', () => {
    const result = sampleResult('cluster-cpu') as SeriesResult;
    const utc = renderer.svg(result, { timeZone: 'UTC' }).svg;
    const taipei = renderer.svg(result, { timeZone: 'Asia/Taipei' }).svg;
    expect(utc).toContain('08:00 – 14:00 UTC');
    expect(taipei).toContain('16:00 – 22:00 Asia/Taipei');
    expect(() => renderer.svg(result, { timeZone: 'Mars/Olympus' })).toThrow(
      /unknown time zone "Mars\/Olympus"/,
    );
  });

  it('folds everything past the tenth series into "others", the highest for percentages and the sum for counts', () => {
    const many = (n: number): Series[] =>
      Array.from({ length: n }, (_, i) => ({
        name: `s${String(i).padStart(2, '0')}`,
        labels: {},
        points: [
          [0, i],
          [1, i + 1],
        ],
      }));
    const percent = foldSeries(many(14), 'percent', CHART_SERIES);
    expect(percent.shown).toHaveLength(CHART_SERIES - 1);
    expect(percent.shown.map((s) => s.name)).toEqual([
      's05',
      's06',
      's07',
      's08',
      's09',
      's10',
      's11',
      's12',
      's13',
    ]);
    expect(percent.others).toMatchObject({
      count: 5,
      name: 'others (5, highest)',
      points: [
        [0, 4],
        [1, 5],
      ],
    });
    const counts = foldSeries(many(14), 'count', CHART_SERIES);
    expect(counts.others).toMatchObject({
      name: 'others (5)',
      points: [
        [0, 10],
        [1, 15],
      ],
    });
    expect(foldSeries(many(10), 'count', CHART_SERIES).others).toBeUndefined();
  });

  it('draws at most ten legend entries, the last one "others (n)"', () => {
    const svg = renderer.svg(sampleResult('container-memory')).svg;
    expect(svg).toContain('others (5, highest)');
    expect(svg).toContain('No limit, not drawn (2)');
  });

  it('shows a "No data" image, never a blank one, saying why', async () => {
    const result = {
      ...(sampleResult('container-memory') as SeriesResult),
      series: [],
      notes: ['Prometheus has no kube_pod_status_phase series'],
    };
    const image = await renderer.render(result);
    expect(image.kind).toBe('no-data');
    const p = decode(image);
    expect(inked(p, 0, 0, p.width, 90)).toBeGreaterThan(1000); // title
    expect(inked(p, 300, 200, 900, 280)).toBeGreaterThan(1000); // "No data"
    const svg = renderer.svg(result).svg;
    expect(svg).toContain('No data');
    expect(svg).toContain('2 containers have no limit');
    // A range where every point is a gap is no data too.
    const gaps = sampleResult('cluster-cpu') as SeriesResult;
    const empty = {
      ...gaps,
      series: gaps.series.map((s) => ({ ...s, points: s.points.map(([t]) => [t, null] as const) })),
    };
    expect((await renderer.render(empty)).kind).toBe('no-data');
  });

  it('draws table cells: changing one value changes the pixels of its row only', async () => {
    const result = sampleResult('top-nodes') as TableResult;
    const a = decode(await renderer.render(result, { now: NOW }));
    const changed: TableResult = {
      ...result,
      rows: result.rows.map((r, i) => (i === 2 ? { ...r, memory: 123 * 1024 ** 3 } : r)),
    };
    const b = decode(await renderer.render(changed, { now: NOW }));
    expect(differing(a, b, 0, b.height)).toBeGreaterThan(100);
    // Header and title untouched.
    expect(differing(a, b, 0, 160)).toBe(0);
    const svg = renderer.svg(sampleResult('top-pods'), { now: NOW }).svg;
    expect(svg).toContain('no limit');
    expect(svg).toContain('checkout-7d9f8b6c5d-x2kqp');
  });

  it('counts the rows a long table leaves out', () => {
    const result = sampleResult('top-pods') as TableResult;
    const long: TableResult = {
      ...result,
      rows: Array.from({ length: 55 }, (_, i) => ({ ...result.rows[0]!, pod: `pod-${i}` })),
    };
    expect(renderer.svg(long).svg).toContain('… and 15 more rows');
  });

  it('refuses to start without fonts, saying where it looked', () => {
    const dir = tempDir();
    try {
      expect(() => new ChartRenderer({ fontDir: dir.path })).toThrow(LookoutError);
      expect(() => resolveFontFiles(dir.path)).toThrow(new RegExp(`DejaVuSans\\.ttf.*not in ${dir.path}`));
    } finally {
      dir.remove();
    }
  });

  it('ships its own fonts, so it draws text on a machine without system fonts', () => {
    const files = resolveFontFiles();
    expect(files.regular).toBe(join(packageRoot(), 'src', 'charts', 'fonts', FONT_NAMES.regular));
    expect(files.regular.startsWith(SYSTEM_FONT_DIR)).toBe(false);
  });

  it('measures text with the font it draws with', () => {
    const sans = FontMetrics.load(resolveFontFiles().regular);
    const mono = FontMetrics.load(resolveFontFiles().mono);
    expect(sans.width('WWWW', 14)).toBeGreaterThan(sans.width('iiii', 14) * 2);
    // DejaVu Sans Mono advances 1233 of 2048 units per character.
    expect(mono.width('abc', 2048)).toBe(3 * 1233);
    expect(mono.width('iii', 14)).toBe(mono.width('WWW', 14));
  });
});
