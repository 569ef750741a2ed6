// Events as the kubelet and the controller manager emit them (client-go's legacy recorder):
// similar events are aggregated ("combined from similar events"), an exact repeat bumps
// `count` and `lastTimestamp` on the same Event object instead of creating a new one, and a
// spam filter lets a source burst 25 events about one object, then one per 5 minutes — the
// dedup cache still counts the skipped ones, which is why real counts jump.
import { rfc3339, type KubeObject } from '../../object-store.js';
import { Lru } from './lru.js';
import type { EventType, EventWriter, ObjectRef } from './event-writer.js';

const CACHE_SIZE = 4096;
const AGGREGATE_MAX_EVENTS = 10;
const AGGREGATE_INTERVAL_MS = 600_000;
const SPAM_BURST = 25;
const SPAM_REFILL_MS = 300_000;

export interface EventSource {
  readonly component: string;
  readonly host?: string;
}

/** One component's handle for emitting events. */
export interface EventRecorder {
  event(ref: ObjectRef, type: EventType, reason: string, message: string): void;
}

export interface CorrelatorOptions {
  /** Multiplies the correlator's own durations (spam refill, aggregation window). */
  readonly timeScale: number;
  /** Turn the spam filter off (tests that count every occurrence). Default on. */
  readonly spamFilter?: boolean;
}

interface Observation {
  count: number;
  firstTimestamp: string;
  name: string;
  namespace: string;
}

interface AggregateRecord {
  localKeys: Set<string>;
  last: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/** The shared correlator behind every legacy recorder in the simulated cluster. */
export class EventBroadcaster {
  readonly #writer: EventWriter;
  readonly #now: () => number;
  readonly #options: CorrelatorOptions;
  readonly #observations = new Lru<string, Observation>(CACHE_SIZE);
  readonly #aggregates = new Lru<string, AggregateRecord>(CACHE_SIZE);
  readonly #spam = new Lru<string, Bucket>(CACHE_SIZE);
  #skipped = 0;

  constructor(writer: EventWriter, now: () => number, options: CorrelatorOptions) {
    this.#writer = writer;
    this.#now = now;
    this.#options = options;
  }

  /** Events the spam filter kept from the API (their counts still advanced). */
  get skipped(): number {
    return this.#skipped;
  }

  recorder(source: EventSource): EventRecorder {
    return { event: (ref, type, reason, message) => this.#record(source, ref, type, reason, message) };
  }

  #record(source: EventSource, ref: ObjectRef, type: EventType, reason: string, message: string): void {
    const now = this.#now();
    const objectKey = [
      source.component,
      source.host ?? '',
      ref.kind,
      ref.namespace ?? '',
      ref.name,
      ref.uid ?? '',
      ref.apiVersion ?? '',
    ].join('\u0000');
    const eventKey = [objectKey, ref.fieldPath ?? '', type, reason, message].join('\u0000');

    // Aggregation: more than 10 distinct messages for one (source, object, type, reason) in
    // 10 minutes collapse into one "combined" event counted under the aggregate key.
    const aggregateKey = [objectKey, type, reason, source.component, source.host ?? ''].join('\u0000');
    let record = this.#aggregates.get(aggregateKey);
    if (!record || now - record.last > AGGREGATE_INTERVAL_MS * this.#options.timeScale) {
      record = { localKeys: new Set(), last: now };
    }
    record.localKeys.add(message);
    record.last = now;
    this.#aggregates.set(aggregateKey, record);
    let cacheKey = eventKey;
    let finalMessage = message;
    let combined = false;
    if (record.localKeys.size >= AGGREGATE_MAX_EVENTS) {
      const first = record.localKeys.values().next();
      if (!first.done) record.localKeys.delete(first.value);
      cacheKey = aggregateKey;
      finalMessage = `(combined from similar events): ${message}`;
      combined = true;
    }

    // Dedup: a repeat takes the name and first timestamp of the first occurrence, count + 1.
    const namespace = ref.namespace || 'default';
    const previous = this.#observations.get(cacheKey);
    const observation: Observation = previous
      ? { ...previous, count: previous.count + 1 }
      : { count: 1, firstTimestamp: rfc3339(now), name: this.#writer.newName(ref.name), namespace };
    this.#observations.set(cacheKey, observation);

    if (this.#spamFiltered(objectKey, now)) {
      this.#skipped++;
      return;
    }

    const build = (): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: observation.name, namespace: observation.namespace },
      involvedObject: { ...ref },
      reason,
      message: finalMessage,
      source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
      firstTimestamp: observation.firstTimestamp,
      lastTimestamp: rfc3339(now),
      count: observation.count,
      type,
      // The correlator builds combined events from scratch, without the reporting fields.
      reportingComponent: combined ? '' : source.component,
      reportingInstance: combined ? '' : (source.host ?? ''),
    });
    const stored =
      observation.count > 1
        ? this.#writer.update(
            observation.namespace,
            observation.name,
            (e) => {
              e.count = observation.count;
              e.lastTimestamp = rfc3339(now);
              e.message = finalMessage;
            },
            build,
          )
        : this.#writer.create(build());
    if (stored && typeof stored.count === 'number') {
      this.#observations.set(cacheKey, { ...observation, count: stored.count });
    }
  }

  /** Token bucket per (source, object): burst 25, one more every 5 minutes. */
  #spamFiltered(objectKey: string, now: number): boolean {
    if (this.#options.spamFilter === false) return false;
    const refill = SPAM_REFILL_MS * this.#options.timeScale;
    const bucket = this.#spam.get(objectKey) ?? { tokens: SPAM_BURST, at: now };
    bucket.tokens = Math.min(SPAM_BURST, bucket.tokens + (now - bucket.at) / refill);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#spam.set(objectKey, bucket);
    return !allowed;
  }
}
