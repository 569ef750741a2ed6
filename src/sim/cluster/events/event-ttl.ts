// Events expire like the API server's: each write (create or update) gives the Event a fresh
// time to live, and once it passes the Event is deleted from the store — watchers see DELETED.
// Expiry times only grow with each write, so a FIFO with lazy invalidation finds due events
// without scanning them all.
import type { ObjectStore, StoreEvent } from '../../object-store.js';
import type { ClusterCache } from '../cache.js';
import type { Timer, Timers } from '../timers.js';

interface Due {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly at: number;
}

export class EventTtl {
  readonly #store: ObjectStore;
  readonly #timers: Timers;
  readonly #ttlMs: number;
  readonly #expiry = new Map<string, number>();
  readonly #queue: Due[] = [];
  #head = 0;
  #timer: Timer | undefined;
  #timerAt = Infinity;
  #expired = 0;

  constructor(store: ObjectStore, cache: ClusterCache, timers: Timers, ttlMs: number) {
    this.#store = store;
    this.#timers = timers;
    this.#ttlMs = ttlMs;
    cache.on('events', (event) => this.#observe(event));
  }

  /** Events deleted because their time ran out. */
  get expired(): number {
    return this.#expired;
  }

  #observe(event: StoreEvent): void {
    const uid = event.object.metadata.uid ?? '';
    if (event.type === 'DELETED') {
      this.#expiry.delete(uid);
      return;
    }
    const at = this.#timers.now() + this.#ttlMs;
    this.#expiry.set(uid, at);
    this.#queue.push({
      uid,
      namespace: event.object.metadata.namespace ?? 'default',
      name: event.object.metadata.name ?? '',
      at,
    });
    if (at < this.#timerAt) this.#arm(at);
  }

  #arm(at: number): void {
    this.#timer?.cancel();
    this.#timerAt = at;
    this.#timer = this.#timers.after(Math.max(0, at - this.#timers.now()), () => this.#sweep());
  }

  #sweep(): void {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    const now = this.#timers.now();
    while (this.#head < this.#queue.length) {
      const due = this.#queue[this.#head]!;
      if (due.at > now) break;
      this.#head++;
      if (this.#expiry.get(due.uid) !== due.at) continue; // written again since, or gone
      this.#expiry.delete(due.uid);
      const current = this.#store.get('events', due.namespace, due.name);
      if (current?.metadata.uid === due.uid) {
        this.#store.forceDelete('events', due.namespace, due.name);
        this.#expired++;
      }
    }
    if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    const next = this.#queue[this.#head];
    if (next) this.#arm(next.at);
  }
}
