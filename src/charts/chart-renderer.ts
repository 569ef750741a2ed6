// Renders query results to PNG on the server: ECharts draws series as SVG (server-side, no
// animation), tables are drawn as SVG directly, and resvg rasterises with the DejaVu fonts
// loaded explicitly, so the same picture comes out on every machine.
import { renderAsync } from '@resvg/resvg-js';
import { LineChart } from 'echarts/charts';
import { GraphicComponent, GridComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { init, setPlatformAPI, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { QueryResult, SeriesResult, TableResult } from '../domain/query.js';
import { LookoutError, errorMessage } from '../lib/errors.js';
import { DEFAULT_SCALE, checkTimeZone, describeRange } from './chart-layout.js';
import { MONO_FAMILY, SANS_FAMILY, resolveFontFiles, type FontFiles } from './font-files.js';
import { FontMetrics } from './font-metrics.js';
import { buildSeriesChart, type Measure } from './series-chart.js';
import { buildMessageImage, buildTableImage, type SvgImage } from './table-image.js';

export interface ChartRendererOptions {
  /** A directory holding DejaVuSans.ttf, DejaVuSans-Bold.ttf and DejaVuSansMono.ttf; default: Lookout's own copies, then the system's. */
  readonly fontDir?: string;
  /** PNG pixels per logical pixel (default 1.5: a 1200 px wide chart). */
  readonly scale?: number;
  /** IANA time zone for axis labels and titles (default UTC). */
  readonly timeZone?: string;
}

export interface RenderOptions {
  readonly timeZone?: string;
  /** "Now", for tables that show how long ago something happened. */
  readonly now?: number;
  readonly signal?: AbortSignal;
}

/** A rendered chart: the PNG and where things are in it (PNG pixels). */
export interface ChartImage {
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  /** The plot area of a series chart; undefined for tables and "no data" images. */
  readonly plot?: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
  readonly kind: 'series' | 'table' | 'no-data';
}

/** An SVG ready for rasterising, plus its logical size and plot area. */
export interface ChartSvg extends SvgImage {
  readonly plot?: ChartImage['plot'];
  readonly kind: ChartImage['kind'];
}

export class ChartRenderer {
  readonly #fonts: FontFiles;
  readonly #scale: number;
  readonly #timeZone: string;
  readonly #measure: Measure;
  readonly #mono: Measure;

  constructor(options: ChartRendererOptions = {}) {
    this.#fonts = resolveFontFiles(options.fontDir);
    this.#scale = options.scale ?? DEFAULT_SCALE;
    this.#timeZone = options.timeZone ?? 'UTC';
    checkTimeZone(this.#timeZone);
    const regular = FontMetrics.load(this.#fonts.regular);
    const bold = FontMetrics.load(this.#fonts.bold);
    const mono = FontMetrics.load(this.#fonts.mono);
    this.#measure = (text, size, isBold = false) => (isBold ? bold : regular).width(text, size);
    this.#mono = (text, size) => mono.width(text, size);
    // ECharts lays out labels and legends with this; measuring with the font resvg will draw
    // with keeps legends from overlapping. Registration is idempotent.
    use([LineChart, GridComponent, LegendComponent, TitleComponent, GraphicComponent, SVGRenderer]);
    setPlatformAPI({
      measureText: (text: string, font?: string) => ({ width: measureCss(text, font, this.#measure) }),
    });
  }

  /** The font files in use. */
  get fonts(): FontFiles {
    return this.#fonts;
  }

  /** Renders any query result: a line chart for series, a table image for tables. */
  async render(result: QueryResult, options: RenderOptions = {}): Promise<ChartImage> {
    return this.rasterise(this.svg(result, options), options.signal);
  }

  /** The SVG of a result, before rasterising (for tests and for clients that draw SVG). */
  svg(result: QueryResult, options: RenderOptions = {}): ChartSvg {
    const timeZone = options.timeZone ?? this.#timeZone;
    if (options.timeZone) checkTimeZone(timeZone);
    return result.kind === 'series'
      ? this.#seriesSvg(result, timeZone)
      : this.#tableSvg(result, timeZone, options.now ?? Date.now());
  }

  async rasterise(image: ChartSvg, signal?: AbortSignal): Promise<ChartImage> {
    let rendered;
    try {
      rendered = await renderAsync(
        image.svg,
        {
          fitTo: { mode: 'zoom', value: this.#scale },
          background: '#ffffff',
          font: {
            loadSystemFonts: false,
            fontFiles: [this.#fonts.regular, this.#fonts.bold, this.#fonts.mono],
            defaultFontFamily: SANS_FAMILY,
            sansSerifFamily: SANS_FAMILY,
            monospaceFamily: MONO_FAMILY,
          },
          logLevel: 'off',
        },
        signal ?? null,
      );
    } catch (error) {
      throw new LookoutError(`cannot render the chart image: ${errorMessage(error)}`, { cause: error });
    }
    const s = this.#scale;
    return {
      png: rendered.asPng(),
      width: rendered.width,
      height: rendered.height,
      kind: image.kind,
      ...(image.plot
        ? {
            plot: {
              x: Math.round(image.plot.x * s),
              y: Math.round(image.plot.y * s),
              width: Math.round(image.plot.width * s),
              height: Math.round(image.plot.height * s),
            },
          }
        : {}),
    };
  }

  #seriesSvg(result: SeriesResult, timeZone: string): ChartSvg {
    const drawable = result.series.some((s) => s.points.some(([, v]) => v !== null));
    if (!drawable) return this.#noData(result, timeZone);
    const layout = buildSeriesChart(result, timeZone, this.#measure);
    const chart = init(null, null, {
      renderer: 'svg',
      ssr: true,
      width: layout.width,
      height: layout.height,
    });
    try {
      chart.setOption(layout.option);
      return {
        svg: chart.renderToSVGString(),
        width: layout.width,
        height: layout.height,
        plot: layout.plot,
        kind: 'series',
      };
    } finally {
      chart.dispose();
    }
  }

  #noData(result: SeriesResult, timeZone: string): ChartSvg {
    const details = [...(result.notes ?? [])];
    const unlimited = result.unlimited ?? [];
    if (unlimited.length > 0) {
      details.unshift(
        `${unlimited.length} container${unlimited.length === 1 ? ' has' : 's have'} no limit: ${unlimited.map((u) => u.name).join(', ')}`,
      );
    }
    if (details.length === 0) details.push('Nothing was recorded in this time range.');
    const subtitle = `${result.cluster} · ${describeRange(result.range.start, result.range.end, timeZone)}`;
    return {
      ...buildMessageImage({ title: result.title, subtitle, message: 'No data', details }, this.#measure),
      kind: 'no-data',
    };
  }

  #tableSvg(result: TableResult, timeZone: string, now: number): ChartSvg {
    return { ...buildTableImage(result, { timeZone, now }, this.#measure, this.#mono), kind: 'table' };
  }
}

/** Measures a CSS font shorthand (`bold 22px "DejaVu Sans"`) as ECharts passes it. */
function measureCss(text: string, font: string | undefined, measure: Measure): number {
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? 12);
  const bold = /\b(bold|bolder|[6-9]00)\b/.test(font ?? '');
  let widest = 0;
  for (const line of text.split('\n')) widest = Math.max(widest, measure(line, size, bold));
  return widest;
}
