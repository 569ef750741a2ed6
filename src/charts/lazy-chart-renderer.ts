// Charts for the long-running server: ECharts, resvg and the fonts are loaded by the first chart
// someone asks for, so a Lookout nobody asks for charts keeps them out of memory.
import type { QueryResult } from '../domain/query.js';
import type { ChartImage, ChartRenderer, ChartRendererOptions, RenderOptions } from './chart-renderer.js';

/** What the API and the bot need from a renderer. */
export type Charts = Pick<ChartRenderer, 'render'>;

export function lazyChartRenderer(options: ChartRendererOptions = {}): Charts {
  let renderer: Promise<ChartRenderer> | undefined;
  return {
    async render(result: QueryResult, renderOptions?: RenderOptions): Promise<ChartImage> {
      renderer ??= import('./chart-renderer.js').then((m) => new m.ChartRenderer(options));
      try {
        return await (await renderer).render(result, renderOptions);
      } catch (error) {
        // A renderer that could not be built (missing fonts) is retried at the next chart.
        if (
          await renderer.then(
            () => false,
            () => true,
          )
        )
          renderer = undefined;
        throw error;
      }
    },
  };
}
