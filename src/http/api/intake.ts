// Webhook intake: an existing Alertmanager routes into Lookout by pointing a webhook receiver at
// `POST /api/v1/intake/alertmanager`. Its v4 payload's alerts join the same path as every alert.
import type { Context, Hono } from 'hono';
import type { Logger } from 'pino';
import type { AlertInput } from '../../alerting/alert-record.js';
import type { AlertingMetrics, AlertingView } from '../../alerting/alerting.js';
import { AlertingNotRunningError } from '../../alerting/errors.js';
import { alertProblem, isStringMap, parseWireTime } from '../../alerting/wire.js';
import type { HttpMount } from '../app.js';
import { errorBody } from '../errors.js';

export interface IntakeDeps {
  readonly alerting: AlertingView;
  readonly metrics: AlertingMetrics;
  readonly log: Logger;
}

const ENDPOINT = 'intake_alertmanager';

class PayloadError extends Error {}

/** A webhook alert: `endsAt` is only kept for resolved alerts. */
export interface WebhookAlert extends AlertInput {
  readonly resolved: boolean;
}

/**
 * Reads the alerts of an Alertmanager webhook (version 4) payload. Firing alerts carry the zero
 * time as their end: they get no end, so the intake timeout applies until a resolved one comes.
 */
export function readWebhookAlerts(body: unknown): WebhookAlert[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new PayloadError('the body must be an Alertmanager webhook payload (a JSON object with "alerts")');
  }
  const payload = body as Record<string, unknown>;
  if (payload.version !== undefined && payload.version !== '4') {
    throw new PayloadError(
      `unsupported payload version ${JSON.stringify(payload.version)} (Lookout reads version "4")`,
    );
  }
  if (!Array.isArray(payload.alerts)) throw new PayloadError('"alerts" must be a list');
  return payload.alerts.map((raw: unknown, i) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new PayloadError(`alerts[${i}] must be an object`);
    }
    const a = raw as Record<string, unknown>;
    if (!isStringMap(a.labels)) throw new PayloadError(`alerts[${i}].labels must be an object of strings`);
    if (a.annotations !== undefined && a.annotations !== null && !isStringMap(a.annotations)) {
      throw new PayloadError(`alerts[${i}].annotations must be an object of strings`);
    }
    const startsAt = parseWireTime(a.startsAt);
    const endsAt = parseWireTime(a.endsAt);
    if (Number.isNaN(startsAt) || Number.isNaN(endsAt)) {
      throw new PayloadError(`alerts[${i}]: startsAt and endsAt must be RFC 3339 times`);
    }
    if (a.status !== undefined && a.status !== 'firing' && a.status !== 'resolved') {
      throw new PayloadError(`alerts[${i}].status must be "firing" or "resolved"`);
    }
    const resolved = a.status === 'resolved';
    return {
      labels: a.labels,
      annotations: (a.annotations as Record<string, string> | undefined) ?? {},
      startsAt,
      endsAt: resolved ? endsAt : undefined,
      generatorURL: typeof a.generatorURL === 'string' ? a.generatorURL : undefined,
      resolved,
    };
  });
}

/** Mounts `POST /api/v1/intake/alertmanager`. */
export function alertmanagerIntake(deps: IntakeDeps): HttpMount {
  const { alerting, metrics, log } = deps;
  const refuse = (c: Context, message: string): Response => {
    metrics.rejectedPayloads.inc({ endpoint: ENDPOINT });
    log.warn({ endpoint: ENDPOINT, reason: message }, 'malformed webhook payload refused');
    return c.json(errorBody('bad_request', message), 400);
  };
  return (app: Hono) => {
    app.post('/api/v1/intake/alertmanager', async (c) => {
      let body: unknown;
      try {
        body = JSON.parse(await c.req.text()) as unknown;
      } catch {
        return refuse(c, 'the body is not JSON');
      }
      let alerts: WebhookAlert[];
      try {
        alerts = readWebhookAlerts(body);
      } catch (error) {
        if (error instanceof PayloadError) return refuse(c, error.message);
        throw error;
      }
      const now = alerting.now();
      const valid: AlertInput[] = [];
      const problems: string[] = [];
      for (const { resolved, ...a } of alerts) {
        // A resolved alert ends on arrival at the latest (its sender's clock may run ahead).
        const input: AlertInput = resolved ? { ...a, endsAt: Math.min(a.endsAt ?? now, now) } : a;
        const startsAt = input.startsAt ?? input.endsAt ?? now;
        const problem = alertProblem(
          input.labels,
          input.annotations ?? {},
          startsAt,
          input.endsAt ?? Infinity,
        );
        if (problem) problems.push(problem);
        else valid.push(input);
      }
      if (problems.length > 0) {
        metrics.invalid.inc({ source: 'alertmanager_webhook' }, problems.length);
        log.warn(
          { invalid: problems.length, first: problems[0] },
          'invalid alerts in webhook payload refused',
        );
      }
      try {
        await alerting.ingest(valid, 'alertmanager_webhook', {
          resolveTimeoutMs: alerting.setup.intakeResolveTimeoutMs,
        });
      } catch (error) {
        // The sending Alertmanager retries on 5xx: nothing is lost while Lookout starts.
        if (error instanceof AlertingNotRunningError)
          return c.json(errorBody('unavailable', error.message), 503);
        throw error;
      }
      if (problems.length > 0) return c.json(errorBody('invalid_alerts', problems.join('; ')), 400);
      return c.json({ accepted: valid.length });
    });
  };
}
