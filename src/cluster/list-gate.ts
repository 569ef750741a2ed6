// How many LISTs of one cluster may run at once. The watches of a cluster all start together;
// without a gate, each of them lists at the same moment, and the pages of every big resource
// (pods, nodes, replicasets, deployments…) are in memory together: their response bodies, the
// text and the parsed objects, many times the size of the snapshots kept from them. Watches
// (as opposed to lists) do not take the gate.

export class ListGate {
  readonly #limit: number;
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('a list gate needs a limit of at least 1');
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  /** Lists running now. */
  get running(): number {
    return this.#running;
  }

  /** Lists waiting for their turn. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `work` once fewer than `limit` lists are running (first come, first served). Rejects
   * with the signal's reason if `signal` aborts while waiting.
   */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#running < this.#limit) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(grant);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal!.reason as Error);
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.#waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter: `running` stays the same.
    if (next) next();
    else this.#running--;
  }
}
