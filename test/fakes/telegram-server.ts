// A local server that speaks Telegram's Bot API over HTTP, for tests: the methods Lookout calls,
// Telegram's HTML parsing and limits (400 "can't parse entities", 4,096 characters), long-polled
// updates, and injected failures (429 with retry_after, 5xx, an outage). It records every call.
// It shares no code with Lookout, so a bug in Lookout's markup cannot hide behind the same bug here.
import { Buffer } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface TelegramEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export interface FakeMessage {
  message_id: number;
  chat_id: number | string;
  text: string;
  entities: TelegramEntity[];
  /** The raw text Lookout sent (before parsing). */
  raw: string;
  parse_mode: string | undefined;
  message_thread_id: number | undefined;
  disable_notification: boolean;
  reply_markup: unknown;
  /** How many times the text was edited. */
  edits: number;
  deleted: boolean;
  /** For photos and documents; `bytes` holds what was uploaded. */
  file?: { field: string; name: string; size: number; type: string; bytes?: Buffer };
  caption?: string;
  date: number;
}

export interface RecordedCall {
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** The answer's HTTP status. */
  status: number;
  readonly at: number;
}

export interface InjectedFailure {
  /** HTTP status and `error_code`. */
  readonly status: number;
  readonly description: string;
  /** Seconds, sent as `parameters.retry_after` (with status 429). */
  readonly retryAfter?: number;
  readonly migrateToChatId?: number;
}

export interface FakeTelegramOptions {
  /** The valid bot token; other tokens get 401 Unauthorized. */
  readonly token?: string;
  readonly botUsername?: string;
  /** When set, only these chats exist; others answer 400 "chat not found". */
  readonly chats?: ReadonlyArray<number | string>;
  /** The clock flood limits use (tests with a manual clock pass theirs). */
  readonly now?: () => number;
  /**
   * Enforce Telegram's flood limits like the real service: more than one message a second in a
   * chat, or twenty a minute in a group, answers 429 with retry_after.
   */
  readonly floodLimits?: boolean;
}

type DownMode = false | 'reset' | '502';

interface PendingPoll {
  readonly offset: number;
  readonly limit: number;
  readonly resolve: (updates: unknown[]) => void;
}

const TEXT_LIMIT = 4096;
const CAPTION_LIMIT = 1024;

export class FakeTelegram {
  readonly token: string;
  readonly calls: RecordedCall[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #messages = new Map<string, FakeMessage[]>();
  readonly #nextId = new Map<string, number>();
  readonly #failures: Array<{
    methods: readonly string[] | '*';
    remaining: number;
    failure: InjectedFailure;
  }> = [];
  readonly #updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  readonly #floodTimes = new Map<string, number[]>();
  readonly #options: FakeTelegramOptions;
  #commands: unknown[] = [];
  #webhookUrl = '';
  #nextUpdateId = 1;
  #poll: PendingPoll | undefined;
  #down: DownMode = false;
  #url = '';

