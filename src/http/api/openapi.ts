// The API description served at /api/openapi.json (OpenAPI 3.1). It lists the operations this
// Lookout actually serves: documented ones in full, and any route without a description yet
// with a placeholder, so the document never claims an endpoint that is not there.
import type { Hono } from 'hono';
import { QUERY_NAMES } from '../../domain/query.js';
import { lookoutVersion } from '../../lib/version.js';
import type { HttpMount } from '../app.js';

type Json = Record<string, unknown>;

interface Operation {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly Json[];
  readonly requestBody?: Json;
  readonly responses: Json;
  /** Who may call it; shown in the description. */
  readonly access?: 'open' | 'viewer' | 'admin' | 'ingest';
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, description = 'OK'): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const errors: Json = {
  '400': json(ref('Error'), 'The request is malformed'),
  '401': json(ref('Error'), 'Not signed in, or the token is not valid'),
  '403': json(ref('Error'), 'The role does not allow it, or a CSRF check failed'),
};
const q = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  description,
  schema,
});
const p = (name: string, description: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema,
});
const timeParam = (name: string): Json =>
  q(name, 'A duration back from now (`2h`, `7d`) or a time (RFC 3339, or epoch milliseconds)');
const cursor = q('cursor', "The previous page's `nextCursor`");
const limit = (max: number): Json =>
  q('limit', `At most this many (1-${max})`, { type: 'integer', minimum: 1, maximum: max });
const page = (item: string): Json => ({
  type: 'object',
  properties: { items: { type: 'array', items: ref(item) }, nextCursor: { type: 'string' } },
  required: ['items'],
});
const matcherFilter = q('filter', 'A matcher such as `alertname="X"` (repeatable)', {
  type: 'array',
  items: { type: 'string' },
});

