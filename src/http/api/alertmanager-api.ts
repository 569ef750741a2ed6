// Alertmanager's v2 API, served by Lookout: what Prometheus posts alerts to and what amtool
// reads and writes silences with. Shapes, defaults, sort orders and error bodies follow 0.25.
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import type { AlertInput, AlertRecord } from '../../alerting/alert-record.js';
import type { AlertingMetrics, AlertingView } from '../../alerting/alerting.js';
import { AlertingNotRunningError } from '../../alerting/errors.js';
import { compareAlertLabels, labelSetBefore } from '../../alerting/label-set.js';
import { MatcherError, parseMatcher, type Matcher } from '../../alerting/matcher.js';
import { compileAnchored, RegexSyntaxError } from '../../alerting/regex.js';
import { silenceState, type Silence, type SilenceMatcher } from '../../alerting/silence.js';
import { SilenceRequestError } from '../../alerting/silence-ops.js';
import {
  alertProblem,
  fromWire,
  isStringMap,
  parseWireTime,
  wireTime,
  type WireAlert,
} from '../../alerting/wire.js';
import type { Labels } from '../../domain/alert.js';
import { lookoutVersion } from '../../lib/version.js';
import type { DirectRoutes, HttpMount } from '../app.js';

export interface AlertmanagerApiDeps {
  readonly alerting: AlertingView;
  readonly metrics: AlertingMetrics;
  readonly log: Logger;
}

/** Alertmanager answers most errors with a bare JSON string. */
function stringError(c: Context, status: ContentfulStatusCode, message: string): Response {
  return c.body(JSON.stringify(message), status, { 'content-type': 'application/json' });
}

/** …and request-shape errors (go-swagger's) with `{ code, message }`. */
function swaggerError(c: Context, status: ContentfulStatusCode, code: number, message: string): Response {
  return c.json({ code, message }, status);
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

class WireError extends Error {
  constructor(
    readonly status: 400 | 422,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function parseFailure(reason: string): WireError {
  return new WireError(400, 400, `parsing alerts body from "" failed, because ${reason}`);
}

/** Checks the request shape as go-swagger would for `PostableAlerts`. */
function readPostableAlerts(body: unknown): WireAlert[] {
  if (!Array.isArray(body)) {
    throw parseFailure(
      `json: cannot unmarshal ${jsonTypeName(body)} into Go value of type models.PostableAlerts`,
    );
  }
  return body.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw parseFailure(
        `json: cannot unmarshal ${jsonTypeName(item)} into Go value of type models.PostableAlert`,
      );
    }
    const a = item as Record<string, unknown>;
    for (const key of ['labels', 'annotations'] as const) {
      if (a[key] !== undefined && a[key] !== null && !isStringMap(a[key])) {
        throw parseFailure(
          `json: cannot unmarshal ${key === 'labels' ? 'labels' : 'annotations'} into Go struct field .${key} of type string`,
        );
      }
    }
    for (const key of ['startsAt', 'endsAt'] as const) {
      if (a[key] !== undefined && Number.isNaN(parseWireTime(a[key]))) {
        throw parseFailure(`parsing time ${JSON.stringify(a[key])} as RFC 3339 failed`);
      }
    }
    if (a.generatorURL !== undefined && typeof a.generatorURL !== 'string') {
      throw parseFailure(
        'json: cannot unmarshal generatorURL into Go struct field .generatorURL of type string',
      );
    }
    if (a.labels === undefined || a.labels === null)
      throw new WireError(422, 602, `${i}.labels in body is required`);
    return a as unknown as WireAlert;
  });
}

function parseBool(c: Context, name: string): boolean | Response {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return true;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return swaggerError(c, 400, 400, `${name} in query must be of type bool: ${JSON.stringify(raw)}`);
}

/** Alertmanager's filter semantics: a matcher on an absent label matches only if it accepts "". */
function matchesFilter(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) {
    const value = labels[m.name];
    const present = value !== undefined;
    if (m.type === '!=' || m.type === '!~') {
      if (m.value === '' && present) continue;
    } else if (m.value === '' && !present) continue;
    if (!m.matches(value ?? '')) return false;
  }
  return true;
}

interface AlertFilters {
  readonly matchers: Matcher[];
  readonly receiver: ((name: string) => boolean) | undefined;
  readonly active: boolean;
  readonly silenced: boolean;
  readonly inhibited: boolean;
}

