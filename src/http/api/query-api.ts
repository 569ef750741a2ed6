// The query API: every catalog query as JSON (`/api/v1/query/{name}`) and as a PNG chart
// (`/api/v1/charts/{name}.png`), whichever source answers for the cluster.
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { checkTimeZone } from '../../charts/chart-layout.js';
import type { Charts } from '../../charts/lazy-chart-renderer.js';
import {
  CHART_SERIES,
  QUERY_CATALOG,
  QUERY_NAMES,
  isQueryName,
  type QueryName,
  type QueryParams,
  type QueryResult,
  type QuerySource,
} from '../../domain/query.js';
import { resolveWindow } from '../../metrics/builtin/query-window.js';
import { QueryError } from '../../metrics/query-error.js';
import { ApiError } from '../errors.js';
import { MAX_TOP, MIN_TOP } from '../../metrics/query-params.js';
import { durationParam, intParam, stringParam, timeParam } from './query-params.js';

export interface QueryApiDeps {
  /** Answers for every cluster (the composition root's QueryRouter). */
  readonly source: QuerySource;
  readonly renderer: Charts;
  /** Configured clusters: with exactly one, `cluster=` may be left out. */
  readonly clusters: readonly string[];
  readonly now?: () => number;
}

function toApiError(error: unknown): unknown {
  if (error instanceof QueryError)
    return new ApiError(error.httpStatus as ContentfulStatusCode, error.code, error.message);
  return error;
}

export function queryApi(deps: QueryApiDeps) {
  const now = deps.now ?? Date.now;

  function cluster(c: Context): string {
    const given = stringParam(c, 'cluster');
    if (given) return given;
    if (deps.clusters.length === 1) return deps.clusters[0]!;
    throw new ApiError(
      400,
      'bad_request',
      deps.clusters.length === 0
        ? 'cluster is required'
        : `cluster is required: one of ${deps.clusters.join(', ')}`,
    );
  }

  function namespaces(c: Context): string[] {
    return (c.req.queries('namespace') ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter((v) => v !== '');
  }

  /** `top` as asked; charts draw at most {@link CHART_SERIES} lines unless asked otherwise. */
  function params(c: Context, name: QueryName, chartTop?: number): QueryParams {
    const top = intParam(c, 'top', MIN_TOP, MAX_TOP) ?? chartTop;
    try {
      const range = resolveWindow(
        name,
        {
          rangeMs: durationParam(c, 'range'),
          since: timeParam(c, 'since'),
          until: timeParam(c, 'until'),
          stepMs: durationParam(c, 'step'),
        },
        now(),
      );
      return { cluster: cluster(c), namespaces: namespaces(c), range, ...(top ? { top } : {}) };
    } catch (error) {
      throw toApiError(error);
    }
  }

  function queryName(raw: string): QueryName {
    if (!isQueryName(raw))
      throw new ApiError(404, 'unknown_query', `unknown query "${raw}" (one of: ${QUERY_NAMES.join(', ')})`);
    return raw;
  }

  async function run(
    c: Context,
    name: QueryName,
    chartTop?: number,
  ): Promise<{ result: QueryResult; params: QueryParams }> {
    const p = params(c, name, chartTop);
    try {
      return { result: await deps.source.run(name, p, c.req.raw.signal), params: p };
    } catch (error) {
      throw toApiError(error);
    }
  }

  return (app: Hono): void => {
    app.get('/api/v1/query', (c) =>
      c.json({
        clusters: deps.clusters,
        queries: QUERY_NAMES.map((n) => QUERY_CATALOG[n]),
      }),
    );

    app.get('/api/v1/query/:name', async (c) => {
      const { result } = await run(c, queryName(c.req.param('name')));
      return c.json(result);
    });

    app.get('/api/v1/charts/:file', async (c) => {
      const file = c.req.param('file');
      if (!file.endsWith('.png'))
        throw new ApiError(404, 'not_found', `charts are PNG images: /api/v1/charts/${file}.png`);
      const name = queryName(file.slice(0, -'.png'.length));
      const timeZone = stringParam(c, 'tz');
      if (timeZone) {
        try {
          checkTimeZone(timeZone);
        } catch (error) {
          throw new ApiError(400, 'bad_request', `tz: ${(error as Error).message}`);
        }
      }
      const { result, params: p } = await run(c, name, CHART_SERIES);
      const image = await deps.renderer.render(result, {
        now: now(),
        signal: c.req.raw.signal,
        ...(timeZone ? { timeZone } : {}),
      });
      // A range that ended well in the past draws the same picture for a long time; "now" does not.
      const end = p.range === 'now' ? now() : p.range.end;
      const settled = now() - end > 10 * 60_000;
      return c.body(new Uint8Array(image.png), 200, {
        'content-type': 'image/png',
        'cache-control': `private, max-age=${settled ? 3600 : 30}`,
        'x-lookout-chart-size': `${image.width}x${image.height}`,
      });
    });
  };
}