/** Every operation Lookout documents, keyed by `METHOD /openapi/path`. */
const OPERATIONS: Readonly<Record<string, Operation>> = {
  'GET /healthz': {
    summary: 'Liveness: the process answers',
    tags: ['operations'],
    access: 'open',
    responses: { '200': json({ type: 'object' }) },
  },
  'GET /readyz': {
    summary: 'Readiness: database reachable and every cluster watch synced',
    tags: ['operations'],
    access: 'open',
    responses: {
      '200': json({ type: 'object' }),
      '503': json({ type: 'object' }, 'Not ready, with the reasons'),
    },
  },
  'GET /metrics': {
    summary: 'Prometheus metrics of Lookout itself and of what it watches',
    tags: ['operations'],
    access: 'open',
    responses: {
      '200': {
        description: 'Prometheus text format',
        content: { 'text/plain': { schema: { type: 'string' } } },
      },
    },
  },
  'GET /api/openapi.json': {
    summary: 'This document',
    tags: ['operations'],
    access: 'open',
    responses: { '200': json({ type: 'object' }) },
  },
  'GET /api/v1/status': {
    summary: 'Version, uptime, storage and clusters',
    tags: ['operations'],
    responses: { '200': json({ type: 'object' }), ...errors },
  },
  'GET /api/v1/overview': {
    summary: 'One cluster at a glance',
    description:
      'Nodes ready, pods by phase, open abnormal pods, recent crashes and firing alerts — what the overview page shows.',
    tags: ['history'],
    parameters: [q('cluster', 'The cluster (default: the first configured)')],
    responses: { '200': json(ref('Overview')), '404': json(ref('Error'), 'No such cluster'), ...errors },
  },
  'GET /api/v1/events': {
    summary: 'Stored event occurrences, newest first',
    description:
      'Each repeat of a Kubernetes Event (a count bump) is one occurrence, kept beyond the API server’s hour.',
    tags: ['history'],
    parameters: [
      q('cluster', 'Only this cluster'),
      q('namespace', 'Only this namespace'),
      q('type', '`Normal` or `Warning`'),
      q('reason', 'Only this reason (`BackOff`)'),
      q('object', 'The involved object: `Kind/name` or a bare name'),
      q('search', 'Full-text search in the message; every word must occur'),
      timeParam('since'),
      timeParam('until'),
      limit(1000),
      cursor,
    ],
    responses: { '200': json(page('EventOccurrence')), ...errors },
  },
  'GET /api/v1/events/histogram': {
    summary: 'Occurrences per time bucket',
    tags: ['history'],
    parameters: [
      q('cluster', 'Only this cluster'),
      q('namespace', 'Only this namespace'),
      q('type', '`Normal` or `Warning`'),
      q('reason', 'Only this reason'),
      q('search', 'Full-text search in the message'),
      timeParam('since'),
      timeParam('until'),
      q('bucket', 'Bucket width as a duration (default: about 60 buckets)'),
    ],
    responses: {
      '200': json({
        type: 'object',
        properties: {
          since: { type: 'integer' },
          until: { type: 'integer' },
          bucketMs: { type: 'integer' },
          buckets: {
            type: 'array',
            items: { type: 'object', properties: { t: { type: 'integer' }, count: { type: 'integer' } } },
          },
        },
      }),
      ...errors,
    },
  },
  'GET /api/v1/crashes': {
    summary: 'Container crashes, newest first (without their logs)',
    tags: ['history'],
    parameters: [
      q('cluster', 'Only this cluster'),
      q('namespace', 'Only this namespace'),
      q('pod', 'Only this pod'),
      q('container', 'Only this container'),
      q('workload', 'Only this workload (Deployment, StatefulSet… name)'),
      q('reason', 'Only this termination reason (`OOMKilled`, `Error`)'),
      q('search', 'Full-text search in the log tail and termination message'),
      timeParam('since'),
      timeParam('until'),
      limit(1000),
      cursor,
    ],
    responses: { '200': json(page('CrashSummary')), ...errors },
  },
  'GET /api/v1/crashes/{id}': {
    summary: 'One crash with its log tail, termination state and warning events',
    tags: ['history'],
    parameters: [p('id', 'Crash id', { type: 'integer' })],
    responses: { '200': json(ref('Crash')), '404': json(ref('Error'), 'No such crash'), ...errors },
  },
  'GET /api/v1/pods': {
    summary: 'Pods now; or open abnormal periods; or recently created pods',
    tags: ['history'],
    parameters: [
      q('cluster', 'Only this cluster'),
      q('namespace', 'Only this namespace'),
      q('abnormal', '`true`: abnormal periods (open ones unless `all=true`)'),
      q('all', 'With `abnormal=true`: closed periods too'),
      q('reason', 'With `abnormal=true`: only this reason'),
      q('created', '`true`: pods created since `since` (default 1h)'),
      timeParam('since'),
      limit(10000),
      cursor,
    ],
    responses: {
      '200': json({
        type: 'object',
        properties: { items: { type: 'array', items: { type: 'object' } }, nextCursor: { type: 'string' } },
      }),
      ...errors,
    },
  },
  'GET /api/v1/pods/{cluster}/{namespace}/{name}': {
    summary: 'One pod: its state, lifecycle log, crashes and abnormal periods',
    tags: ['history'],
    parameters: [p('cluster', 'Cluster'), p('namespace', 'Namespace'), p('name', 'Pod name')],
    responses: {
      '200': json({ type: 'object' }),
      '404': json(ref('Error'), 'Lookout knows no such pod'),
      ...errors,
    },
  },
  'GET /api/v1/query': {
    summary: 'The query catalog and the clusters that can be asked',
    tags: ['metrics'],
    responses: {
      '200': json({
        type: 'object',
        properties: {
          clusters: { type: 'array', items: { type: 'string' } },
          queries: { type: 'array', items: { type: 'object' } },
        },
      }),
      ...errors,
    },
  },
  'GET /api/v1/query/{name}': {
    summary: 'A named resource query (series over time, or a table)',
    description: 'The same answer from Lookout’s own metrics history or from a configured Prometheus.',
    tags: ['metrics'],
    parameters: [
      p('name', 'The query', { type: 'string', enum: [...QUERY_NAMES] }),
      q('cluster', 'The cluster (may be left out when there is only one)'),
      q('namespace', 'Only these namespaces (repeatable or comma-separated; namespace-scoped queries)'),
      q('range', 'How far back, as a duration (`1h`, `6h`, `7d`)'),
      timeParam('since'),
      timeParam('until'),
      q('step', 'The distance between points, as a duration'),
      q(
        'top',
        'Series queries: at most this many series (2–1000) — the highest peaks, the rest folded into `others`',
      ),
    ],
    responses: { '200': json(ref('QueryResult')), '404': json(ref('Error'), 'Unknown query'), ...errors },
  },
  'GET /api/v1/charts/{file}': {
    summary: 'A named query drawn as a PNG chart (`/api/v1/charts/node-cpu.png`)',
    tags: ['metrics'],
    parameters: [
      p('file', 'The query name followed by `.png`'),
      q('cluster', 'The cluster'),
      q('namespace', 'Namespaces'),
      q('range', 'How far back'),
      timeParam('since'),
      timeParam('until'),
      q('top', 'Lines drawn at most (default 10: nine series and the rest folded)'),
      q('tz', 'IANA time zone of the axis labels (default UTC)'),
    ],
    responses: {
      '200': {
        description: 'PNG image',
        content: { 'image/png': { schema: { type: 'string', format: 'binary' } } },
      },
      ...errors,
    },
  },
  'GET /api/v1/chat/users': {
    summary: "The chat bot's users with roles and namespace grants",
    tags: ['chat'],
    access: 'admin',
    responses: { '200': json({ type: 'object' }), ...errors },
  },
  'GET /api/v1/audit': {
    summary: 'The audit log of chat commands and actions',
    tags: ['chat'],
    access: 'admin',
    parameters: [q('user', 'Only this user'), limit(1000)],
    responses: { '200': json({ type: 'object' }), ...errors },
  },
  'GET /api/v1/notifications/dead': {
    summary: 'Notifications Lookout gave up on (dead letters), newest first',
    tags: ['alerting'],
    parameters: [
      q('receiver', 'Only this receiver'),
      q('limit', 'At most this many', { type: 'integer' }),
      q('before', 'Only ids below this one', { type: 'integer' }),
    ],
    responses: {
      '200': json({
        type: 'object',
        properties: { dead_letters: { type: 'array', items: { type: 'object' } } },
      }),
      ...errors,
    },
  },
  'POST /api/v1/notifications/{id}/resend': {
    summary: 'Put a dead letter back in the queue',
    tags: ['alerting'],
    access: 'admin',
    parameters: [p('id', 'Notification id', { type: 'integer' })],
    responses: {
      '200': json({ type: 'object' }),
      '404': json(ref('Error'), 'No such notification'),
      '409': json(ref('Error'), 'Not a dead letter'),
      ...errors,
    },
  },
  'POST /api/v1/intake/alertmanager': {
    summary: 'Alertmanager webhook intake (payload version 4)',
    description:
      'Point an Alertmanager `webhook_configs` receiver here, with an ingest token in `http_config.authorization`.',
    tags: ['alerting'],
    access: 'ingest',
    requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
    responses: {
      '200': json({ type: 'object', properties: { accepted: { type: 'integer' } } }),
      '503': json(ref('Error'), 'Alerting is starting'),
      ...errors,
    },
  },
  'GET /api/v2/alerts': {
    summary: 'Alerts (Alertmanager v2 API)',
    tags: ['alertmanager'],
    parameters: [
      matcherFilter,
      q('receiver', 'A regex the receiver must match'),
      q('active', 'Include active alerts', { type: 'boolean' }),
      q('silenced', 'Include silenced alerts', { type: 'boolean' }),
      q('inhibited', 'Include inhibited alerts', { type: 'boolean' }),
    ],
    responses: { '200': json({ type: 'array', items: ref('GettableAlert') }), ...errors },
  },
  'POST /api/v2/alerts': {
    summary: 'Push alerts (what Prometheus sends)',
    tags: ['alertmanager'],
    access: 'ingest',
    requestBody: {
      required: true,
      content: { 'application/json': { schema: { type: 'array', items: ref('PostableAlert') } } },
    },
    responses: { '200': { description: 'Accepted' }, ...errors },
  },
  'GET /api/v2/alerts/groups': {
    summary: 'Alerts by aggregation group and receiver',
    tags: ['alertmanager'],
    parameters: [matcherFilter, q('receiver', 'A regex the receiver must match')],
    responses: { '200': json({ type: 'array', items: { type: 'object' } }), ...errors },
  },
  'GET /api/v2/silences': {
    summary: 'Silences',
    tags: ['alertmanager'],
    parameters: [matcherFilter],
    responses: { '200': json({ type: 'array', items: ref('Silence') }), ...errors },
  },
  'POST /api/v2/silences': {
    summary: 'Create or update a silence',
    tags: ['alertmanager'],
    access: 'admin',
    requestBody: { required: true, content: { 'application/json': { schema: ref('PostableSilence') } } },
    responses: { '200': json({ type: 'object', properties: { silenceID: { type: 'string' } } }), ...errors },
  },
  'GET /api/v2/silence/{id}': {
    summary: 'One silence',
    tags: ['alertmanager'],
    parameters: [p('id', 'Silence id', { type: 'string', format: 'uuid' })],
    responses: { '200': json(ref('Silence')), '404': { description: 'No such silence' }, ...errors },
  },
  'DELETE /api/v2/silence/{id}': {
    summary: 'Expire a silence',
    tags: ['alertmanager'],
    access: 'admin',
    parameters: [p('id', 'Silence id', { type: 'string', format: 'uuid' })],
    responses: { '200': { description: 'Expired' }, '404': { description: 'No such silence' }, ...errors },
  },
  'GET /api/v2/receivers': {
    summary: 'Receiver names',
    tags: ['alertmanager'],
    responses: { '200': json({ type: 'array', items: { type: 'object' } }), ...errors },
  },
  'GET /api/v2/status': {
    summary: 'Alertmanager-style status (config, uptime, version)',
    tags: ['alertmanager'],
    responses: { '200': json({ type: 'object' }), ...errors },
  },
  'GET /api/v1/auth/whoami': {
    summary: 'Who the request is made as',
    tags: ['access'],
    responses: {
      '200': json({
        type: 'object',
        properties: { name: { type: 'string' }, role: { type: 'string' }, via: { type: 'string' } },
      }),
      ...errors,
    },
  },
  'GET /api/v1/auth/tokens': {
    summary: 'API tokens (never their values)',
    tags: ['access'],
    access: 'admin',
    responses: {
      '200': json({ type: 'object', properties: { tokens: { type: 'array', items: ref('ApiToken') } } }),
      ...errors,
    },
  },
  'POST /api/v1/auth/tokens': {
    summary: 'Create an API token; the answer holds its value, shown this once',
    tags: ['access'],
    access: 'admin',
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['name', 'role'],
            properties: {
              name: { type: 'string' },
              role: { type: 'string', enum: ['viewer', 'admin', 'ingest'] },
              expires_in: { type: 'string', description: 'A duration (`90d`) or `never` (default)' },
            },
          },
        },
      },
    },
    responses: {
      '201': json(
        { allOf: [ref('ApiToken'), { type: 'object', properties: { token: { type: 'string' } } }] },
        'Created',
      ),
      ...errors,
    },
  },
  'DELETE /api/v1/auth/tokens/{id}': {
    summary: 'Revoke an API token',
    tags: ['access'],
    access: 'admin',
    parameters: [p('id', 'Token id', { type: 'integer' })],
    responses: {
      '200': json({ type: 'object' }),
      '404': json(ref('Error'), 'No active token with that id'),
      ...errors,
    },
  },
  'POST /api/v1/auth/tokens/bootstrap/rotate': {
    summary: 'Replace the bootstrap admin token; the answer holds the new value',
    tags: ['access'],
    access: 'admin',
    responses: { '200': json({ type: 'object', properties: { token: { type: 'string' } } }), ...errors },
  },
};

