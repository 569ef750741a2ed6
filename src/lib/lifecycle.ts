// Starts services in order and stops them in reverse, each stop bounded in time, the whole
// shutdown bounded by a deadline. main.ts registers every long-lived part here.
import type { Logger } from 'pino';
import { errorMessage } from './errors.js';

export interface Service {
  readonly name: string;
  start?(): Promise<void> | void;
  stop?(): Promise<void> | void;
}

export class Lifecycle {
  readonly #services: Service[] = [];
  readonly #started: Service[] = [];
  readonly #log: Logger;
  #stopping: Promise<void> | undefined;

  constructor(log: Logger) {
    this.#log = log;
  }

  /** Adds a service; it starts when {@link start} reaches it. */
  add(service: Service): void {
    this.#services.push(service);
  }

  /** Starts every service in the order added. If one fails, those started are stopped. */
  async start(): Promise<void> {
    for (const service of this.#services) {
      if (this.#stopping) return;
      const t0 = performance.now();
      try {
        await service.start?.();
      } catch (error) {
        this.#log.error({ service: service.name, err: error }, `${service.name} failed to start`);
        await this.stop();
        throw error;
      }
      this.#started.push(service);
      this.#log.debug(
        { service: service.name, ms: Math.round(performance.now() - t0) },
        `${service.name} started`,
      );
    }
  }

  /**
   * Stops started services in reverse order. Each stop gets its share of `deadlineMs`;
   * one that overruns is logged and left behind so the rest still stop. Idempotent.
   */
  stop(deadlineMs = 9000): Promise<void> {
    this.#stopping ??= this.#stopAll(deadlineMs);
    return this.#stopping;
  }

  async #stopAll(deadlineMs: number): Promise<void> {
    const end = Date.now() + deadlineMs;
    for (const service of [...this.#started].reverse()) {
      const left = Math.max(100, end - Date.now());
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          Promise.resolve(service.stop?.()),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`did not stop within ${left} ms`)), left);
          }),
        ]);
        this.#log.debug({ service: service.name }, `${service.name} stopped`);
      } catch (error) {
        this.#log.warn(
          { service: service.name, err: errorMessage(error) },
          `${service.name} did not stop cleanly`,
        );
      } finally {
        clearTimeout(timer);
      }
    }
    this.#started.length = 0;
  }
}
