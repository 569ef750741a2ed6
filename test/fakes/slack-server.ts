// A local server that speaks Slack's Web API (auth.test, chat.postMessage, chat.update,
// chat.delete) and incoming webhooks, for tests: Block Kit limits checked like Slack does,
// 429 with Retry-After on demand, and every message kept per channel.
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SlackFakeMessage {
  readonly channel: string;
  readonly ts: string;
  text: string;
  blocks: Array<Record<string, unknown>>;
  updates: number;
  deleted: boolean;
  username?: string;
  /** Which way it came: `bot` (Web API) or `webhook`. */
  readonly via: 'bot' | 'webhook';
}

export interface SlackRecordedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  status: number;
  error?: string;
}

export interface FakeSlackOptions {
  /** Bot tokens that authenticate; others answer invalid_auth. */
  readonly tokens?: readonly string[];
  /** Channels by name (without #) → id. Unknown channels answer channel_not_found. */
  readonly channels?: Readonly<Record<string, string>>;
  /** The incoming-webhook path (e.g. /services/T000/B000/XXXX) and the channel it posts to. */
  readonly webhook?: { readonly path: string; readonly channel: string };
}

type Failure =
  | { kind: 'ratelimited'; retryAfter: number }
  | { kind: 'error'; error: string; status?: number }
  | { kind: 'http'; status: number };

export class FakeSlack {
  readonly calls: SlackRecordedCall[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #messages: SlackFakeMessage[] = [];
  readonly #failures: Array<{ methods: readonly string[] | '*'; remaining: number; failure: Failure }> = [];
  readonly #options: FakeSlackOptions;
  readonly #tokens: readonly string[];
  readonly #channels: Readonly<Record<string, string>>;
  #tsCounter = 0;
  #down = false;
  #url = '';

  private constructor(options: FakeSlackOptions) {
    this.#options = options;
    this.#tokens = options.tokens ?? ['xoxb-fake-slack-token'];
    this.#channels = options.channels ?? { alerts: 'C0ALERTS' };
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: `fake_server_error: ${String(error)}` }));
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    fake.#url = `http://127.0.0.1:${(fake.#server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The Web API root (`api_url` with a bot token): `http://127.0.0.1:N/api/`. */
  get apiUrl(): string {
    return `${this.#url}/api/`;
  }

  /** The incoming-webhook URL, when one was configured. */
  get webhookUrl(): string {
    return `${this.#url}${this.#options.webhook?.path ?? '/services/none'}`;
  }

  get token(): string {
    return this.#tokens[0]!;
  }

  /** Messages in a channel (by name or id), oldest first. */
  messages(channel: string): SlackFakeMessage[] {
    const id = this.#channelId(channel) ?? channel;
    return this.#messages.filter((m) => m.channel === id);
  }

  get allMessages(): readonly SlackFakeMessage[] {
    return this.#messages;
  }

  callsOf(method: string): SlackRecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The next `times` calls answer 429 with Retry-After. */
  rateLimit(retryAfterSeconds: number, times = 1, methods: readonly string[] | '*' = '*'): void {
    this.#failures.push({
      methods,
      remaining: times,
      failure: { kind: 'ratelimited', retryAfter: retryAfterSeconds },
    });
  }

  /** The next `times` calls answer `{ ok: false, error }` (or a webhook's text error). */
  failWith(error: string, times = 1, methods: readonly string[] | '*' = '*', status?: number): void {
    this.#failures.push({
      methods,
      remaining: times,
      failure: { kind: 'error', error, ...(status ? { status } : {}) },
    });
  }

  /** The next `times` calls answer a bare HTTP status (503 from a load balancer). */
  failHttp(status: number, times = 1, methods: readonly string[] | '*' = '*'): void {
    this.#failures.push({ methods, remaining: times, failure: { kind: 'http', status } });
  }

  setDown(down: boolean): void {
    this.#down = down;
    if (down) for (const socket of this.#sockets) socket.destroy();
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #channelId(channel: string): string | undefined {
    const name = channel.replace(/^#/, '');
    if (this.#channels[name]) return this.#channels[name];
    return Object.values(this.#channels).includes(channel) ? channel : undefined;
  }

  #take(method: string): Failure | undefined {
    const entry = this.#failures.find(
      (f) => f.remaining > 0 && (f.methods === '*' || f.methods.includes(method)),
    );
    if (!entry) return undefined;
    entry.remaining--;
    return entry.failure;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#down) {
      req.socket.destroy();
      return;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const params = await readBody(req);
    if (this.#options.webhook && path === this.#options.webhook.path) {
      this.#webhook(params, req, res);
      return;
    }
    const match = /^\/api\/([a-zA-Z.]+)$/.exec(path);
    if (!match) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no_service');
      return;
    }
    const method = match[1]!;
    const call: SlackRecordedCall = { method, params, headers: req.headers, status: 200 };
    this.calls.push(call);
    const json = (
      status: number,
      body: Record<string, unknown>,
      headers: Record<string, string> = {},
    ): void => {
      call.status = status;
      if (body.ok === false) call.error = String(body.error);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const failure = this.#take(method);
    if (failure?.kind === 'ratelimited') {
      json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfter) });
      return;
    }
    if (failure?.kind === 'http') {
      call.status = failure.status;
      res.writeHead(failure.status, { 'content-type': 'text/html' });
      res.end(`<html>${failure.status}</html>`);
      return;
    }
    if (failure?.kind === 'error') {
      json(failure.status ?? 200, { ok: false, error: failure.error });
      return;
    }
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : str(params.token);
    if (!token) {
      json(200, { ok: false, error: 'not_authed' });
      return;
    }
    if (!this.#tokens.includes(token)) {
      json(200, { ok: false, error: 'invalid_auth' });
      return;
    }
    switch (method) {
      case 'auth.test':
        json(200, {
          ok: true,
          url: 'https://lookout-test.slack.com/',
          team: 'Lookout Test',
          user: 'lookout',
          team_id: 'T0TEST',
          user_id: 'U0BOT',
          bot_id: 'B0BOT',
        });
        return;
      case 'chat.postMessage': {
        const channel = this.#channelId(str(params.channel));
        if (!channel) return json(200, { ok: false, error: 'channel_not_found' });
        const problem = checkMessage(params);
        if (problem) return json(200, { ok: false, error: problem });
        const ts = this.#nextTs();
        const message: SlackFakeMessage = {
          channel,
          ts,
          text: str(params.text),
          blocks: (params.blocks as Array<Record<string, unknown>> | undefined) ?? [],
          updates: 0,
          deleted: false,
          via: 'bot',
          ...(params.username ? { username: str(params.username) } : {}),
        };
        this.#messages.push(message);
        return json(200, {
          ok: true,
          channel,
          ts,
          message: { type: 'message', text: message.text, ts, blocks: message.blocks },
        });
      }
      case 'chat.update': {
        const channel = this.#channelId(str(params.channel));
        if (!channel) return json(200, { ok: false, error: 'channel_not_found' });
        const message = this.#messages.find(
          (m) => m.channel === channel && m.ts === str(params.ts) && !m.deleted,
        );
        if (!message) return json(200, { ok: false, error: 'message_not_found' });
        const problem = checkMessage(params);
        if (problem) return json(200, { ok: false, error: problem });
        message.text = str(params.text);
        message.blocks = (params.blocks as Array<Record<string, unknown>> | undefined) ?? [];
        message.updates++;
        return json(200, { ok: true, channel, ts: message.ts, text: message.text });
      }
      case 'chat.delete': {
        const channel = this.#channelId(str(params.channel));
        const message = this.#messages.find(
          (m) => m.channel === channel && m.ts === str(params.ts) && !m.deleted,
        );
        if (!message) return json(200, { ok: false, error: 'message_not_found' });
        message.deleted = true;
        return json(200, { ok: true, channel, ts: message.ts });
      }
      default:
        return json(200, { ok: false, error: 'unknown_method' });
    }
  }

  #webhook(params: Record<string, unknown>, req: IncomingMessage, res: ServerResponse): void {
    const call: SlackRecordedCall = { method: 'webhook', params, headers: req.headers, status: 200 };
    this.calls.push(call);
    const text = (status: number, body: string, headers: Record<string, string> = {}): void => {
      call.status = status;
      if (status !== 200) call.error = body;
      res.writeHead(status, { 'content-type': 'text/plain', ...headers });
      res.end(body);
    };
    const failure = this.#take('webhook');
    if (failure?.kind === 'ratelimited')
      return text(429, 'rate_limited', { 'retry-after': String(failure.retryAfter) });
    if (failure?.kind === 'http') return text(failure.status, 'error');
    if (failure?.kind === 'error') return text(failure.status ?? 400, failure.error);
    if (!params.text && !params.blocks) return text(400, 'no_text');
    const problem = checkMessage(params);
    if (problem) return text(400, problem);
    this.#messages.push({
      channel: this.#channelId(this.#options.webhook!.channel) ?? this.#options.webhook!.channel,
      ts: this.#nextTs(),
      text: str(params.text),
      blocks: (params.blocks as Array<Record<string, unknown>> | undefined) ?? [],
      updates: 0,
      deleted: false,
      via: 'webhook',
    });
    return text(200, 'ok');
  }

  #nextTs(): string {
    this.#tsCounter++;
    return `1700000000.${String(this.#tsCounter).padStart(6, '0')}`;
  }
}