const SCHEMAS: Json = {
  Error: {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
  EventOccurrence: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      cluster: { type: 'string' },
      eventUid: { type: 'string' },
      countFrom: { type: 'integer' },
      countTo: { type: 'integer' },
      namespace: { type: 'string' },
      name: { type: 'string' },
      reason: { type: 'string' },
      type: { type: 'string' },
      message: { type: 'string' },
      involved: {
        type: 'object',
        properties: {
          kind: { type: 'string' },
          name: { type: 'string' },
          namespace: { type: ['string', 'null'] },
          uid: { type: ['string', 'null'] },
          fieldPath: { type: ['string', 'null'] },
        },
      },
      source: { type: 'string' },
      host: { type: ['string', 'null'] },
      firstAt: { type: 'integer', description: 'Epoch ms' },
      lastAt: { type: 'integer', description: 'Epoch ms' },
      observedAt: { type: 'integer', description: 'Epoch ms' },
    },
  },
  CrashSummary: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      cluster: { type: 'string' },
      namespace: { type: 'string' },
      pod: { type: 'string' },
      container: { type: 'string' },
      restartCount: { type: 'integer' },
      reason: { type: 'string' },
      exitCode: { type: 'integer' },
      signal: { type: ['integer', 'null'] },
      startedAt: { type: ['integer', 'null'] },
      finishedAt: { type: ['integer', 'null'] },
      workloadKind: { type: ['string', 'null'] },
      workload: { type: ['string', 'null'] },
      logStatus: { type: 'string', enum: ['pending', 'ok', 'unavailable'] },
      logLines: { type: 'integer' },
    },
  },
  Crash: {
    allOf: [
      ref('CrashSummary'),
      {
        type: 'object',
        properties: {
          logTail: { type: ['string', 'null'] },
          logTruncated: { type: 'boolean' },
          message: { type: ['string', 'null'] },
          warningEvents: { type: 'array', items: { type: 'object' } },
        },
      },
    ],
  },
  Overview: {
    type: 'object',
    properties: {
      cluster: { type: 'string' },
      at: { type: 'integer' },
      watching: { type: 'boolean' },
      nodes: { type: 'object' },
      pods: {
        type: 'object',
        properties: {
          total: { type: 'integer' },
          byPhase: { type: 'object', additionalProperties: { type: 'integer' } },
        },
      },
      abnormal: { type: 'object' },
      crashes: { type: 'object' },
      alerts: { type: 'object' },
    },
  },
  QueryResult: {
    type: 'object',
    description:
      '`kind: series` (series of [t, value] points with a unit; with `top`, the series left out folded into `others`) or `kind: table` (columns and rows)',
    properties: {
      kind: { type: 'string', enum: ['series', 'table'] },
      query: { type: 'string' },
      cluster: { type: 'string' },
      title: { type: 'string' },
      others: {
        type: 'object',
        description: 'With `top`: the other series as one line (highest for percentages, summed otherwise)',
        properties: { name: { type: 'string' }, count: { type: 'integer' }, points: { type: 'array' } },
      },
    },
  },
  PostableAlert: {
    type: 'object',
    required: ['labels'],
    properties: {
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      annotations: { type: 'object', additionalProperties: { type: 'string' } },
      startsAt: { type: 'string', format: 'date-time' },
      endsAt: { type: 'string', format: 'date-time' },
      generatorURL: { type: 'string' },
    },
  },
  GettableAlert: {
    allOf: [
      ref('PostableAlert'),
      {
        type: 'object',
        properties: {
          fingerprint: { type: 'string' },
          receivers: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
          status: {
            type: 'object',
            properties: {
              state: { type: 'string' },
              silencedBy: { type: 'array', items: { type: 'string' } },
              inhibitedBy: { type: 'array', items: { type: 'string' } },
            },
          },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    ],
  },
  Matcher: {
    type: 'object',
    required: ['name', 'value', 'isRegex'],
    properties: {
      name: { type: 'string' },
      value: { type: 'string' },
      isRegex: { type: 'boolean' },
      isEqual: { type: 'boolean', default: true },
    },
  },
  PostableSilence: {
    type: 'object',
    required: ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment'],
    properties: {
      id: { type: 'string' },
      matchers: { type: 'array', items: ref('Matcher'), minItems: 1 },
      startsAt: { type: 'string', format: 'date-time' },
      endsAt: { type: 'string', format: 'date-time' },
      createdBy: { type: 'string' },
      comment: { type: 'string' },
    },
  },
  Silence: {
    allOf: [
      ref('PostableSilence'),
      {
        type: 'object',
        properties: {
          status: {
            type: 'object',
            properties: { state: { type: 'string', enum: ['active', 'pending', 'expired'] } },
          },
          updatedAt: { type: 'string', format: 'date-time' },
        },
      },
    ],
  },
  ApiToken: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      name: { type: 'string' },
      role: { type: 'string', enum: ['viewer', 'admin', 'ingest'] },
      bootstrap: { type: 'boolean' },
      created_by: { type: 'string' },
      created_at: { type: 'string', format: 'date-time' },
      last_used_at: { type: ['string', 'null'], format: 'date-time' },
      expires_at: { type: ['string', 'null'], format: 'date-time' },
      revoked_at: { type: ['string', 'null'], format: 'date-time' },
      state: { type: 'string', enum: ['active', 'expired', 'revoked'] },
    },
  },
};

