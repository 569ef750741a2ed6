// The small set of error classes Lookout uses at its boundaries. Each carries a `cause`
// and says whether retrying can help, so callers decide with data instead of string matching.

/** Base class: every error Lookout raises on purpose. */
export class LookoutError extends Error {
  /** Whether the same operation may succeed if tried again later. */
  readonly retryable: boolean;

  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** One problem in a configuration: where (YAML path) and what. */
export interface ConfigIssue {
  /** Dotted YAML path such as `alerting.route.group_wait` or `clusters[0].name`; empty for the root. */
  readonly path: string;
  readonly message: string;
}

/** The configuration is invalid. Fatal: the process exits with {@link CONFIG_ERROR_EXIT_CODE}. */
export class ConfigError extends LookoutError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    super(formatIssues(issues), { ...options, retryable: false });
    this.issues = issues;
  }
}

/** `EX_CONFIG` from sysexits.h: what `config check` and `serve` exit with on a bad config. */
export const CONFIG_ERROR_EXIT_CODE = 78;

export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}

/** The database refused or failed an operation. Connection-level failures are retryable. */
export class StoreError extends LookoutError {}

/** The Kubernetes API answered with an error status, or could not be reached (status 0). */
export class KubeApiError extends LookoutError {
  readonly status: number;
  readonly reason: string | undefined;

  constructor(message: string, options: { status: number; reason?: string; cause?: unknown }) {
    const { status } = options;
    // 401/403 need an operator; 404/409/410/422 are answers, not failures to retry.
    const retryable = status === 0 || status === 429 || status >= 500;
    super(message, { cause: options.cause, retryable });
    this.status = status;
    this.reason = options.reason;
  }
}

/** A receiver did not accept a notification. `retryAfterMs` comes from the receiver when it says so. */
export class NotifyError extends LookoutError {
  readonly retryAfterMs: number | undefined;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { retryable: boolean; retryAfterMs?: number; status?: number; cause?: unknown },
  ) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
    this.status = options.status;
  }
}

/** The message of any thrown value, for logs and replies. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
