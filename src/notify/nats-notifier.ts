// NATS JetStream: publishes each notification's JSON (Alertmanager's webhook body) to a subject
// built from its labels, with Nats-Msg-Id = the outbox key so JetStream drops a re-send.
import type * as NatsModule from 'nats';
import type { ConnectionOptions, JetStreamClient, NatsConnection } from 'nats';
import type { NatsConfig } from '../config/sections/receivers.js';
import { lazyRequire } from '../lib/lazy-require.js';
import { NotifyError, errorMessage } from '../lib/errors.js';
import { redactUrl } from '../lib/secret.js';
import { renderSubject, subjectWildcard } from './nats-subject.js';
import type { DeliveryAttempt, DeliveryResult, Notifier } from './notifier.js';
import { webhookBody } from './webhook-notifier.js';

/** The NATS client is loaded when the first NATS receiver is built. */
const natsApi = lazyRequire<typeof NatsModule>('nats');

/** JetStream's API error code for "stream not found". */
const STREAM_NOT_FOUND = 10059;

export interface NatsNotifierOptions {
  readonly config: NatsConfig;
  readonly version: string;
}

export class NatsNotifier implements Notifier {
  readonly integration = 'nats' as const;
  readonly mergesGroup = false;
  readonly #config: NatsConfig;
  readonly #version: string;
  #connection: Promise<{ nc: NatsConnection; js: JetStreamClient }> | undefined;
  #closed = false;

  constructor(options: NatsNotifierOptions) {
    this.#config = options.config;
    this.#version = options.version;
  }

  /** Where a notification is published. */
  subjectFor(notification: DeliveryAttempt['rows'][number]['notification']): string {
    return renderSubject(this.#config.subject, notification);
  }

  #connectOptions(): ConnectionOptions {
    const c = this.#config;
    const options: ConnectionOptions = {
      servers: c.url.reveal(),
      name: `Lookout ${this.#version}`,
      timeout: c.timeout,
      // The client reconnects by itself; a publish while it does so fails and the outbox retries.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1000,
    };
    if (c.user) {
      options.user = c.user;
      if (c.password) options.pass = c.password.reveal();
    }
    if (c.token) options.token = c.token.reveal();
    if (c.creds)
      options.authenticator = natsApi().credsAuthenticator(new TextEncoder().encode(c.creds.reveal()));
    return options;
  }

  /** One connection per integration, opened on first use and kept; a failed open is retried next time. */
  #connect(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    if (this.#closed)
      return Promise.reject(new NotifyError('NATS integration is closed', { retryable: true }));
    this.#connection ??= (async () => {
      const nc = await natsApi().connect(this.#connectOptions());
      try {
        if (this.#config.stream) await this.#ensureStream(nc);
        return { nc, js: nc.jetstream({ timeout: this.#config.timeout }) };
      } catch (error) {
        await nc.close().catch(() => undefined);
        throw error;
      }
    })().catch((error: unknown) => {
      this.#connection = undefined;
      throw error;
    });
    return this.#connection;
  }

  async #ensureStream(nc: NatsConnection): Promise<void> {
    const stream = this.#config.stream!;
    const jsm = await nc.jetstreamManager({ timeout: this.#config.timeout });
    try {
      await jsm.streams.info(stream.name);
      return;
    } catch (error) {
      if (!(error instanceof natsApi().NatsError) || error.api_error?.err_code !== STREAM_NOT_FOUND)
        throw error;
    }
    await jsm.streams.add({
      name: stream.name,
      subjects: stream.subjects ?? [subjectWildcard(this.#config.subject)],
      duplicate_window: natsApi().nanos(stream.duplicate_window),
      max_age: natsApi().nanos(stream.max_age),
    });
  }

  async send(attempt: DeliveryAttempt): Promise<DeliveryResult> {
    let notification = attempt.rows[0]!.notification;
    if (!this.#config.send_resolved) {
      const firing = notification.alerts.filter((a) => a.status === 'firing');
      if (firing.length === 0) return { consumed: 1, skipped: true };
      notification = { ...notification, alerts: firing };
    }
    const subject = this.subjectFor(notification);
    let js: JetStreamClient;
    try {
      ({ js } = await this.#connect());
    } catch (error) {
      throw this.#classify(error, 'connect to');
    }
    const h = natsApi().headers();
    h.set('Content-Type', 'application/json');
    h.set('Lookout-Receiver', notification.receiver);
    try {
      await js.publish(subject, new TextEncoder().encode(JSON.stringify(webhookBody(notification, 0))), {
        msgID: attempt.idempotencyKey,
        headers: h,
        timeout: this.#config.timeout,
      });
    } catch (error) {
      throw this.#classify(error, `publish ${subject} on`);
    }
    // A duplicate ack means JetStream already had this id: the earlier attempt did arrive.
    return { consumed: 1 };
  }

  #classify(error: unknown, doing: string): NotifyError {
    const where = redactUrl(this.#config.url.reveal());
    if (error instanceof natsApi().NatsError) {
      const permanent = [
        'AUTHORIZATION_VIOLATION',
        'BAD_AUTHENTICATION',
        'BAD_CREDS',
        'PERMISSIONS_VIOLATION',
        'BAD_SUBJECT',
        'MAX_PAYLOAD_EXCEEDED',
      ];
      const retryable = !permanent.includes(error.code);
      const detail =
        error.code === '503' ? 'no stream captures the subject, or JetStream is not enabled' : error.message;
      return new NotifyError(`could not ${doing} NATS ${where}: ${detail}`, { retryable, cause: error });
    }
    return new NotifyError(`could not ${doing} NATS ${where}: ${errorMessage(error)}`, {
      retryable: true,
      cause: error,
    });
  }

  async check(signal: AbortSignal): Promise<string> {
    if (signal.aborted) throw new NotifyError('cancelled', { retryable: true });
    try {
      const { nc } = await this.#connect();
      const jsm = await nc.jetstreamManager({ timeout: this.#config.timeout });
      const account = await jsm.getAccountInfo();
      const stream = this.#config.stream ? `, stream ${this.#config.stream.name} ready` : '';
      return `connected to ${nc.getServer()}, JetStream on (${account.streams} streams)${stream}`;
    } catch (error) {
      throw this.#classify(error, 'connect to');
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    const connection = this.#connection;
    this.#connection = undefined;
    if (!connection) return;
    const { nc } = await connection.catch(() => ({ nc: undefined }));
    await nc?.drain().catch(() => undefined);
  }
}
