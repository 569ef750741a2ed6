import { describe, expect, it } from 'vitest';
import type { ContainerSnapshot, PodSnapshot } from '../domain/kube.js';
import { abnormalReasons, lifecycleChanges, newCrashes } from './pod-analysis.js';

const T0 = Date.UTC(2026, 10, 23, 12);

function container(over: Partial<ContainerSnapshot> = {}): ContainerSnapshot {
  return {
    name: 'app',
    type: 'app',
    image: 'nginx',
    ready: true,
    restartCount: 0,
    state: { kind: 'running', startedAt: T0 },
    requests: {},
    limits: {},
    hasLivenessProbe: false,
    ...over,
  };
}

function pod(over: Partial<PodSnapshot> = {}): PodSnapshot {
  return {
    kind: 'Pod',
    uid: 'u1',
    name: 'web-1',
    namespace: 'shop',
    resourceVersion: '1',
    labels: {},
    createdAt: T0,
    phase: 'Running',
    conditions: { Ready: { status: 'True', since: T0 } },
    containers: [container()],
    restartPolicy: 'Always',
    ...over,
  };
}

const crashLooping = (restartCount: number, reason = 'Error', exitCode = 1): ContainerSnapshot =>
  container({
    restartCount,
    ready: false,
    state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 10s' },
    lastTerminated: { reason, exitCode, finishedAt: T0 + 5000 },
  });

describe('newCrashes', () => {
  it('records a crash as soon as the container terminates, keyed by the attempt that crashed', () => {
    const before = pod();
    const after = pod({ containers: [crashLooping(0, 'OOMKilled', 137)] });
    expect(newCrashes('c', before, after, T0 + 6000, false)).toEqual([
      expect.objectContaining({
        pod: 'web-1',
        container: 'app',
        restartCount: 0,
        covers: 1,
        reason: 'OOMKilled',
        exitCode: 137,
      }),
    ]);
  });

  it('does not record the same crash again when the next attempt starts', () => {
    const backingOff = pod({ containers: [crashLooping(0)] });
    const restarted = pod({
      containers: [container({ restartCount: 1, lastTerminated: { reason: 'Error', exitCode: 1 } })],
    });
    expect(newCrashes('c', backingOff, restarted, T0, false)).toEqual([]);
    const crashedAgain = pod({ containers: [crashLooping(1)] });
    expect(newCrashes('c', restarted, crashedAgain, T0, false)).toEqual([
      expect.objectContaining({ restartCount: 1, covers: 1 }),
    ]);
  });

  it('makes existing terminations the baseline on the first sync: no flood of old crashes', () => {
    expect(newCrashes('c', undefined, pod({ containers: [crashLooping(7)] }), T0, true)).toEqual([]);
  });

  it('accounts for crashes missed while not watching as one record covering them all', () => {
    const before = pod({
      containers: [container({ restartCount: 2, lastTerminated: { reason: 'Error', exitCode: 1 } })],
    }); // attempt 1 seen
    const after = pod({ containers: [crashLooping(5)] });
    expect(newCrashes('c', before, after, T0, false)).toEqual([
      expect.objectContaining({ restartCount: 5, covers: 4 }),
    ]);
    // A pod first seen after the first sync, already crashed: attempts 0..5 are all accounted for.
    expect(newCrashes('c', undefined, after, T0, false)).toEqual([
      expect.objectContaining({ restartCount: 5, covers: 6 }),
    ]);
  });

  it('ignores unchanged snapshots (a relist or a re-delivered event)', () => {
    const same = pod({ containers: [crashLooping(3)] });
    expect(newCrashes('c', same, same, T0, false)).toEqual([]);
  });

  it('watches init containers, but a finished init container is not a crash', () => {
    const failing = pod({
      containers: [
        container({
          name: 'init',
          type: 'init',
          state: { kind: 'terminated', reason: 'Error', exitCode: 1 },
        }),
      ],
    });
    expect(newCrashes('c', pod({ containers: [] }), failing, T0, false)).toEqual([
      expect.objectContaining({ container: 'init', containerType: 'init' }),
    ]);
    const done = pod({
      containers: [
        container({
          name: 'init',
          type: 'init',
          state: { kind: 'terminated', reason: 'Completed', exitCode: 0 },
        }),
      ],
    });
    expect(newCrashes('c', pod({ containers: [] }), done, T0, false)).toEqual([]);
  });

  it('does not count kills by deletion or eviction, nor pods that never restart', () => {
    const killed = pod({
      deletingAt: T0,
      containers: [container({ state: { kind: 'terminated', reason: 'Error', exitCode: 143 } })],
    });
    expect(newCrashes('c', pod(), killed, T0, false)).toEqual([]);
    const evicted = pod({
      reason: 'Evicted',
      phase: 'Failed',
      containers: [container({ state: { kind: 'terminated', reason: 'Error', exitCode: 137 } })],
    });
    expect(newCrashes('c', pod(), evicted, T0, false)).toEqual([]);
    const once = pod({
      restartPolicy: 'Never',
      containers: [container({ state: { kind: 'terminated', reason: 'Error', exitCode: 1 } })],
    });
    expect(newCrashes('c', pod({ restartPolicy: 'Never' }), once, T0, false)).toEqual([]);
    const finished = pod({
      restartPolicy: 'OnFailure',
      containers: [container({ state: { kind: 'terminated', reason: 'Completed', exitCode: 0 } })],
    });
    expect(newCrashes('c', pod({ restartPolicy: 'OnFailure' }), finished, T0, false)).toEqual([]);
  });
});

