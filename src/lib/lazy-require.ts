// Loads a CommonJS package on first use instead of at start-up. Receivers and drivers that a
// configuration does not use (Slack, NATS, PostgreSQL, …) then cost no memory.
import { createRequire } from 'node:module';

const requireFromHere = createRequire(import.meta.url);

/** A function returning the package, loading it the first time it is called. */
export function lazyRequire<T>(id: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= requireFromHere(id) as T);
}