function readFilters(c: Context): AlertFilters | Response {
  const matchers: Matcher[] = [];
  for (const text of c.req.queries('filter') ?? []) {
    try {
      matchers.push(parseMatcher(text));
    } catch (error) {
      if (error instanceof MatcherError) return stringError(c, 400, error.message);
      throw error;
    }
  }
  let receiver: ((name: string) => boolean) | undefined;
  const receiverParam = c.req.query('receiver');
  if (receiverParam !== undefined) {
    try {
      receiver = compileAnchored(receiverParam);
    } catch (error) {
      if (error instanceof RegexSyntaxError) {
        return stringError(c, 400, `failed to parse receiver param: ${error.message}`);
      }
      throw error;
    }
  }
  const flags: Record<string, boolean> = {};
  for (const name of ['active', 'silenced', 'inhibited', 'unprocessed']) {
    const v = parseBool(c, name);
    if (typeof v !== 'boolean') return v;
    flags[name] = v;
  }
  return {
    matchers,
    receiver,
    active: flags.active!,
    silenced: flags.silenced!,
    inhibited: flags.inhibited!,
  };
}

function alertItem(
  alerting: AlertingView,
  a: AlertRecord,
  receivers: readonly string[],
  now: number,
): unknown {
  const status = alerting.statusOf(a, now);
  return {
    annotations: a.annotations,
    endsAt: wireTime(a.endsAt),
    fingerprint: a.fingerprint,
    receivers: receivers.map((name) => ({ name })),
    startsAt: wireTime(a.startsAt),
    status: { inhibitedBy: status.inhibitedBy, silencedBy: status.silencedBy, state: status.state },
    updatedAt: wireTime(a.updatedAt),
    ...(a.generatorURL ? { generatorURL: a.generatorURL } : {}),
    labels: a.labels,
  };
}

/** Alertmanager's `alertFilter`: not resolved, state flags, then label filters. */
function passes(alerting: AlertingView, a: AlertRecord, f: AlertFilters, now: number): boolean {
  if (a.endsAt < now) return false;
  const status = alerting.statusOf(a, now);
  if (!f.active && status.state === 'active') return false;
  if (!f.silenced && status.silencedBy.length > 0) return false;
  if (!f.inhibited && status.inhibitedBy.length > 0) return false;
  return matchesFilter(f.matchers, a.labels);
}

