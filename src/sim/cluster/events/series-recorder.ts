// Events as the scheduler emits them (client-go's events.k8s.io recorder): `eventTime`,
// `action`, `reportingController`/`reportingInstance`, no count or first/last timestamps.
// A repeat within 6 minutes turns the event into a series: the second occurrence writes
// `series.count: 2` at once, later ones only count in memory and are written when the series
// ends (6 minutes quiet) or every 30 minutes — so `series.count` jumps, as in a real cluster.
import { rfc3339Micro, type KubeObject } from '../../object-store.js';
import type { Timers } from '../timers.js';
import type { EventType, EventWriter, ObjectRef } from './event-writer.js';

const FINISH_MS = 6 * 60_000;
const REFRESH_MS = 30 * 60_000;

interface CachedEvent {
  readonly name: string;
  readonly namespace: string;
  readonly eventTime: number;
  series?: { count: number; lastObservedTime: number };
  build: () => KubeObject;
}

export interface SeriesRecorderOptions {
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly timeScale: number;
}

export class SeriesRecorder {
  readonly #writer: EventWriter;
  readonly #timers: Timers;
  readonly #options: SeriesRecorderOptions;
  readonly #cache = new Map<string, CachedEvent>();

  constructor(writer: EventWriter, timers: Timers, options: SeriesRecorderOptions) {
    this.#writer = writer;
    this.#timers = timers;
    this.#options = options;
  }

  /** Starts the periodic series flushes (until the cluster stops). */
  start(): void {
    this.#timers.every(FINISH_MS * this.#options.timeScale, () => this.#finishSeries());
    this.#timers.every(REFRESH_MS * this.#options.timeScale, () => this.#refreshSeries());
  }

  event(regarding: ObjectRef, type: EventType, reason: string, action: string, note: string): void {
    const now = this.#timers.now();
    const key = [action, reason, this.#options.reportingController, JSON.stringify(regarding)].join('\u0000');
    const cached = this.#cache.get(key);
    if (cached) {
      if (cached.series) {
        cached.series.count++;
        cached.series.lastObservedTime = now;
        return;
      }
      cached.series = { count: 2, lastObservedTime: now };
      this.#write(cached);
      return;
    }
    const namespace = regarding.namespace || 'default';
    const name = this.#writer.newName(regarding.name);
    const entry: CachedEvent = {
      name,
      namespace,
      eventTime: now,
      build: () => ({
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { ...regarding },
        reason,
        message: note,
        source: {},
        type,
        eventTime: rfc3339Micro(now),
        action,
        reportingComponent: this.#options.reportingController,
        reportingInstance: this.#options.reportingInstance,
      }),
    };
    this.#cache.set(key, entry);
    this.#writer.create(entry.build());
  }

  #write(entry: CachedEvent): void {
    const series = entry.series;
    if (!series) return;
    const apply = (e: KubeObject): void => {
      e.series = { count: series.count, lastObservedTime: rfc3339Micro(series.lastObservedTime) };
    };
    this.#writer.update(entry.namespace, entry.name, apply, () => {
      const fresh = entry.build();
      apply(fresh);
      return fresh;
    });
  }

  #finishSeries(): void {
    const cutoff = this.#timers.now() - FINISH_MS * this.#options.timeScale;
    for (const [key, entry] of this.#cache) {
      if (entry.series) {
        if (entry.series.lastObservedTime < cutoff) {
          this.#write(entry);
          this.#cache.delete(key);
        }
      } else if (entry.eventTime < cutoff) {
        this.#cache.delete(key);
      }
    }
  }

  #refreshSeries(): void {
    for (const entry of this.#cache.values()) if (entry.series) this.#write(entry);
  }
}
