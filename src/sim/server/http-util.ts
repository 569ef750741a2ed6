// Small HTTP helpers for the simulated API server: reading bodies, negotiating the response
// form from Accept the way the API server does, and writing objects and Status errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { ApiStatusError, badRequest } from '../status-error.js';

/** The largest request body the real API server accepts (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** What a response should look like, from the request's Accept header. */
export type ResponseForm =
  | { readonly kind: 'json' }
  | { readonly kind: 'yaml' }
  | { readonly kind: 'table'; readonly version: 'v1' | 'v1beta1' }
  | { readonly kind: 'partial'; readonly version: 'v1' | 'v1beta1' };

interface MediaRange {
  readonly type: string;
  readonly params: Readonly<Record<string, string>>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header || header.trim() === '') return [{ type: 'application/json', params: {} }];
  return header.split(',').map((part) => {
    const [type = '', ...rest] = part.split(';').map((s) => s.trim());
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.toLowerCase(), params };
  });
}

/**
 * Picks the first acceptable form in the client's order. `as=Table` and
 * `as=PartialObjectMetadata(List)` are honoured only where `transformable` (objects and lists,
 * not subresources); protobuf is never served, so a client that accepts only protobuf gets 406.
 */
export function negotiate(header: string | undefined, transformable: boolean): ResponseForm {
  for (const range of parseAccept(header)) {
    const { type, params } = range;
    if (type === 'application/json' || type === 'application/*' || type === '*/*') {
      const as = params.as;
      if (!as) return { kind: 'json' };
      const version = params.v === 'v1beta1' ? 'v1beta1' : params.v === 'v1' ? 'v1' : undefined;
      if (!transformable || params.g !== 'meta.k8s.io' || !version) continue;
      if (as === 'Table') return { kind: 'table', version };
      if (as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList')
        return { kind: 'partial', version };
      continue;
    }
    if ((type === 'application/yaml' || type === 'text/yaml') && !params.as) return { kind: 'yaml' };
  }
  throw new ApiStatusError(
    406,
    'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml, application/json;as=Table;v=v1;g=meta.k8s.io',
  );
}

/** Reads the whole request body, refusing more than {@link MAX_BODY_BYTES}. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new ApiStatusError(413, 'BadRequest', 'the request body is too large', {});
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The media type of a request body without parameters, lower-cased. */
export function contentType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}

/** Decodes a JSON or YAML body into a plain object (400 on malformed input, 415 on other types). */
export function decodeBody(body: Buffer, type: string): unknown {
  const text = body.toString('utf8');
  if (type === 'application/yaml' || type === 'application/apply-patch+yaml' || type === 'text/yaml') {
    try {
      return parseYaml(text) as unknown;
    } catch (error) {
      throw badRequest(`error converting YAML to JSON: ${(error as Error).message}`);
    }
  }
  if (type === '' || type.endsWith('json')) {
    if (text.trim() === '') throw badRequest('the request body is empty');
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
    }
  }
  throw new ApiStatusError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml`,
  );
}

/** A `Status` object for an error (unknown errors become 500s that do not leak details). */
export function statusOf(error: unknown): ApiStatusError {
  if (error instanceof ApiStatusError) return error;
  return new ApiStatusError(500, 'InternalError', 'Internal error occurred: the simulated API server failed');
}

/** Orders an object's top-level keys the way the API server writes them: kind, apiVersion, metadata, rest. */
export function ordered(obj: Record<string, unknown>): Record<string, unknown> {
  const { kind, apiVersion, metadata, ...rest } = obj;
  return {
    ...(kind !== undefined ? { kind } : {}),
    ...(apiVersion !== undefined ? { apiVersion } : {}),
    ...(metadata !== undefined ? { metadata } : {}),
    ...rest,
  };
}

export function encode(value: unknown, form: ResponseForm): { body: string; type: string } {
  if (form.kind === 'yaml') return { body: stringifyYaml(value), type: 'application/yaml' };
  return { body: JSON.stringify(value), type: 'application/json' };
}

/** Writes a complete response (never throws: a closed socket is the client's business). */
export function send(
  res: ServerResponse,
  status: number,
  value: unknown,
  form: ResponseForm = { kind: 'json' },
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const { body, type } = encode(value, form);
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-cache, private',
    ...headers,
  });
  res.end(body);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  type = 'text/plain; charset=utf-8',
): void {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendStatus(
  res: ServerResponse,
  error: ApiStatusError,
  headers: Record<string, string> = {},
): void {
  const extra: Record<string, string> = { ...headers };
  const retryAfter = error.details?.retryAfterSeconds;
  if (retryAfter !== undefined) extra['Retry-After'] = String(retryAfter);
  send(res, error.code, error.toStatus(), { kind: 'json' }, extra);
}

/** A boolean query parameter as the API server reads one (`true`, `1`). */
export function queryFlag(query: URLSearchParams, name: string): boolean {
  const v = query.get(name);
  return v === 'true' || v === '1' || v === 'True';
}

/** An integer query parameter; 400 when present but not an integer. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid value for ${name}: "${v}": must be an integer`);
  return Number(v);
}
