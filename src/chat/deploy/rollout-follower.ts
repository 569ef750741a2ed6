// Follows one app's rollout until it is ready, clearly failed, or out of time: polls the cluster,
// reports each step, and decides when a pod has been stuck long enough to stop waiting.
import { formatDuration } from '../../lib/duration.js';
import { sleep } from '../../lib/backoff.js';
import { errorMessage } from '../../lib/errors.js';
import type { AppDeployer, PodProblem, RolloutSnapshot } from './app-deployer.js';
import type { ObjectRef } from './kinds.js';
import type { RenderedApp } from './render-app.js';

export interface FollowOptions {
  readonly deployer: AppDeployer;
  readonly refs: readonly ObjectRef[];
  readonly expose: RenderedApp['expose'];
  /** When the deploy began (epoch ms): the timeout counts from here, also after a restart. */
  readonly startedAt: number;
  readonly timeoutMs: number;
  /** A pod stuck in one problem this long ends the wait. */
  readonly stuckAfterMs: number;
  readonly pollMs: number;
  readonly now: () => number;
  /** Aborting stops following (the app is left as it is). */
  readonly signal: AbortSignal;
  /** Called after every look at the cluster, with how long each current problem has lasted. */
  readonly onProgress: (snapshot: RolloutSnapshot, stuckMs: ReadonlyMap<string, number>) => Promise<void>;
}

export type FollowResult =
  | {
      readonly outcome: 'ready';
      readonly snapshot: RolloutSnapshot;
      readonly nodePort: number;
      readonly nodeAddress: string;
    }
  | {
      readonly outcome: 'failed';
      readonly reason: string;
      readonly snapshot: RolloutSnapshot | undefined;
    }
  | { readonly outcome: 'stopped' };

function describeProblem(p: PodProblem, forMs: number): string {
  const where = p.container ? `pod ${p.pod}, container ${p.container}` : `pod ${p.pod}`;
  const text = p.message ? `${p.reason}: ${p.message}` : p.reason;
  return `${where}: ${text} (for ${formatDuration(Math.max(1000, Math.round(forMs / 1000) * 1000))})`;
}

function notReady(snapshot: RolloutSnapshot): string {
  const waiting = snapshot.workloads
    .filter((w) => !w.done)
    .map((w) => `${w.kind} ${w.name} has ${w.ready}/${w.desired} ready`);
  if (waiting.length > 0) return waiting.join('; ');
  if (snapshot.nodePort === undefined) return 'the Service has no node port yet';
  return 'no node is known to serve it';
}

export async function followRollout(o: FollowOptions): Promise<FollowResult> {
  const since = new Map<string, number>();
  let last: RolloutSnapshot | undefined;
  let lastError: unknown;
  while (!o.signal.aborted) {
    const now = o.now();
    let snapshot: RolloutSnapshot | undefined;
    try {
      snapshot = await o.deployer.inspect(o.refs, o.expose, o.signal);
      lastError = undefined;
    } catch (error) {
      if (o.signal.aborted) break;
      // A blip of the API server is not the app's failure; the timeout bounds the wait.
      lastError = error;
    }
    if (snapshot) {
      last = snapshot;
      const problems = snapshot.workloads.flatMap((w) => w.problems);
      const current = new Set(problems.map((p) => p.key));
      for (const key of since.keys()) if (!current.has(key)) since.delete(key);
      for (const p of problems) if (!since.has(p.key)) since.set(p.key, now);
      const stuckMs = new Map([...since].map(([k, t]) => [k, now - t]));
      await o.onProgress(snapshot, stuckMs);

      if (snapshot.done && snapshot.nodePort !== undefined && snapshot.nodeAddress !== undefined) {
        return { outcome: 'ready', snapshot, nodePort: snapshot.nodePort, nodeAddress: snapshot.nodeAddress };
      }
      const gaveUp = snapshot.workloads.find((w) => w.failed !== undefined);
      if (gaveUp?.failed) return { outcome: 'failed', reason: gaveUp.failed, snapshot };
      const stuck = problems.find((p) => (stuckMs.get(p.key) ?? 0) >= o.stuckAfterMs);
      if (stuck) {
        const workload = snapshot.workloads.find((w) => w.problems.includes(stuck));
        const prefix = workload ? `${workload.kind} ${workload.name}: ` : '';
        return {
          outcome: 'failed',
          reason: prefix + describeProblem(stuck, stuckMs.get(stuck.key) ?? 0),
          snapshot,
        };
      }
    }
    if (now - o.startedAt >= o.timeoutMs) {
      const why = snapshot ? notReady(snapshot) : `the cluster did not answer (${errorMessage(lastError)})`;
      return {
        outcome: 'failed',
        reason: `not ready after ${formatDuration(o.timeoutMs)}: ${why}`,
        snapshot: last,
      };
    }
    await sleep(o.pollMs, o.signal);
  }
  return { outcome: 'stopped' };
}
