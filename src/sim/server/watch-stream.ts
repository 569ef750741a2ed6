// Open watch responses: chunked JSON lines, one `{"type","object"}` per line. The registry
// knows every open stream so faults can close or stall them and shutdown can end them.
import type { ServerResponse } from 'node:http';
import type { WatchControl } from '../faults.js';

/** A watch client that stops reading gets cut off once this much is queued for it. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export class WatchStream {
  readonly path: string;
  readonly #res: ServerResponse;
  readonly #cleanups: Array<() => void> = [];
  #stalled = false;
  #closed = false;

  constructor(res: ServerResponse, path: string) {
    this.#res = res;
    this.path = path;
    res.on('close', () => this.close());
  }

  get closed(): boolean {
    return this.#closed;
  }

  get stalled(): boolean {
    return this.#stalled;
  }

  /** Sends nothing more until closed (a stall fault). */
  stall(): void {
    this.#stalled = true;
  }

  /** Runs `fn` once the stream ends, however it ends. */
  onClose(fn: () => void): void {
    if (this.#closed) fn();
    else this.#cleanups.push(fn);
  }

  /** Writes one event line; dropped when stalled or closed. */
  write(type: string, object: unknown): void {
    if (this.#closed || this.#stalled) return;
    this.#res.write(`${JSON.stringify({ type, object })}\n`);
    if (this.#res.writableLength > MAX_BUFFERED_BYTES) this.close();
  }

  /** Ends the response cleanly (a zero-length chunk) and runs the cleanups. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const fn of this.#cleanups.splice(0)) {
      try {
        fn();
      } catch {
        // a cleanup must not keep the others from running
      }
    }
    if (!this.#res.writableEnded) this.#res.end();
  }
}

export class WatchRegistry implements WatchControl {
  readonly #streams = new Set<WatchStream>();

  add(stream: WatchStream): void {
    this.#streams.add(stream);
    stream.onClose(() => this.#streams.delete(stream));
  }

  get open(): number {
    return this.#streams.size;
  }

  closeAll(): number {
    const all = [...this.#streams];
    for (const s of all) s.close();
    return all.length;
  }

  stall(matches: (path: string) => boolean): number {
    let n = 0;
    for (const s of this.#streams) {
      if (matches(s.path)) {
        s.stall();
        n++;
      }
    }
    return n;
  }

  endStalled(): number {
    const stalled = [...this.#streams].filter((s) => s.stalled);
    for (const s of stalled) s.close();
    return stalled.length;
  }
}
