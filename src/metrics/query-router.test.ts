import { describe, expect, it } from 'vitest';
import type { QueryName, QueryParams, QueryResult, QuerySource } from '../domain/query.js';
import { QueryError } from './query-error.js';
import { QueryRouter } from './query-router.js';

/** A source that answers every query with an empty table named after its cluster. */
function tableSource(cluster: string): QuerySource {
  return {
    run: (name: QueryName, params: QueryParams): Promise<QueryResult> =>
      Promise.resolve({
        kind: 'table',
        query: name,
        cluster,
        title: params.cluster,
        at: 0,
        columns: [],
        rows: [],
      }),
  };
}

describe('query router', () => {
  it('hands each query to the source of its cluster', async () => {
    const router = new QueryRouter();
    router.register('a', tableSource('a'));
    router.register('b', tableSource('b'));
    expect((await router.run('hpa', { cluster: 'b', range: 'now' })).cluster).toBe('b');
    expect(router.clusters).toEqual(['a', 'b']);
  });

  it('says when no source answers for a cluster', async () => {
    const error = await new QueryRouter().run('hpa', { cluster: 'x', range: 'now' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).code).toBe('no_source');
    expect((error as QueryError).httpStatus).toBe(404);
  });
});
