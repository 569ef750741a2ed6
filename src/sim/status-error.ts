// Errors the simulated API server answers with: real `Status` objects with the right codes.

export interface StatusCause {
  readonly reason?: string;
  readonly message: string;
  readonly field?: string;
}

export interface StatusDetails {
  readonly name?: string;
  readonly group?: string;
  readonly kind?: string;
  readonly uid?: string;
  readonly causes?: readonly StatusCause[];
  readonly retryAfterSeconds?: number;
}

export type StatusReason =
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Invalid'
  | 'BadRequest'
  | 'Gone'
  | 'Expired'
  | 'Unauthorized'
  | 'Forbidden'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'ServiceUnavailable'
  | 'Timeout'
  | 'TooManyRequests';

export class ApiStatusError extends Error {
  readonly code: number;
  readonly reason: StatusReason;
  readonly details: StatusDetails | undefined;

  constructor(code: number, reason: StatusReason, message: string, details?: StatusDetails) {
    super(message);
    this.name = 'ApiStatusError';
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  /** The `Status` object as the API server sends it. */
  toStatus(): Record<string, unknown> {
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: this.message,
      reason: this.reason,
      ...(this.details ? { details: this.details } : {}),
      code: this.code,
    };
  }
}

/** `pods "x" not found`, the way the API server words it. */
export function notFound(resource: { group: string; plural: string }, name: string): ApiStatusError {
  const what = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  return new ApiStatusError(404, 'NotFound', `${what} "${name}" not found`, {
    name,
    group: resource.group,
    kind: resource.plural,
  });
}

export function alreadyExists(resource: { group: string; plural: string }, name: string): ApiStatusError {
  const what = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  return new ApiStatusError(409, 'AlreadyExists', `${what} "${name}" already exists`, {
    name,
    group: resource.group,
    kind: resource.plural,
  });
}

export function conflict(resource: { group: string; plural: string }, name: string): ApiStatusError {
  const what = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
  return new ApiStatusError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${what} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
    { name, group: resource.group, kind: resource.plural },
  );
}

/**
 * 422 with one cause per invalid field, worded as the API server words it:
 * `Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: …, …]` (brackets only
 * around several causes; the kind qualified by its group outside the core group).
 */
export function invalid(
  kind: string,
  name: string,
  causes: readonly StatusCause[],
  group = '',
): ApiStatusError {
  const parts = causes.map((c) => `${c.field ?? ''}: ${c.message}`.replace(/^: /, ''));
  const summary = parts.length > 1 ? `[${parts.join(', ')}]` : (parts[0] ?? '');
  const qualified = group ? `${kind}.${group}` : kind;
  return new ApiStatusError(422, 'Invalid', `${qualified} "${name}" is invalid: ${summary}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes: causes.map((c) => ({
      reason: c.reason ?? 'FieldValueInvalid',
      message: c.message,
      field: c.field,
    })),
  });
}

export function gone(message: string): ApiStatusError {
  return new ApiStatusError(410, 'Expired', message);
}

export function badRequest(message: string): ApiStatusError {
  return new ApiStatusError(400, 'BadRequest', message);
}
