// A local HTTP receiver that records every request (method, path, headers, JSON body) and
// answers as told: 200 by default, a status per path or for the next N requests, a delay, or
// an outage (connections reset). For webhook and Alertmanager-compatibility tests.
import { Buffer } from 'node:buffer';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly body: unknown;
  /** The status answered. */
  status: number;
  readonly receivedAt: number;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Milliseconds to wait before answering (the request is recorded on arrival). */
  readonly delayMs?: number;
}

export class WebhookRecorder {
  readonly requests: RecordedRequest[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  readonly #byPath = new Map<string, ScriptedAnswer>();
  readonly #queue: ScriptedAnswer[] = [];
  readonly #waiters: Array<{ count: number; resolve: () => void }> = [];
  #down = false;
  #url = '';

  private constructor() {
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(): Promise<WebhookRecorder> {
    const recorder = new WebhookRecorder();
    await new Promise<void>((resolve) => recorder.#server.listen(0, '127.0.0.1', resolve));
    recorder.#url = `http://127.0.0.1:${(recorder.#server.address() as AddressInfo).port}`;
    return recorder;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`; append any path. */
  get url(): string {
    return this.#url;
  }

  /** Every request to `path` gets this answer (until changed). */
  answer(path: string, answer: ScriptedAnswer): void {
    this.#byPath.set(path, answer);
  }

  /** The next `times` requests (any path) get this answer, before per-path answers. */
  answerNext(answer: ScriptedAnswer, times = 1): void {
    for (let i = 0; i < times; i++) this.#queue.push(answer);
  }

  /** An outage: connections are reset until `false`. */
  setDown(down: boolean): void {
    this.#down = down;
    if (down) for (const socket of this.#sockets) socket.destroy();
  }

  /** Requests accepted with a 2xx answer. */
  get accepted(): RecordedRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Resolves once `count` requests have arrived (or rejects after `timeoutMs`). */
  waitForRequests(count: number, timeoutMs = 20_000): Promise<void> {
    if (this.requests.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`expected ${count} requests, got ${this.requests.length}`)),
        timeoutMs,
      );
      this.#waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.#down) {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      body = undefined;
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const answer = this.#queue.shift() ?? this.#byPath.get(path) ?? { status: 200 };
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      text,
      body,
      status: answer.status,
      receivedAt: Date.now(),
    };
    this.requests.push(request);
    for (const waiter of this.#waiters.filter((w) => this.requests.length >= w.count)) {
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (res.destroyed) return;
    res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers });
    res.end(answer.body ?? '');
  }
}