  private constructor(options: FakeTelegramOptions) {
    this.#options = options;
    this.token = options.token ?? '123456789:TEST-fake-telegram-token';
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ ok: false, error_code: 500, description: `fake server error: ${String(error)}` }),
        );
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
    const fake = new FakeTelegram(options);
    await new Promise<void>((resolve) => fake.#server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.#server.address() as AddressInfo;
    fake.#url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** The Bot API root to give a client (`api_url`). */
  get url(): string {
    return this.#url;
  }

  /** Messages of a chat, in the order they were sent (deleted ones included, marked). */
  messages(chatId: number | string): FakeMessage[] {
    return this.#messages.get(String(chatId)) ?? [];
  }

  /** Messages still visible in a chat. */
  visible(chatId: number | string): FakeMessage[] {
    return this.messages(chatId).filter((m) => !m.deleted);
  }

  callsOf(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The next `times` calls (of `methods`, or any) answer with `failure`. */
  fail(times: number, failure: InjectedFailure, methods: readonly string[] | '*' = '*'): void {
    this.#failures.push({ methods, remaining: times, failure });
  }

  /** Answer 429 Too Many Requests with `retry_after` seconds, `times` times. */
  rateLimit(retryAfterSeconds: number, times = 1, methods: readonly string[] | '*' = '*'): void {
    this.fail(
      times,
      {
        status: 429,
        description: `Too Many Requests: retry after ${retryAfterSeconds}`,
        retryAfter: retryAfterSeconds,
      },
      methods,
    );
  }

  /** An outage: connections reset, or 502 from a proxy in front; `false` ends it. */
  setDown(mode: DownMode): void {
    this.#down = mode;
    if (mode === 'reset') for (const socket of this.#sockets) socket.destroy();
  }

  /** Queues an update for getUpdates. */
  pushUpdate(update: Record<string, unknown>): number {
    const update_id = this.#nextUpdateId++;
    this.#updates.push({ update_id, ...update });
    this.#flushPoll();
    return update_id;
  }

  /** A user writes to the bot (a text message, e.g. a command). */
  userSays(
    chatId: number,
    from: { id: number; first_name?: string; username?: string },
    text: string,
  ): number {
    const entities = text.startsWith('/')
      ? [{ type: 'bot_command', offset: 0, length: text.split(/\s/)[0]!.length }]
      : [];
    return this.pushUpdate({
      message: {
        message_id: this.#allocateId(String(chatId)),
        date: Math.floor(this.#now() / 1000),
        chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
        from: { is_bot: false, first_name: from.first_name ?? 'User', ...from },
        text,
        ...(entities.length > 0 ? { entities } : {}),
      },
    });
  }

  /** A user presses an inline button under a message. */
  userPresses(
    chatId: number,
    from: { id: number; first_name?: string; username?: string },
    messageId: number,
    data: string,
  ): number {
    const message = this.messages(chatId).find((m) => m.message_id === messageId);
    return this.pushUpdate({
      callback_query: {
        id: String(this.#nextUpdateId * 1000 + 7),
        from: { is_bot: false, first_name: from.first_name ?? 'User', ...from },
        chat_instance: String(chatId),
        data,
        message: message
          ? {
              message_id: messageId,
              date: message.date,
              chat: { id: chatId, type: chatId < 0 ? 'supergroup' : 'private' },
              text: message.text,
              ...(message.entities.length > 0 ? { entities: message.entities } : {}),
              ...(message.reply_markup ? { reply_markup: message.reply_markup } : {}),
            }
          : undefined,
      },
    });
  }

  /** Answers of callback queries (the toast or alert text a user saw), in order. */
  callbackAnswers(): Array<{ text: string | undefined; showAlert: boolean }> {
    return this.callsOf('answerCallbackQuery').map((c) => ({
      text: typeof c.params.text === 'string' ? c.params.text : undefined,
      showAlert: c.params.show_alert === true || c.params.show_alert === 'true',
    }));
  }

  get commands(): unknown[] {
    return this.#commands;
  }

  async close(): Promise<void> {
    this.#poll?.resolve([]);
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  #allocateId(chat: string): number {
    const id = this.#nextId.get(chat) ?? 1;
    this.#nextId.set(chat, id + 1);
    return id;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#down === 'reset') {
      req.socket.destroy();
      return;
    }
    if (this.#down === '502') {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>');
      return;
    }
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    if (!match) {
      this.#reply(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
      return;
    }
    const [, token, method] = match as unknown as [string, string, string];
    const params = await readParams(req);
    const call: RecordedCall = { method, params, status: 200, at: this.#now() };
    this.calls.push(call);
    if (token !== this.token) {
      call.status = 401;
      this.#reply(res, 401, { ok: false, error_code: 401, description: 'Unauthorized' });
      return;
    }
    const failure = this.#takeFailure(method);
    if (failure) {
      call.status = failure.status;
      const parameters: Record<string, number> = {};
      if (failure.retryAfter !== undefined) parameters.retry_after = failure.retryAfter;
      if (failure.migrateToChatId !== undefined) parameters.migrate_to_chat_id = failure.migrateToChatId;
      this.#reply(res, failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
        ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
      });
      return;
    }
    const answer = await this.#dispatch(method, params);
    call.status = answer.status;
    this.#reply(res, answer.status, answer.body);
  }

  #takeFailure(method: string): InjectedFailure | undefined {
    const entry = this.#failures.find(
      (f) => f.remaining > 0 && (f.methods === '*' || f.methods.includes(method)),
    );
    if (!entry) return undefined;
    entry.remaining--;
    return entry.failure;
  }

  #reply(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  async #dispatch(method: string, p: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    const ok = (result: unknown): { status: number; body: unknown } => ({
      status: 200,
      body: { ok: true, result },
    });
    const bad = (description: string, status = 400): { status: number; body: unknown } => ({
      status,
      body: {
        ok: false,
        error_code: status,
        description: status === 400 ? `Bad Request: ${description}` : description,
      },
    });
    const chatOf = (): { chat: string; problem?: { status: number; body: unknown } } => {
      const raw = p.chat_id;
      if (raw === undefined || raw === '') return { chat: '', problem: bad('chat_id is empty') };
      const chat = str(raw);
      const known = this.#options.chats;
      if (known && !known.map(String).includes(chat)) return { chat, problem: bad('chat not found') };
      return { chat };
    };
    switch (method) {
      case 'getMe':
        return ok({
          id: Number(this.token.split(':')[0]),
          is_bot: true,
          first_name: 'Lookout Test',
          username: this.#options.botUsername ?? 'lookout_test_bot',
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'getChat': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const id = Number(chat);
        return ok(
          Number.isNaN(id)
            ? { id: -1000000000001, type: 'channel', title: chat.slice(1), username: chat.slice(1) }
            : id < 0
              ? { id, type: 'supergroup', title: `Group ${id}` }
              : { id, type: 'private', first_name: 'User' },
        );
      }
      case 'sendMessage': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const parsed = parseText(
          str(p.text),
          p.parse_mode as string | undefined,
          TEXT_LIMIT,
          'message is too long',
        );
        if ('error' in parsed) return bad(parsed.error);
        const flood = this.#flood(chat);
        if (flood) return flood;
        const message: FakeMessage = {
          message_id: this.#allocateId(chat),
          chat_id: p.chat_id as number | string,
          text: parsed.text,
          entities: parsed.entities,
          raw: str(p.text),
          parse_mode: p.parse_mode as string | undefined,
          message_thread_id: p.message_thread_id === undefined ? undefined : Number(p.message_thread_id),
          disable_notification: p.disable_notification === true || p.disable_notification === 'true',
          reply_markup: p.reply_markup,
          edits: 0,
          deleted: false,
          date: Math.floor(this.#now() / 1000),
        };
        this.#store(chat, message);
        return ok(this.#wire(message));
      }
      case 'editMessageText': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const message = this.messages(chat).find((m) => m.message_id === Number(p.message_id) && !m.deleted);
        if (!message) return bad('message to edit not found');
        const parsed = parseText(
          str(p.text),
          p.parse_mode as string | undefined,
          TEXT_LIMIT,
          'message is too long',
        );
        if ('error' in parsed) return bad(parsed.error);
        // Without a parse mode, formatting may come as explicit entities (as when re-sending a message's own).
        if (!p.parse_mode && Array.isArray(p.entities)) parsed.entities = p.entities as TelegramEntity[];
        if (
          parsed.text === message.text &&
          JSON.stringify(parsed.entities) === JSON.stringify(message.entities) &&
          JSON.stringify(p.reply_markup) === JSON.stringify(message.reply_markup)
        ) {
          return bad(
            'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
          );
        }
        const flood = this.#flood(chat);
        if (flood) return flood;
        Object.assign(message, {
          text: parsed.text,
          entities: parsed.entities,
          raw: str(p.text),
          parse_mode: p.parse_mode as string | undefined,
          reply_markup: p.reply_markup,
          edits: message.edits + 1,
        });
        return ok(this.#wire(message));
      }
      case 'editMessageReplyMarkup': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const message = this.messages(chat).find((m) => m.message_id === Number(p.message_id) && !m.deleted);
        if (!message) return bad('message to edit not found');
        message.reply_markup = p.reply_markup;
        return ok(this.#wire(message));
      }
      case 'deleteMessage': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const message = this.messages(chat).find((m) => m.message_id === Number(p.message_id) && !m.deleted);
        if (!message) return bad('message to delete not found');
        message.deleted = true;
        return ok(true);
      }
      case 'sendPhoto':
      case 'sendDocument': {
        const { chat, problem } = chatOf();
        if (problem) return problem;
        const field = method === 'sendPhoto' ? 'photo' : 'document';
        const file = p[field];
        if (!(file instanceof Blob) && typeof file !== 'string')
          return bad(`there is no ${field} in the request`);
        const caption = parseText(
          str(p.caption),
          p.parse_mode as string | undefined,
          CAPTION_LIMIT,
          'message caption is too long',
          true,
        );
        if ('error' in caption) return bad(caption.error);
        const flood = this.#flood(chat);
        if (flood) return flood;
        const message: FakeMessage = {
          message_id: this.#allocateId(chat),
          chat_id: p.chat_id as number | string,
          text: '',
          entities: [],
          raw: '',
          parse_mode: p.parse_mode as string | undefined,
          message_thread_id: p.message_thread_id === undefined ? undefined : Number(p.message_thread_id),
          disable_notification: p.disable_notification === true || p.disable_notification === 'true',
          reply_markup: p.reply_markup,
          edits: 0,
          deleted: false,
          caption: caption.text,
          file:
            file instanceof Blob
              ? {
                  field,
                  name: (file as File).name ?? field,
                  size: file.size,
                  type: file.type,
                  bytes: Buffer.from(await file.arrayBuffer()),
                }
              : { field, name: file, size: 0, type: 'file_id' },
          date: Math.floor(this.#now() / 1000),
        };
        this.#store(chat, message);
        return ok({
          ...this.#wire(message),
          ...(field === 'photo'
            ? {
                photo: [
                  {
                    file_id: `photo-${message.message_id}`,
                    file_unique_id: `u${message.message_id}`,
                    width: 800,
                    height: 400,
                    file_size: message.file!.size,
                  },
                ],
              }
            : {
                document: {
                  file_id: `doc-${message.message_id}`,
                  file_unique_id: `u${message.message_id}`,
                  file_name: message.file!.name,
                },
              }),
          ...(caption.text ? { caption: caption.text, caption_entities: caption.entities } : {}),
        });
      }
      case 'sendChatAction':
      case 'answerCallbackQuery':
        return ok(true);
      case 'setMyCommands':
        this.#commands = (p.commands as unknown[] | undefined) ?? [];
        return ok(true);
      case 'getMyCommands':
        return ok(this.#commands);
      case 'deleteMyCommands':
        this.#commands = [];
        return ok(true);
      case 'setWebhook':
        this.#webhookUrl = str(p.url);
        return ok(true);
      case 'deleteWebhook':
        this.#webhookUrl = '';
        if (p.drop_pending_updates === true || p.drop_pending_updates === 'true') this.#updates.length = 0;
        return ok(true);
      case 'getWebhookInfo':
        return ok({
          url: this.#webhookUrl,
          has_custom_certificate: false,
          pending_update_count: this.#updates.length,
        });
      case 'getUpdates':
        return this.#getUpdates(p);
      default:
        return {
          status: 404,
          body: { ok: false, error_code: 404, description: 'Not Found: method not found' },
        };
    }
  }

  #store(chat: string, message: FakeMessage): void {
    const list = this.#messages.get(chat) ?? [];
    list.push(message);
    this.#messages.set(chat, list);
  }

  #wire(m: FakeMessage): Record<string, unknown> {
    const id = Number(m.chat_id);
    return {
      message_id: m.message_id,
      date: m.date,
      chat: Number.isNaN(id)
        ? { id: -1000000000001, type: 'channel' }
        : { id, type: id < 0 ? 'supergroup' : 'private' },
      ...(m.text ? { text: m.text } : {}),
      ...(m.entities.length > 0 ? { entities: m.entities } : {}),
      ...(m.message_thread_id !== undefined
        ? { message_thread_id: m.message_thread_id, is_topic_message: true }
        : {}),
      ...(m.edits > 0 ? { edit_date: Math.floor(this.#now() / 1000) } : {}),
      ...(m.reply_markup ? { reply_markup: m.reply_markup } : {}),
    };
  }

  /** Telegram's flood control, when enabled: 1 message/s per chat, 20/min per group. */
  #flood(chat: string): { status: number; body: unknown } | undefined {
    if (!this.#options.floodLimits) return undefined;
    const now = this.#now();
    const times = (this.#floodTimes.get(chat) ?? []).filter((t) => t > now - 60_000);
    const lastSecond = times.filter((t) => t > now - 1000).length;
    const isGroup = chat.startsWith('-') || chat.startsWith('@');
    let retryAfter = 0;
    if (lastSecond >= 1) retryAfter = 1;
    if (isGroup && times.length >= 20)
      retryAfter = Math.max(retryAfter, Math.ceil((times[0]! + 60_000 - now) / 1000));
    if (retryAfter > 0) {
      return {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        },
      };
    }
    times.push(now);
    this.#floodTimes.set(chat, times);
    return undefined;
  }

  async #getUpdates(p: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
    if (this.#webhookUrl) {
      return {
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        },
      };
    }
    if (this.#poll) {
      // Like Telegram: a second poller ends the first one's request with a conflict.
      const previous = this.#poll;
      this.#poll = undefined;
      previous.resolve([{ conflict: true }]);
    }
    const offset = Number(p.offset ?? 0);
    const limit = Math.min(100, Number(p.limit ?? 100));
    const timeout = Math.min(50, Number(p.timeout ?? 0));
    if (offset > 0) {
      // Confirming an offset drops every earlier update for good.
      while (this.#updates.length > 0 && this.#updates[0]!.update_id < offset) this.#updates.shift();
    }
    const ready = this.#pending(offset, limit);
    if (ready.length > 0 || timeout <= 0) return { status: 200, body: { ok: true, result: ready } };
    const updates = await new Promise<unknown[]>((resolve) => {
      const timer = setTimeout(() => {
        if (this.#poll?.resolve === done) this.#poll = undefined;
        resolve([]);
      }, timeout * 1000);
      const done = (u: unknown[]): void => {
        clearTimeout(timer);
        resolve(u);
      };
      this.#poll = { offset, limit, resolve: done };
    });
    if (updates.length === 1 && (updates[0] as { conflict?: boolean }).conflict) {
      return {
        status: 409,
        body: {
          ok: false,
          error_code: 409,
          description:
            'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
        },
      };
    }
    return { status: 200, body: { ok: true, result: updates } };
  }

  #pending(offset: number, limit: number): unknown[] {
    return this.#updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  #flushPoll(): void {
    const poll = this.#poll;
    if (!poll) return;
    const ready = this.#pending(poll.offset, poll.limit);
    if (ready.length === 0) return;
    this.#poll = undefined;
    poll.resolve(ready);
  }
}

// ---------------------------------------------------------------------------------------------
// Request bodies: JSON, urlencoded and multipart, as the Bot API accepts them.

async function readParams(req: IncomingMessage): Promise<Record<string, unknown>> {
  const url = new URL(req.url ?? '/', 'http://x');
  const params: Record<string, unknown> = Object.fromEntries(url.searchParams);
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  const type = req.headers['content-type'] ?? '';
  if (body.length === 0) return params;
  if (type.includes('application/json')) {
    Object.assign(params, JSON.parse(body.toString('utf8')) as Record<string, unknown>);
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = decodeField(v);
  } else if (type.includes('multipart/form-data')) {
    const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(type);
    if (boundary) Object.assign(params, parseMultipart(body, boundary[1] ?? boundary[2]!));
    // grammY sends files as separate parts and points at them with attach://<name>.
    for (const [k, v] of Object.entries(params)) {
      if (typeof v === 'string' && v.startsWith('attach://')) params[k] = params[v.slice('attach://'.length)];
    }
  }
  return params;
}

/** multipart/form-data, leniently (grammY writes `name=x` unquoted and no space after colons). */
function parseMultipart(body: Buffer, boundary: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let at = body.indexOf(delimiter);
  while (at >= 0) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const split = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, split).toString('utf8');
    const content = part.subarray(split + 4);
    const name = /name="?([^";\r\n]+)"?/i.exec(head)?.[1];
    const filename = /filename="?([^";\r\n]+)"?/i.exec(head)?.[1];
    const type = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1] ?? 'application/octet-stream';
    if (name)
      out[name] = filename
        ? new File([new Uint8Array(content)], filename, { type })
        : decodeField(content.toString('utf8'));
    at = next;
  }
  return out;
}