function silenceItem(s: Silence, now: number): unknown {
  return {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: wireTime(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    endsAt: wireTime(s.endsAt),
    matchers: s.matchers.map((m) => ({
      isEqual: m.isEqual,
      isRegex: m.isRegex,
      name: m.name,
      value: m.value,
    })),
    startsAt: wireTime(s.startsAt),
  };
}

const STATE_ORDER = { active: 1, pending: 2, expired: 3 } as const;

/** Alertmanager's order: active by end, pending by start, expired newest end first. */
function compareSilences(a: Silence, b: Silence, now: number): number {
  const sa = silenceState(a, now);
  const sb = silenceState(b, now);
  if (sa !== sb) return STATE_ORDER[sa] - STATE_ORDER[sb];
  if (sa === 'active') return a.endsAt - b.endsAt;
  if (sa === 'pending') return a.startsAt - b.startsAt;
  return b.endsAt - a.endsAt;
}

/** A silence filter matches when the silence has a matcher for the name whose value fits. */
function silenceMatchesFilter(s: Silence, filters: readonly Matcher[]): boolean {
  const values: Record<string, string> = {};
  for (const m of s.matchers) values[m.name] = m.value;
  return matchesFilter(filters, values);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readPostableSilence(body: unknown): {
  id?: string;
  matchers: SilenceMatcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
} {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new WireError(
      400,
      400,
      `parsing silence body from "" failed, because json: cannot unmarshal ${jsonTypeName(body)} into Go value of type models.PostableSilence`,
    );
  }
  const s = body as Record<string, unknown>;
  for (const key of ['comment', 'createdBy', 'endsAt', 'matchers', 'startsAt'] as const) {
    if (s[key] === undefined || s[key] === null) throw new WireError(422, 602, `${key} in body is required`);
  }
  if (!Array.isArray(s.matchers))
    throw new WireError(400, 400, 'parsing silence body from "" failed, because matchers must be an array');
  if (s.matchers.length === 0) throw new WireError(422, 612, 'matchers in body should have at least 1 items');
  const matchers = s.matchers.map((raw: unknown, i): SilenceMatcher => {
    const m = (raw ?? {}) as Record<string, unknown>;
    for (const key of ['isRegex', 'name', 'value'] as const) {
      if (m[key] === undefined || m[key] === null)
        throw new WireError(422, 602, `matchers.${i}.${key} in body is required`);
    }
    if (typeof m.name !== 'string' || typeof m.value !== 'string' || typeof m.isRegex !== 'boolean') {
      throw new WireError(
        400,
        400,
        `parsing silence body from "" failed, because matchers.${i} has the wrong types`,
      );
    }
    const isEqual = m.isEqual === undefined || m.isEqual === null ? true : m.isEqual;
    if (typeof isEqual !== 'boolean')
      throw new WireError(
        400,
        400,
        `parsing silence body from "" failed, because matchers.${i}.isEqual must be a boolean`,
      );
    return { name: m.name, value: m.value, isRegex: m.isRegex, isEqual };
  });
  const startsAt = parseWireTime(s.startsAt);
  const endsAt = parseWireTime(s.endsAt);
  if (startsAt === undefined || Number.isNaN(startsAt) || endsAt === undefined || Number.isNaN(endsAt)) {
    throw new WireError(422, 602, 'startsAt and endsAt in body must be of type date-time');
  }
  if (typeof s.createdBy !== 'string' || typeof s.comment !== 'string') {
    throw new WireError(
      400,
      400,
      'parsing silence body from "" failed, because createdBy and comment must be strings',
    );
  }
  if (s.id !== undefined && s.id !== null && typeof s.id !== 'string') {
    throw new WireError(400, 400, 'parsing silence body from "" failed, because id must be a string');
  }
  return {
    ...(typeof s.id === 'string' && s.id !== '' ? { id: s.id } : {}),
    matchers,
    startsAt,
    endsAt,
    createdBy: s.createdBy,
    comment: s.comment,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw parseFailure(error instanceof Error ? error.message : String(error));
  }
}

async function readJson(c: Context): Promise<unknown> {
  return parseJson(await c.req.text());
}

/** What a POST of alerts carries: the alerts to accept, and what is wrong with the others. */
interface PostedAlerts {
  readonly valid: AlertInput[];
  readonly problems: string[];
}

/**
 * Reads a `POST /api/v2/alerts` body as Alertmanager does: throws WireError for a body that is
 * not PostableAlerts, fills in the default times, and sets aside the alerts it would refuse.
 */
function postedAlerts(text: string, now: number, resolveTimeoutMs: number): PostedAlerts {
  const wire = readPostableAlerts(parseJson(text));
  const valid: AlertInput[] = [];
  const problems: string[] = [];
  for (const w of wire) {
    const input = fromWire(w);
    const endsAt = input.endsAt ?? now + resolveTimeoutMs;
    const startsAt = input.startsAt ?? input.endsAt ?? now;
    const problem = alertProblem(input.labels, input.annotations ?? {}, startsAt, endsAt);
    if (problem) problems.push(problem);
    else valid.push(input);
  }
  return { valid, problems };
}

/** Mounts `/api/v2/…`: alerts, alert groups, silences, receivers and status. */
export function alertmanagerApi(deps: AlertmanagerApiDeps): HttpMount {
  const { alerting, metrics, log } = deps;

  const rejected = (c: Context, endpoint: string, error: unknown): Response => {
    if (!(error instanceof WireError)) throw error;
    metrics.rejectedPayloads.inc({ endpoint });
    log.warn({ endpoint, status: error.status, reason: error.message }, 'malformed request refused');
    return swaggerError(c, error.status, error.code, error.message);
  };

  return (app: Hono, direct?: DirectRoutes) => {
    app.post('/api/v2/alerts', async (c) => {
      let posted: PostedAlerts;
      try {
        posted = postedAlerts(await c.req.text(), alerting.now(), alerting.setup.resolveTimeoutMs);
      } catch (error) {
        return rejected(c, 'api_v2_alerts', error);
      }
      const { valid, problems } = posted;
      if (problems.length > 0) {
        metrics.invalid.inc({ source: 'api' }, problems.length);
        log.warn({ invalid: problems.length, first: problems[0] }, 'invalid alerts refused');
      }
      // Like Alertmanager, answer once the alerts are accepted: routing and grouping follow
      // as soon as the answer has left (before anything reads them), the store right after.
      try {
        alerting.accept(valid, 'api');
      } catch (error) {
        if (error instanceof AlertingNotRunningError) return stringError(c, 503, error.message);
        throw error;
      }
      if (problems.length > 0) return stringError(c, 400, problems.join('; '));
      // An empty body with its length, as Alertmanager answers (not an empty chunked body).
      return c.body(null, 200, { 'content-length': '0' });
    });

    // The same route for Prometheus' usual post, all alerts valid, answered without Hono's
    // per-request cost: at one alert per POST that cost was most of the answer. Anything
    // else (a bad body, a refused alert, alerting stopped) goes on to the route above.
    direct?.post('/api/v2/alerts', (body, res) => {
      let posted: PostedAlerts;
      try {
        posted = postedAlerts(body.toString('utf8'), alerting.now(), alerting.setup.resolveTimeoutMs);
      } catch {
        return false;
      }
      if (posted.problems.length > 0) return false;
      try {
        alerting.accept(posted.valid, 'api');
      } catch {
        return false;
      }
      res.writeHead(200, { 'content-length': '0' });
      res.end();
      return true;
    });

    app.get('/api/v2/alerts', (c) => {
      const f = readFilters(c);
      if (f instanceof Response) return f;
      const now = alerting.now();
      const out: { fp: string; item: unknown }[] = [];
      for (const a of alerting.alerts()) {
        const receivers = alerting.receiversOf(a);
        if (f.receiver && !receivers.some(f.receiver)) continue;
        if (!passes(alerting, a, f, now)) continue;
        out.push({ fp: a.fingerprint, item: alertItem(alerting, a, receivers, now) });
      }
      out.sort((x, y) => (x.fp < y.fp ? -1 : x.fp > y.fp ? 1 : 0));
      return c.json(out.map((o) => o.item));
    });

    app.get('/api/v2/alerts/groups', (c) => {
      const f = readFilters(c);
      if (f instanceof Response) return f;
      const now = alerting.now();
      const groups: { labels: Labels; receiver: string; alerts: AlertRecord[] }[] = [];
      const receiversByFp = new Map<string, string[]>();
      for (const g of alerting.groups()) {
        const receiver = g.route.receiver;
        if (f.receiver && !f.receiver(receiver)) continue;
        const alerts = [...g.alerts.values()].filter((a) => passes(alerting, a, f, now));
        for (const a of alerts) {
          const list = receiversByFp.get(a.fingerprint) ?? [];
          list.push(receiver);
          receiversByFp.set(a.fingerprint, list);
        }
        if (alerts.length > 0) groups.push({ labels: g.labels, receiver, alerts });
      }
      groups.sort((a, b) => {
        if (labelSetBefore(a.labels, b.labels)) return -1;
        if (labelSetBefore(b.labels, a.labels)) return 1;
        return a.receiver < b.receiver ? -1 : a.receiver > b.receiver ? 1 : 0;
      });
      return c.json(
        groups.map((g) => ({
          alerts: g.alerts
            .sort((a, b) => compareAlertLabels(a.labels, b.labels))
            .map((a) => alertItem(alerting, a, (receiversByFp.get(a.fingerprint) ?? []).sort(), now)),
          labels: g.labels,
          receiver: { name: g.receiver },
        })),
      );
    });

    app.get('/api/v2/silences', (c) => {
      const filters: Matcher[] = [];
      for (const text of c.req.queries('filter') ?? []) {
        try {
          filters.push(parseMatcher(text));
        } catch (error) {
          if (error instanceof MatcherError) return stringError(c, 400, error.message);
          throw error;
        }
      }
      const now = alerting.now();
      const list = alerting
        .silences()
        .filter((s) => silenceMatchesFilter(s, filters))
        .sort((a, b) => compareSilences(a, b, now));
      return c.json(list.map((s) => silenceItem(s, now)));
    });

    app.post('/api/v2/silences', async (c) => {
      let input: ReturnType<typeof readPostableSilence>;
      try {
        input = readPostableSilence(await readJson(c));
      } catch (error) {
        return rejected(c, 'api_v2_silences', error);
      }
      try {
        const silenceID = await alerting.putSilence(input);
        return c.json({ silenceID });
      } catch (error) {
        if (error instanceof SilenceRequestError) return stringError(c, error.status, error.message);
        throw error;
      }
    });

    app.get('/api/v2/silence/:id', (c) => {
      const id = c.req.param('id');
      if (!UUID.test(id))
        return swaggerError(c, 422, 601, `silenceID in path must be of type uuid: ${JSON.stringify(id)}`);
      const s = alerting.silence(id);
      if (!s) return c.body(null, 404);
      return c.json(silenceItem(s, alerting.now()));
    });

    app.delete('/api/v2/silence/:id', async (c) => {
      const id = c.req.param('id');
      if (!UUID.test(id))
        return swaggerError(c, 422, 601, `silenceID in path must be of type uuid: ${JSON.stringify(id)}`);
      try {
        await alerting.expireSilence(id);
        return c.body(null, 200);
      } catch (error) {
        if (error instanceof SilenceRequestError) {
          return error.status === 404 ? c.body(null, 404) : stringError(c, error.status, error.message);
        }
        throw error;
      }
    });

    app.get('/api/v2/receivers', (c) =>
      c.json([...alerting.setup.receivers.keys()].map((name) => ({ name }))),
    );

    app.get('/api/v2/status', (c) =>
      c.json({
        cluster: { peers: [], status: 'disabled' },
        config: { original: alerting.configText },
        uptime: wireTime(alerting.startedAt),
        versionInfo: {
          branch: '',
          buildDate: '',
          buildUser: '',
          goVersion: process.version,
          revision: '',
          version: `Lookout ${lookoutVersion()}`,
        },
      }),
    );
  };
}
