// Writes Event objects to the store the way an event sink does through the API: create, or
// update an existing one by name (falling back to create when it has expired meanwhile), and
// notes every successful write in the journal. A refused write (namespace going away) drops
// the event, as the real recorders do after logging it.
import type { Logger } from 'pino';
import type { KubeObject, ObjectStore } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import type { SeededRandom } from '../../random.js';
import type { Journal } from '../journal.js';

/** A reference to the object an event is about (core/v1 ObjectReference). */
export interface ObjectRef {
  readonly apiVersion?: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  readonly fieldPath?: string;
}

export type EventType = 'Normal' | 'Warning';

/** An object reference to `obj`, optionally into one of its containers. */
export function refTo(obj: KubeObject, fieldPath?: string): ObjectRef {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind ?? '',
    ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
    name: obj.metadata.name ?? '',
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
    ...(fieldPath ? { fieldPath } : {}),
  };
}

export class EventWriter {
  readonly #store: ObjectStore;
  readonly #journal: Journal;
  readonly #random: SeededRandom;
  readonly #now: () => number;
  readonly #log: Logger;
  #lastNanos = 0n;
  #dropped = 0;

  constructor(store: ObjectStore, journal: Journal, random: SeededRandom, now: () => number, log: Logger) {
    this.#store = store;
    this.#journal = journal;
    this.#random = random;
    this.#now = now;
    this.#log = log;
  }

  /** Events refused by the store (e.g. their namespace is terminating). */
  get dropped(): number {
    return this.#dropped;
  }

  /** `<object>.<hex nanoseconds>`, unique even when many events share one millisecond. */
  newName(objectName: string): string {
    let nanos = BigInt(Math.floor(this.#now())) * 1_000_000n + BigInt(this.#random.int(0, 999_999));
    if (nanos <= this.#lastNanos) nanos = this.#lastNanos + BigInt(this.#random.int(1, 4096));
    this.#lastNanos = nanos;
    return `${objectName}.${nanos.toString(16)}`;
  }

  /** Creates an Event; returns the stored object, or undefined when the write was refused. */
  create(event: KubeObject): KubeObject | undefined {
    try {
      const stored = this.#store.create('events', event);
      this.#note(stored);
      return stored;
    } catch (error) {
      return this.#refused(event, error);
    }
  }

  /**
   * Applies `change` to the stored Event of that name; creates `fallback` instead when it is
   * gone (expired by the TTL, or deleted), as the recorders do on a 404.
   */
  update(
    namespace: string,
    name: string,
    change: (e: KubeObject) => void,
    fallback: () => KubeObject,
  ): KubeObject | undefined {
    try {
      const before = this.#store.get('events', namespace, name);
      if (before) {
        const stored = this.#store.mutate('events', namespace, name, change);
        // A write that changed nothing (a series refresh with no new occurrence) is no occurrence.
        if (stored.metadata.resourceVersion !== before.metadata.resourceVersion) this.#note(stored);
        return stored;
      }
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404))
        return this.#refused({ metadata: { name } }, error);
    }
    return this.create(fallback());
  }

  #note(stored: KubeObject): void {
    const series = stored.series as { count?: number } | undefined;
    this.#journal.recordEvent({
      uid: stored.metadata.uid ?? '',
      namespace: stored.metadata.namespace ?? '',
      name: stored.metadata.name ?? '',
      reason: typeof stored.reason === 'string' ? stored.reason : '',
      type: typeof stored.type === 'string' ? stored.type : '',
      message: typeof stored.message === 'string' ? stored.message : '',
      count: series?.count ?? (typeof stored.count === 'number' ? stored.count : 1),
      at: this.#now(),
    });
  }

  #refused(event: KubeObject, error: unknown): undefined {
    if (!(error instanceof ApiStatusError)) throw error;
    this.#dropped++;
    this.#log.debug({ event: event.metadata.name, code: error.code, err: error.message }, 'event dropped');
    return undefined;
  }
}