const ACCESS_TEXT: Readonly<Record<NonNullable<Operation['access']>, string>> = {
  open: 'No sign-in needed.',
  viewer: 'Any signed-in user or token (viewer or admin).',
  admin: 'Admins only.',
  ingest: 'Admins, or a token with the `ingest` role.',
};

/** `/api/v1/crashes/:id{[0-9]+}` → `/api/v1/crashes/{id}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z_][A-Za-z0-9_]*)(\{[^}]*\})?/g, '{$1}');
}

/** Routes under these prefixes are part of the API (pages and static files are not). */
function isApiPath(path: string): boolean {
  return path.startsWith('/api/') || path === '/healthz' || path === '/readyz' || path === '/metrics';
}

export interface RouteLike {
  readonly method: string;
  readonly path: string;
}

/** The API routes an app serves that have no description here (a test keeps this empty). */
export function undocumentedRoutes(routes: readonly RouteLike[]): string[] {
  const out = new Set<string>();
  for (const r of routes) {
    if (r.method === 'ALL' || r.method === 'HEAD' || r.method === 'OPTIONS' || !isApiPath(r.path)) continue;
    const key = `${r.method} ${openApiPath(r.path)}`;
    if (!OPERATIONS[key]) out.add(key);
  }
  return [...out].sort();
}