/** Slack's message limits: text or blocks required, ≤50 blocks, header ≤150, section ≤3000. */
function checkMessage(params: Record<string, unknown>): string | undefined {
  const blocks = params.blocks as Array<Record<string, unknown>> | undefined;
  if (!params.text && (!blocks || blocks.length === 0)) return 'no_text';
  if (!blocks)
    return typeof params.text === 'string' && params.text.length > 40_000 ? 'msg_too_long' : undefined;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  for (const block of blocks) {
    const text = block.text as { type?: string; text?: string } | undefined;
    switch (block.type) {
      case 'header':
        if (text?.type !== 'plain_text' || !text.text || text.text.length > 150) return 'invalid_blocks';
        break;
      case 'section':
        if (!text?.text || text.text.length > 3000 || (text.type !== 'mrkdwn' && text.type !== 'plain_text'))
          return 'invalid_blocks';
        break;
      case 'context': {
        const elements = block.elements as unknown[] | undefined;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > 10)
          return 'invalid_blocks';
        break;
      }
      case 'divider':
      case 'actions':
      case 'image':
        break;
      default:
        return 'invalid_blocks';
    }
  }
  return undefined;
}

/** The Web API takes urlencoded forms (objects as JSON text) or JSON; webhooks take JSON. */
async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  if (!body) return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(body) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    out[k] = /^[[{]/.test(v) ? (JSON.parse(v) as unknown) : v;
  }
  return out;
}

/** A request field as text (objects as JSON), empty when absent. */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
