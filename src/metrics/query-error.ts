// The one error a query source throws: what went wrong as a small code the API, the CLI and
// the chat bot turn into a status or a message, and whether asking again may help.
import { LookoutError } from '../lib/errors.js';

export type QueryErrorCode =
  /** The name is not in the catalog. */
  | 'unknown_query'
  /** The parameters are unusable (range backwards, too many points, bad namespace). */
  | 'bad_params'
  /** No source answers for this cluster. */
  | 'no_source'
  /** The source refused Lookout's credentials. */
  | 'unauthorized'
  /** The source rejected the query itself (a PromQL the server cannot run). */
  | 'rejected'
  /** The source could not be reached or failed (network, 5xx). */
  | 'unavailable'
  /** The source took longer than allowed. */
  | 'timeout'
  /** The source answered with something that is not a valid answer. */
  | 'bad_response'
  /** The caller gave up (abort signal). */
  | 'aborted';

const RETRYABLE: ReadonlySet<QueryErrorCode> = new Set(['unavailable', 'timeout']);

const HTTP_STATUS: Readonly<Record<QueryErrorCode, number>> = {
  unknown_query: 404,
  bad_params: 400,
  no_source: 404,
  unauthorized: 502,
  rejected: 502,
  unavailable: 503,
  timeout: 504,
  bad_response: 502,
  aborted: 499,
};

export class QueryError extends LookoutError {
  readonly code: QueryErrorCode;

  constructor(code: QueryErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause, retryable: RETRYABLE.has(code) });
    this.code = code;
  }

  /** The HTTP status an API answer should carry for this error. */
  get httpStatus(): number {
    return HTTP_STATUS[this.code];
  }
}