/** Form fields carry JSON for objects (reply_markup, commands); numbers stay text like Telegram's. */
function decodeField(value: string): unknown {
  if (/^[[{]/.test(value)) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Telegram's entity parsing: HTML and MarkdownV2 to text plus entities, with its error texts.

type Parsed = { text: string; entities: TelegramEntity[] } | { error: string };

function parseText(
  raw: string,
  mode: string | undefined,
  limit: number,
  tooLong: string,
  allowEmpty = false,
): Parsed {
  let parsed: Parsed;
  if (mode === 'HTML') parsed = parseHtml(raw);
  else if (mode === 'MarkdownV2') parsed = parseMarkdownV2(raw);
  else if (mode === undefined || mode === '') parsed = { text: raw, entities: [] };
  else return { error: `unsupported parse_mode` };
  if ('error' in parsed) return parsed;
  if (!allowEmpty && parsed.text.trim() === '') return { error: 'message text is empty' };
  if (parsed.text.length > limit) return { error: tooLong };
  return parsed;
}

const HTML_TAGS: Readonly<Record<string, string>> = {
  b: 'bold',
  strong: 'bold',
  i: 'italic',
  em: 'italic',
  u: 'underline',
  ins: 'underline',
  s: 'strikethrough',
  strike: 'strikethrough',
  del: 'strikethrough',
  'tg-spoiler': 'spoiler',
  span: 'spoiler',
  a: 'text_link',
  code: 'code',
  pre: 'pre',
  blockquote: 'blockquote',
  'tg-emoji': 'custom_emoji',
};

const NAMED_ENTITIES: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function byteOffset(raw: string, index: number): number {
  return Buffer.byteLength(raw.slice(0, index), 'utf8');
}

function parseHtml(raw: string): Parsed {
  let text = '';
  const entities: TelegramEntity[] = [];
  const open: Array<{ tag: string; start: number; entity: TelegramEntity }> = [];
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === '<') {
      const close = raw.indexOf('>', i);
      if (close < 0)
        return { error: `can't parse entities: Unclosed start tag at byte offset ${byteOffset(raw, i)}` };
      const inner = raw.slice(i + 1, close);
      if (inner.startsWith('/')) {
        const name = inner.slice(1).trim().toLowerCase();
        const top = open.pop();
        if (!top)
          return { error: `can't parse entities: Unexpected end tag at byte offset ${byteOffset(raw, i)}` };
        if (top.tag !== name) {
          return {
            error: `can't parse entities: Can't find end tag corresponding to start tag "${top.tag}"`,
          };
        }
        top.entity.length = text.length - top.start;
        if (top.entity.length > 0) entities.push(top.entity);
        i = close + 1;
        continue;
      }
      const m =
        /^([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*$/.exec(
          inner,
        );
      const name = m?.[1]?.toLowerCase() ?? inner.split(/\s/)[0] ?? '';
      const type = HTML_TAGS[name];
      if (!m || !type) {
        return {
          error: `can't parse entities: Unsupported start tag "${name}" at byte offset ${byteOffset(raw, i)}`,
        };
      }
      const attrs = Object.fromEntries(
        [...(m[2] ?? '').matchAll(/([a-zA-Z-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g)].map(
          (a) => [a[1]!.toLowerCase(), a[2] ?? a[3] ?? a[4] ?? ''],
        ),
      );
      if (name === 'span' && attrs.class !== 'tg-spoiler') {
        return {
          error: `can't parse entities: Unsupported start tag "span" at byte offset ${byteOffset(raw, i)}`,
        };
      }
      if (name === 'a' && !attrs.href) {
        return {
          error: `can't parse entities: Expected href attribute at byte offset ${byteOffset(raw, i)}`,
        };
      }
      const entity: TelegramEntity = {
        type: name === 'a' ? 'text_link' : type,
        offset: text.length,
        length: 0,
      };
      if (name === 'a') entity.url = decodeEntities(attrs.href!);
      open.push({ tag: name, start: text.length, entity });
      i = close + 1;
      continue;
    }
    if (ch === '>') {
      // Telegram tolerates a bare '>' less than '<', but Lookout must escape it; be strict.
      return { error: `can't parse entities: Unexpected character '>' at byte offset ${byteOffset(raw, i)}` };
    }
    if (ch === '&') {
      const m = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/.exec(raw.slice(i, i + 12));
      const decoded = m ? decodeEntity(m[1]!) : undefined;
      if (!m || decoded === undefined) {
        return {
          error: `can't parse entities: Unsupported HTML entity at byte offset ${byteOffset(raw, i)}`,
        };
      }
      text += decoded;
      i += m[0].length;
      continue;
    }
    text += ch;
    i++;
  }
  if (open.length > 0) {
    return {
      error: `can't parse entities: Can't find end tag corresponding to start tag "${open[open.length - 1]!.tag}"`,
    };
  }
  entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
  return { text, entities };
}

function decodeEntity(body: string): string | undefined {
  if (body.startsWith('#x')) return String.fromCodePoint(parseInt(body.slice(2), 16));
  if (body.startsWith('#')) return String.fromCodePoint(Number(body.slice(1)));
  return NAMED_ENTITIES[body];
}

function decodeEntities(value: string): string {
  return value.replace(
    /&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);/g,
    (all, body: string) => decodeEntity(body) ?? all,
  );
}

const MD_RESERVED = new Set('_*[]()~`>#+-=|{}.!'.split(''));

/** MarkdownV2, enough for tests: code spans and blocks, paired markers, escapes, reserved characters. */
function parseMarkdownV2(raw: string): Parsed {
  let text = '';
  const entities: TelegramEntity[] = [];
  const open = new Map<string, number>();
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i]!;
    if (ch === '\\') {
      const next = raw[i + 1];
      if (next === undefined)
        return {
          error:
            "can't parse entities: Character '\\' is reserved and must be escaped with the preceding '\\'",
        };
      text += next;
      i += 2;
      continue;
    }
    if (raw.startsWith('```', i)) {
      const end = raw.indexOf('```', i + 3);
      if (end < 0)
        return {
          error: `can't parse entities: Can't find end of Pre entity at byte offset ${byteOffset(raw, i)}`,
        };
      const body = raw.slice(i + 3, end).replace(/^[^\n]*\n/, (line) => (/^\w*\n$/.test(line) ? '' : line));
      entities.push({ type: 'pre', offset: text.length, length: body.replace(/\\([`\\])/g, '$1').length });
      text += body.replace(/\\([`\\])/g, '$1');
      i = end + 3;
      continue;
    }
    if (ch === '`') {
      const end = raw.indexOf('`', i + 1);
      if (end < 0)
        return {
          error: `can't parse entities: Can't find end of Code entity at byte offset ${byteOffset(raw, i)}`,
        };
      const body = raw.slice(i + 1, end).replace(/\\([`\\])/g, '$1');
      entities.push({ type: 'code', offset: text.length, length: body.length });
      text += body;
      i = end + 1;
      continue;
    }
    const marker = raw.startsWith('__', i)
      ? '__'
      : raw.startsWith('||', i)
        ? '||'
        : ch === '*' || ch === '_' || ch === '~'
          ? ch
          : undefined;
    if (marker) {
      const start = open.get(marker);
      if (start === undefined) open.set(marker, text.length);
      else {
        open.delete(marker);
        const type = { '*': 'bold', _: 'italic', '~': 'strikethrough', __: 'underline', '||': 'spoiler' }[
          marker
        ];
        entities.push({ type, offset: start, length: text.length - start });
      }
      i += marker.length;
      continue;
    }
    if (MD_RESERVED.has(ch)) {
      return {
        error: `can't parse entities: Character '${ch}' is reserved and must be escaped with the preceding '\\'`,
      };
    }
    text += ch;
    i++;
  }
  if (open.size > 0)
    return { error: `can't parse entities: Can't find end of the entity starting at byte offset 0` };
  return { text, entities };
}

/** A request field as text (objects as JSON), empty when absent. */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
