import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListGate } from './list-gate.js';

/** A promise with its resolve/reject in hand. */
function deferred<T = void>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (error: unknown) => void;
} {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Work done synchronously, answered as a promise (as `run` wants). */
function sync<T>(fn: () => T): () => Promise<T> {
  return () => Promise.resolve(fn());
}

/** Lets every pending promise callback run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
  await new Promise((r) => setImmediate(r));
}

describe('ListGate', () => {
  it('rejects a limit below 1 or not an integer', () => {
    for (const limit of [0, -1, 0.5, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new ListGate(limit)).toThrow(RangeError);
    }
    expect(new ListGate(1).limit).toBe(1);
    expect(new ListGate(3).limit).toBe(3);
  });

  it('runs work right away below the limit and answers its result', async () => {
    const gate = new ListGate(2);
    await expect(gate.run(sync(() => 'done'))).resolves.toBe('done');
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('never runs more than the limit at once, and starts waiters first come, first served', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        // For each work: how many microtask turns it takes, and whether it fails.
        fc.array(fc.record({ turns: fc.nat(5), fails: fc.boolean() }), { minLength: 1, maxLength: 20 }),
        async (limit, works) => {
          const gate = new ListGate(limit);
          let running = 0;
          let peak = 0;
          const started: number[] = [];
          const results = works.map(({ turns, fails }, i) =>
            gate.run(async () => {
              started.push(i);
              running++;
              peak = Math.max(peak, running);
              expect(gate.running).toBeLessThanOrEqual(limit);
              for (let t = 0; t < turns; t++) await Promise.resolve();
              running--;
              if (fails) throw new Error(`work ${i} failed`);
              return i;
            }),
          );
          const outcomes = await Promise.allSettled(results);
          expect(peak).toBeLessThanOrEqual(limit);
          // Queued in call order, started in call order.
          expect(started).toEqual(works.map((_, i) => i));
          outcomes.forEach((outcome, i) => {
            if (works[i]!.fails)
              expect(outcome).toEqual({ status: 'rejected', reason: new Error(`work ${i} failed`) });
            else expect(outcome).toEqual({ status: 'fulfilled', value: i });
          });
          expect(gate.running).toBe(0);
          expect(gate.waiting).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('runs exactly `limit` works while more wait', async () => {
    const gate = new ListGate(2);
    const holds = Array.from({ length: 5 }, () => deferred());
    let running = 0;
    let peak = 0;
    const all = holds.map((h) =>
      gate.run(async () => {
        peak = Math.max(peak, ++running);
        await h.promise;
        running--;
      }),
    );
    await settle();
    expect(running).toBe(2);
    expect(gate.running).toBe(2);
    expect(gate.waiting).toBe(3);
    for (const h of holds) {
      h.resolve();
      await settle();
      expect(running).toBeLessThanOrEqual(2);
    }
    await Promise.all(all);
    expect(peak).toBe(2);
    expect(gate.running).toBe(0);
  });

  it('starts the waiters in order as slots free up', async () => {
    const gate = new ListGate(1);
    const order: string[] = [];
    const first = deferred();
    const a = gate.run(async () => {
      order.push('a');
      await first.promise;
    });
    const b = gate.run(
      sync(() => {
        order.push('b');
      }),
    );
    const c = gate.run(
      sync(() => {
        order.push('c');
      }),
    );
    await settle();
    expect(order).toEqual(['a']);
    expect(gate.running).toBe(1);
    expect(gate.waiting).toBe(2);
    first.resolve();
    await Promise.all([a, b, c]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('releases the slot of a work that rejects (or throws before its first await)', async () => {
    const gate = new ListGate(1);
    const failing = deferred();
    const a = gate.run(() => failing.promise);
    const b = gate.run(() => {
      throw new Error('sync failure');
    });
    const c = gate.run(sync(() => 'c ran'));
    expect(gate.waiting).toBe(2);
    failing.reject(new Error('list failed'));
    await expect(a).rejects.toThrow('list failed');
    await expect(b).rejects.toThrow('sync failure');
    await expect(c).resolves.toBe('c ran');
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
    // The slot is free again.
    await expect(gate.run(sync(() => 'd ran'))).resolves.toBe('d ran');
  });

  it('rejects a waiter whose signal aborts, removes it and leaks no slot', async () => {
    const gate = new ListGate(1);
    const hold = deferred();
    const a = gate.run(() => hold.promise);
    const controller = new AbortController();
    let bRan = false;
    const b = gate.run(
      sync(() => {
        bRan = true;
      }),
      controller.signal,
    );
    const cRan = deferred<string>();
    const c = gate.run(sync(() => cRan.resolve('c ran')));
    expect(gate.waiting).toBe(2);

    const reason = new Error('stopping');
    controller.abort(reason);
    await expect(b).rejects.toBe(reason);
    expect(gate.waiting).toBe(1);
    expect(gate.running).toBe(1);

    hold.resolve();
    await a;
    await c;
    await expect(cRan.promise).resolves.toBe('c ran');
    expect(bRan).toBe(false);
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
    // Both slots' worth of work still runs: nothing was leaked.
    await expect(gate.run(sync(() => 1))).resolves.toBe(1);
    expect(gate.running).toBe(0);
  });

  it('an abort after the work started does not touch the gate', async () => {
    const gate = new ListGate(1);
    const controller = new AbortController();
    const hold = deferred();
    const a = gate.run(() => hold.promise, controller.signal);
    await settle();
    controller.abort(new Error('late'));
    expect(gate.running).toBe(1);
    hold.resolve();
    await expect(a).resolves.toBeUndefined();
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('rejects at once, taking no slot, when the signal has already aborted', async () => {
    const gate = new ListGate(1);
    const controller = new AbortController();
    const reason = new Error('already stopped');
    controller.abort(reason);
    let ran = false;
    await expect(
      gate.run(
        sync(() => {
          ran = true;
        }),
        controller.signal,
      ),
    ).rejects.toBe(reason);
    expect(ran).toBe(false);
    expect(gate.running).toBe(0);
    expect(gate.waiting).toBe(0);
  });

  it('keeps the count right when waiters abort in any order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 12 }),
        async (limit, aborts) => {
          const gate = new ListGate(limit);
          const holds = Array.from({ length: limit }, () => deferred());
          const holders = holds.map((h) => gate.run(() => h.promise));
          const controllers = aborts.map(() => new AbortController());
          const ran: number[] = [];
          const waiters = aborts.map((_, i) =>
            gate.run(
              sync(() => {
                ran.push(i);
              }),
              controllers[i]!.signal,
            ),
          );
          expect(gate.waiting).toBe(aborts.length);
          aborts.forEach((abort, i) => {
            if (abort) controllers[i]!.abort(new Error(`abort ${i}`));
          });
          expect(gate.waiting).toBe(aborts.filter((a) => !a).length);
          expect(gate.running).toBe(limit);
          for (const h of holds) h.resolve();
          await Promise.all(holders);
          const outcomes = await Promise.allSettled(waiters);
          outcomes.forEach((o, i) => expect(o.status).toBe(aborts[i] ? 'rejected' : 'fulfilled'));
          expect(ran).toEqual(aborts.flatMap((a, i) => (a ? [] : [i])));
          expect(gate.running).toBe(0);
          expect(gate.waiting).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });
});