describe('lifecycleChanges', () => {
  it('logs creation, scheduling and phase changes once', () => {
    const pending = pod({ phase: 'Pending', node: undefined, conditions: {} });
    const created = lifecycleChanges('c', undefined, pending, T0 + 10);
    expect(created.map((e) => `${e.action}:${e.detail}`)).toEqual(['created:', 'phase:Pending']);
    expect(created[0]!.at).toBe(T0);
    const scheduled = pod({
      phase: 'Pending',
      node: 'n1',
      conditions: { PodScheduled: { status: 'True', since: T0 + 1000 } },
    });
    expect(lifecycleChanges('c', pending, scheduled, T0 + 2000)).toEqual([
      expect.objectContaining({ action: 'scheduled', detail: 'n1', at: T0 + 1000 }),
    ]);
    const running = pod({ node: 'n1' });
    expect(
      lifecycleChanges('c', scheduled, running, T0 + 3000).map((e) => `${e.action}:${e.detail}`),
    ).toEqual(['phase:Running']);
  });
});

describe('abnormalReasons', () => {
  it('names waiting reasons per container', () => {
    const p = pod({
      containers: [
        container({ state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 20s' } }),
      ],
    });
    expect(abnormalReasons(p, T0)).toEqual([
      { container: 'app', reason: 'CrashLoopBackOff', message: 'back-off 20s' },
    ]);
  });

  it('treats ErrImagePull and ImagePullBackOff as one reason', () => {
    const p = pod({ containers: [container({ state: { kind: 'waiting', reason: 'ErrImagePull' } })] });
    expect(abnormalReasons(p, T0).map((r) => r.reason)).toEqual(['ImagePullBackOff']);
  });

  it('keeps a crash loop open while the container only runs between back-offs', () => {
    const running = pod({
      containers: [container({ restartCount: 4, state: { kind: 'running', startedAt: T0 } })],
    });
    const open = new Set(['app\u0000CrashLoopBackOff']);
    expect(abnormalReasons(running, T0 + 30_000, undefined, open).map((r) => r.reason)).toEqual([
      'CrashLoopBackOff',
    ]);
    expect(abnormalReasons(running, T0 + 6 * 60_000, undefined, open)).toEqual([]);
    expect(abnormalReasons(running, T0 + 30_000)).toEqual([]);
  });

  it('keeps a recently OOM-killed container abnormal for a window', () => {
    const p = pod({
      containers: [container({ lastTerminated: { reason: 'OOMKilled', exitCode: 137, finishedAt: T0 } })],
    });
    expect(abnormalReasons(p, T0 + 60_000).map((r) => r.reason)).toEqual(['OOMKilled']);
    expect(abnormalReasons(p, T0 + 11 * 60_000)).toEqual([]);
  });

  it('reports Pending, Unschedulable and NotReady only after their grace period', () => {
    const pending = pod({ phase: 'Pending', conditions: {} });
    expect(abnormalReasons(pending, T0 + 60_000)).toEqual([]);
    expect(abnormalReasons(pending, T0 + 6 * 60_000).map((r) => r.reason)).toEqual(['Pending']);
    const unsched = pod({
      phase: 'Pending',
      conditions: { PodScheduled: { status: 'False', reason: 'Unschedulable', since: T0 } },
    });
    expect(abnormalReasons(unsched, T0 + 6 * 60_000).map((r) => r.reason)).toEqual(['Unschedulable']);
    const notReady = pod({ conditions: { Ready: { status: 'False', since: T0 } } });
    expect(abnormalReasons(notReady, T0 + 60_000)).toEqual([]);
    expect(abnormalReasons(notReady, T0 + 6 * 60_000).map((r) => r.reason)).toEqual(['NotReady']);
  });

  it('reports evicted pods and ignores pods being deleted', () => {
    expect(abnormalReasons(pod({ phase: 'Failed', reason: 'Evicted', message: 'low memory' }), T0)).toEqual([
      { container: '', reason: 'Evicted', message: 'low memory' },
    ]);
    const deleting = pod({
      deletingAt: T0,
      containers: [container({ state: { kind: 'waiting', reason: 'CrashLoopBackOff' } })],
    });
    expect(abnormalReasons(deleting, T0)).toEqual([]);
  });
});
