// Generic webhooks: Alertmanager's version-4 JSON body, exactly, plus an Idempotency-Key header
// (the outbox row's key) so a receiver can drop the one re-send a crash mid-delivery can cause.
import type { WebhookConfig } from '../config/sections/receivers.js';
import type { Notification } from '../domain/notification.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import { redactUrl } from '../lib/secret.js';
import type { DeliveryAttempt, DeliveryResult, Notifier } from './notifier.js';

export interface WebhookNotifierOptions {
  readonly config: WebhookConfig;
  /** Lookout's version, for the User-Agent header. */
  readonly version: string;
}

/**
 * The body Alertmanager 0.25 sends, field for field and in its order, with `max_alerts`
 * applied (the rest counted in `truncatedAlerts`).
 */
export function webhookBody(notification: Notification, maxAlerts: number): Record<string, unknown> {
  const alerts =
    maxAlerts > 0 && notification.alerts.length > maxAlerts
      ? notification.alerts.slice(0, maxAlerts)
      : notification.alerts;
  const truncated = notification.truncatedAlerts + (notification.alerts.length - alerts.length);
  return {
    receiver: notification.receiver,
    status: notification.status,
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      endsAt: a.endsAt,
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: notification.groupLabels,
    commonLabels: notification.commonLabels,
    commonAnnotations: notification.commonAnnotations,
    externalURL: notification.externalURL,
    version: '4',
    groupKey: notification.groupKey,
    truncatedAlerts: truncated,
    ...(notification.notificationReason !== undefined
      ? { notification_reason: notification.notificationReason }
      : {}),
  };
}

export class WebhookNotifier implements Notifier {
  readonly integration = 'webhook' as const;
  readonly mergesGroup = false;
  readonly #config: WebhookConfig;
  readonly #userAgent: string;

  constructor(options: WebhookNotifierOptions) {
    this.#config = options.config;
    this.#userAgent = `Lookout/${options.version}`;
  }

  #headers(extra: Record<string, string>): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.#userAgent,
      ...extra,
    };
    const http = this.#config.http_config;
    if (http?.basic_auth) {
      const { username, password } = http.basic_auth;
      headers.authorization = `Basic ${Buffer.from(`${username}:${password?.reveal() ?? ''}`).toString('base64')}`;
    } else if (http?.authorization?.credentials) {
      headers.authorization = `${http.authorization.type} ${http.authorization.credentials.reveal()}`;
    }
    return headers;
  }

  async send(attempt: DeliveryAttempt): Promise<DeliveryResult> {
    let notification = attempt.rows[0]!.notification;
    if (!this.#config.send_resolved) {
      // Alertmanager leaves resolved alerts out, and sends nothing when none fire.
      const firing = notification.alerts.filter((a) => a.status === 'firing');
      if (firing.length === 0) return { consumed: 1, skipped: true };
      notification = { ...notification, alerts: firing };
    }
    const url = this.#config.url.reveal();
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: this.#headers({ 'idempotency-key': attempt.idempotencyKey }),
        body: JSON.stringify(webhookBody(notification, this.#config.max_alerts)),
        signal: AbortSignal.any([attempt.signal, AbortSignal.timeout(this.#config.timeout)]),
        redirect: 'follow',
      });
    } catch (error) {
      throw new NotifyError(`webhook ${redactUrl(url)} could not be reached: ${causeOf(error)}`, {
        retryable: true,
        cause: error,
      });
    }
    // The body is read (and dropped) so the connection can be reused.
    const text = await response.text().catch(() => '');
    if (response.ok) return { consumed: 1 };
    const status = response.status;
    const detail = text.trim().slice(0, 200);
    // Alertmanager's policy: 5xx is worth another try, other answers are the payload's fault;
    // 429 is the receiver asking for time, so it is retried after what it asked for.
    const retryAfterMs =
      status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after')) : undefined;
    throw new NotifyError(`webhook ${redactUrl(url)} answered ${status}${detail ? `: ${detail}` : ''}`, {
      retryable: status >= 500 || status === 429 || status === 408,
      status,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }

  async check(signal: AbortSignal): Promise<string> {
    // Reachability only: a HEAD must not deliver anything, and any HTTP answer proves a listener.
    const url = this.#config.url.reveal();
    try {
      const response = await fetch(url, {
        method: 'HEAD',
        headers: this.#headers({}),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#config.timeout)]),
      });
      return `${redactUrl(url)} answers (HTTP ${response.status} to HEAD)`;
    } catch (error) {
      throw new NotifyError(`webhook ${redactUrl(url)} could not be reached: ${causeOf(error)}`, {
        retryable: true,
        cause: error,
      });
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  return cause ? `${errorMessage(error)} (${errorMessage(cause)})` : errorMessage(error);
}

/** Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
