// One QuerySource over many clusters: each cluster has its own source (its Prometheus, or
// Lookout's history), and the router hands every query to the source of its cluster.
import type { QueryName, QueryParams, QueryResult, QuerySource } from '../domain/query.js';
import { applyTop } from './fold-series.js';
import { QueryError } from './query-error.js';

export class QueryRouter implements QuerySource {
  readonly #sources = new Map<string, QuerySource>();

  /** Sets the source for `cluster`, replacing any earlier one. */
  register(cluster: string, source: QuerySource): void {
    this.#sources.set(cluster, source);
  }

  has(cluster: string): boolean {
    return this.#sources.has(cluster);
  }

  get clusters(): readonly string[] {
    return [...this.#sources.keys()];
  }

  run(name: QueryName, params: QueryParams, signal?: AbortSignal): Promise<QueryResult> {
    const source = this.#sources.get(params.cluster);
    if (!source) {
      return Promise.reject(new QueryError('no_source', `no metrics source for cluster "${params.cluster}"`));
    }
    // A source that does not fold series for `top` itself gets its answer folded here.
    return source.run(name, params, signal).then((result) => applyTop(result, params.top));
  }
}
