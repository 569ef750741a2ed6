// A bounded in-process queue: producers wait when it is full (back-pressure, never a drop),
// the consumer takes batches. Used between the watchers and the history writer.

export class QueueClosedError extends Error {
  constructor() {
    super('queue closed');
    this.name = 'QueueClosedError';
  }
}

export class BoundedQueue<T> {
  readonly #capacity: number;
  #items: T[] = [];
  #head = 0;
  #closed = false;
  #waitingProducers: Array<() => void> = [];
  #waitingConsumer: (() => void) | undefined;

  constructor(capacity: number) {
    if (capacity < 1) throw new RangeError('capacity must be at least 1');
    this.#capacity = capacity;
  }

  get size(): number {
    return this.#items.length - this.#head;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Producers currently waiting for room: a sign that the consumer is the bottleneck. */
  get blockedProducers(): number {
    return this.#waitingProducers.length;
  }

  /** Adds an item, waiting while the queue is full. Rejects once the queue is closed. */
  async push(item: T, signal?: AbortSignal): Promise<void> {
    while (this.size >= this.#capacity) {
      if (this.#closed) throw new QueueClosedError();
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = (): void => {
          this.#waitingProducers = this.#waitingProducers.filter((w) => w !== wake);
          reject(signal!.reason as Error);
        };
        const wake = (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.#waitingProducers.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    if (this.#closed) throw new QueueClosedError();
    this.#items.push(item);
    const consumer = this.#waitingConsumer;
    this.#waitingConsumer = undefined;
    consumer?.();
  }

  /**
   * Takes up to `max` items, waiting until at least one is there. After the first item it
   * waits up to `lingerMs` for more, so bursts are written in few transactions. Returns an
   * empty array once the queue is closed and drained, or when `signal` aborts.
   */
  async take(max: number, options: { lingerMs?: number; signal?: AbortSignal } = {}): Promise<T[]> {
    const { signal } = options;
    while (this.size === 0) {
      if (this.#closed || signal?.aborted) return [];
      await this.#waitForItem(signal);
    }
    if (options.lingerMs && this.size < max && !this.#closed) {
      await new Promise((resolve) => setTimeout(resolve, options.lingerMs));
    }
    const n = Math.min(max, this.size);
    const batch = this.#items.slice(this.#head, this.#head + n);
    this.#head += n;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    const producers = this.#waitingProducers.splice(0, n);
    for (const wake of producers) wake();
    return batch;
  }

  /** Stops accepting items; waiting producers are rejected, the consumer drains what is left. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#waitingProducers.splice(0)) wake();
    this.#waitingConsumer?.();
    this.#waitingConsumer = undefined;
  }

  #waitForItem(signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const onAbort = (): void => {
        this.#waitingConsumer = undefined;
        resolve();
      };
      this.#waitingConsumer = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