/** The OpenAPI document for the routes `routes` (an app's `routes`). */
export function buildOpenApi(routes: readonly RouteLike[], serverUrl?: string): Json {
  const served = new Set(
    routes
      .filter((r) => r.method !== 'ALL' && isApiPath(r.path))
      .map((r) => `${r.method} ${openApiPath(r.path)}`),
  );
  const paths: Record<string, Record<string, Json>> = {};
  const add = (key: string, op: Operation): void => {
    const space = key.indexOf(' ');
    const method = key.slice(0, space).toLowerCase();
    const path = key.slice(space + 1);
    const { access = 'viewer', description, ...rest } = op;
    const entry: Json = {
      ...rest,
      description: [description, ACCESS_TEXT[access]].filter(Boolean).join('\n\n'),
      ...(access === 'open' ? { security: [] } : {}),
    };
    (paths[path] ??= {})[method] = entry;
  };
  for (const [key, op] of Object.entries(OPERATIONS)) if (served.has(key)) add(key, op);
  for (const key of undocumentedRoutes(routes)) {
    add(key, {
      summary: 'Not described yet',
      tags: ['other'],
      responses: { '200': { description: 'OK' }, ...errors },
    });
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Lookout API',
      version: lookoutVersion(),
      description:
        'Lookout keeps the history of Kubernetes clusters, alerts on it and answers questions about it. ' +
        'Every error is `{ "error": { "code", "message" } }` except on the Alertmanager-compatible `/api/v2` paths, which answer as Alertmanager does. ' +
        'Sign in on the web UI (a session cookie; changes then need the `X-CSRF-Token` header) or send an API token as `Authorization: Bearer <token>`.',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API token made on the Access page, or the bootstrap admin token',
        },
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: 'lookout_session',
          description: 'The web UI’s session (`__Host-lookout_session` over HTTPS)',
        },
      },
      schemas: SCHEMAS,
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

/** Serves `/api/openapi.json`, built from the routes the app has when first asked. */
export function openApiRoute(): HttpMount {
  return (app: Hono) => {
    let cached: string | undefined;
    app.get('/api/openapi.json', (c) => {
      cached ??= JSON.stringify(buildOpenApi(app.routes));
      return c.body(cached, 200, { 'content-type': 'application/json; charset=utf-8' });
    });
  };
}
