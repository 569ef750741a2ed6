// Ground truth of what happened inside the simulated cluster: every container termination
// and every Event write, appended the moment it happens, so tests can prove nothing was lost
// downstream. Bounded, so a demo that runs for days does not grow without limit.
import type { SimJournal } from '../contracts.js';

export type CrashEntry = SimJournal['crashes'][number] & {
  /** `containerd://…` of the instance that terminated (what `lastState.terminated.containerID` shows). */
  readonly containerId: string;
  readonly signal?: number;
};
export type EventOccurrence = SimJournal['eventOccurrences'][number] & {
  readonly name: string;
  readonly type: string;
  readonly message: string;
};

export class Journal implements SimJournal {
  readonly #crashes: CrashEntry[] = [];
  readonly #events: EventOccurrence[] = [];
  readonly #limit: number;
  #droppedCrashes = 0;
  #droppedEvents = 0;

  constructor(limit = 500_000) {
    this.#limit = limit;
  }

  /**
   * Container terminations in the order they happened. `restartCount` is the container's
   * restart count while this termination is its latest (the attempt number of the instance
   * that ended, 0 for the first): the pod shows it next to this `lastState.terminated` while
   * in CrashLoopBackOff, and the next instance runs with `restartCount + 1`.
   */
  get crashes(): readonly CrashEntry[] {
    return this.#crashes;
  }

  /** Event writes: one per create (count 1) and one per count or series bump. */
  get eventOccurrences(): readonly EventOccurrence[] {
    return this.#events;
  }

  /** Entries dropped from the front once the limit was reached. */
  get dropped(): { crashes: number; eventOccurrences: number } {
    return { crashes: this.#droppedCrashes, eventOccurrences: this.#droppedEvents };
  }

  recordCrash(entry: CrashEntry): void {
    this.#crashes.push(entry);
    this.#droppedCrashes += trim(this.#crashes, this.#limit);
  }

  recordEvent(entry: EventOccurrence): void {
    this.#events.push(entry);
    this.#droppedEvents += trim(this.#events, this.#limit);
  }
}

function trim(list: unknown[], limit: number): number {
  if (list.length <= limit * 1.25) return 0;
  const drop = list.length - limit;
  list.splice(0, drop);
  return drop;
}
