// WAL checkpoints off the event loop. In WAL mode every commit appends pages to the -wal file,
// and by default the committing connection copies them back into the database file (with an
// fsync) whenever the WAL passes 1,000 pages. better-sqlite3 is synchronous, so that copy ran on
// the event loop, in the middle of whatever commit crossed the line: tens of milliseconds of a
// busy alert intake or event ingest stood still while it ran.
//
// Here a worker thread holds a second connection to the same file and runs a PASSIVE checkpoint
// every `intervalMs`. A passive checkpoint never waits for the writer and never blocks it: it
// copies what is committed and stops at whatever the writer holds. The main connection's own
// automatic checkpoints are turned off while the worker runs, and turned back on if the worker
// fails or exits, so the WAL can never grow without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** SQLite's default `wal_autocheckpoint`, restored when the worker is gone. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000;

/** The worker: plain CommonJS, so that it runs the same from dist/, tsx and vitest. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
function checkpoint() {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)');
  return { busy: result.busy, log: result.log, checkpointed: result.checkpointed };
}
const timer = setInterval(() => {
  try { checkpoint(); } catch (error) { parentPort.postMessage({ type: 'error', message: String(error && error.message || error) }); }
}, workerData.intervalMs);
parentPort.on('message', (message) => {
  if (message.type === 'checkpoint') {
    try { parentPort.postMessage({ type: 'checkpointed', id: message.id, result: checkpoint() }); }
    catch (error) { parentPort.postMessage({ type: 'checkpointed', id: message.id, error: String(error && error.message || error) }); }
  } else if (message.type === 'stop') {
    clearInterval(timer);
    db.close();
    parentPort.close();
  }
});
`;

export interface CheckpointResult {
  /** 1 when the checkpoint could not finish because the writer held the lock. */
  readonly busy: number;
  /** Pages in the WAL, and how many of them are now in the database file. */
  readonly log: number;
  readonly checkpointed: number;
}

export interface CheckpointerOptions {
  /** How often the worker checkpoints (default 500 ms). */
  readonly intervalMs?: number;
  /** Told when the worker fails; the main connection checkpoints by itself again from then on. */
  readonly onFailure?: (error: Error) => void;
}

export class SqliteCheckpointer {
  readonly #handle: BetterSqlite3.Database;
  readonly #worker: Worker;
  readonly #onFailure: ((error: Error) => void) | undefined;
  readonly #waiting = new Map<
    number,
    { resolve: (r: CheckpointResult) => void; reject: (e: Error) => void }
  >();
  #nextId = 1;
  #stopping = false;
  #running = true;
  readonly #exited: Promise<void>;

  /** Starts checkpointing `file` (the database `handle` has open) in a worker thread. */
  constructor(handle: BetterSqlite3.Database, file: string, options: CheckpointerOptions = {}) {
    this.#handle = handle;
    this.#onFailure = options.onFailure;
    this.#worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: {
        driver: createRequire(import.meta.url).resolve('better-sqlite3'),
        file,
        intervalMs: options.intervalMs ?? 500,
        busyTimeoutMs: 100,
      },
      // It holds one connection and a timer: a small heap is plenty, and is what it costs.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
      stdout: false,
      stderr: false,
    });
    this.#worker.unref();
    handle.pragma('wal_autocheckpoint = 0');
    this.#worker.on('message', (message: WorkerMessage) => this.#onMessage(message));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('error', (error) => this.#failed(error));
      this.#worker.once('exit', (code) => {
        if (!this.#stopping) this.#failed(new Error(`the checkpoint thread exited with code ${code}`));
        resolve();
      });
    });
  }

  /** Whether the worker is checkpointing (false once it failed or was stopped). */
  get running(): boolean {
    return this.#running;
  }

  /** Checkpoints now, in the worker, and answers what it did (tests, diagnostics). */
  checkpoint(): Promise<CheckpointResult> {
    if (!this.#running) return Promise.reject(new Error('the checkpoint thread is not running'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ type: 'checkpoint', id });
    });
  }

  /** Stops the worker; the main connection checkpoints by itself again. */
  async stop(): Promise<void> {
    if (this.#stopping) return this.#exited;
    this.#stopping = true;
    this.#worker.postMessage({ type: 'stop' });
    await this.#exited;
    this.#fallBack(new Error('the checkpoint thread was stopped'));
  }

  #onMessage(message: WorkerMessage): void {
    if (message.type === 'error') {
      // One failed round (the file was locked by another process, say): the next one retries.
      return;
    }
    const waiter = this.#waiting.get(message.id);
    if (!waiter) return;
    this.#waiting.delete(message.id);
    if (message.error !== undefined) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result!);
  }

  #failed(error: Error): void {
    if (!this.#running) return;
    this.#fallBack(error);
    this.#onFailure?.(error);
  }

  /** Hands checkpoints back to the main connection and fails whoever still waits. */
  #fallBack(reason: Error): void {
    if (!this.#running) return;
    this.#running = false;
    try {
      this.#handle.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`);
    } catch {
      // The connection is already closed: nothing left to checkpoint for.
    }
    for (const waiter of this.#waiting.values()) waiter.reject(reason);
    this.#waiting.clear();
  }
}

type WorkerMessage =
  | { type: 'error'; message: string }
  | { type: 'checkpointed'; id: number; result?: CheckpointResult; error?: string };
