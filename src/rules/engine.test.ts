import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import type { Alert } from '../domain/alert.js';
import type { CrashRecord } from '../domain/history.js';
import type { NodeSnapshot, PodSnapshot } from '../domain/kube.js';
import { ClusterState } from '../history/cluster-state.js';
import { silentLogger } from '../telemetry/logger.js';
import { RuleEngine } from './engine.js';

const T0 = Date.UTC(2026, 10, 23, 12);

function rules(yaml = '') {
  return parseConfig(yaml ? `rules:\n${yaml}` : '', { env: {} }).rules;
}

function node(name: string, ready: boolean, since = T0): NodeSnapshot {
  return {
    kind: 'Node',
    uid: `uid-${name}`,
    name,
    resourceVersion: '1',
    labels: {},
    createdAt: T0 - 86_400_000,
    ready,
    conditions: {
      Ready: {
        status: ready ? 'True' : 'False',
        reason: ready ? 'KubeletReady' : 'NodeStatusUnknown',
        since,
      },
    },
    unschedulable: false,
    taints: [],
    capacity: {},
    allocatable: {},
    roles: [],
  };
}

function crash(over: Partial<CrashRecord> = {}): CrashRecord {
  return {
    id: 7,
    cluster: 'prod',
    podUid: 'p1',
    namespace: 'shop',
    pod: 'web-1',
    container: 'app',
    containerType: 'app',
    restartCount: 3,
    covers: 1,
    reason: 'Error',
    exitCode: 1,
    signal: null,
    message: null,
    startedAt: T0 - 5000,
    finishedAt: T0,
    node: 'n1',
    workloadKind: 'Deployment',
    workload: 'web',
    livenessProbe: false,
    logTail: 'starting\nconnecting to db\npanic: connection refused\n',
    logStatus: 'ok',
    logError: null,
    logTruncated: false,
    warningEvents: [
      { reason: 'BackOff', message: 'Back-off restarting failed container', count: 2, lastAt: T0 },
    ],
    observedAt: T0 + 100,
    ...over,
  };
}

function setup(yaml = '') {
  let now = T0;
  const sent: Alert[][] = [];
  const engine = new RuleEngine({
    config: rules(yaml),
    sink: (a) => Promise.resolve(void sent.push(a)),
    log: silentLogger(),
    now: () => now,
  });
  return { engine, sent, advance: (ms: number) => (now += ms), at: () => now };
}

describe('RuleEngine level rules', () => {
  it('fires only after `for`, counted from when the condition began, and resolves when it clears', async () => {
    const { engine, sent, advance } = setup();
    const state = new ClusterState('prod');
    state.set(node('n1', false, T0));
    await engine.evaluate(state);
    expect(sent).toEqual([]); // NodeNotReady has for: 5m
    advance(5 * 60_000);
    await engine.evaluate(state);
    expect(sent).toHaveLength(1);
    const [fired] = sent[0]!;
    expect(fired!.labels).toEqual({
      alertname: 'NodeNotReady',
      severity: 'critical',
      cluster: 'prod',
      node: 'n1',
    });
    expect(fired!.startsAt).toBe(T0 + 5 * 60_000);
    expect(fired!.endsAt).toBeGreaterThan(T0 + 5 * 60_000);
    // Unchanged: nothing new is sent until a keep-alive.
    await engine.evaluate(state);
    expect(sent).toHaveLength(1);
    state.set(node('n1', true));
    advance(1000);
    await engine.evaluate(state);
    expect(sent[1]![0]!.endsAt).toBe(T0 + 5 * 60_000 + 1000);
  });

  it('respects enabled: false and namespace filters', async () => {
    const { engine, sent, advance } = setup('  NodeNotReady:\n    enabled: false\n');
    const state = new ClusterState('prod');
    state.set(node('n1', false, T0 - 3600_000));
    advance(1);
    await engine.evaluate(state);
    expect(sent).toEqual([]);
  });

  it('uses the abnormal period start for pod rules, so `for` survives a restart', async () => {
    const { engine, sent } = setup();
    const began = T0 - 6 * 60_000;
    const state = new ClusterState('prod', () => [
      { container: 'app', reason: 'CrashLoopBackOff', beganAt: began },
    ]);
    const pod: PodSnapshot = {
      kind: 'Pod',
      uid: 'p1',
      name: 'web-1',
      namespace: 'shop',
      resourceVersion: '1',
      labels: {},
      createdAt: T0 - 3600_000,
      phase: 'Running',
      conditions: {},
      node: 'n1',
      workload: { kind: 'Deployment', name: 'web' },
      containers: [
        {
          name: 'app',
          type: 'app',
          image: 'web:1',
          ready: false,
          restartCount: 5,
          state: { kind: 'waiting', reason: 'CrashLoopBackOff', message: 'back-off 2m40s' },
          requests: {},
          limits: {},
          hasLivenessProbe: false,
        },
      ],
      restartPolicy: 'Always',
    };
    state.set(pod);
    await engine.evaluate(state);
    expect(sent[0]![0]!.labels).toMatchObject({
      alertname: 'PodCrashLooping',
      namespace: 'shop',
      pod: 'web-1',
      container: 'app',
      workload: 'web',
    });
  });
});

describe('RuleEngine crash rules', () => {
  it('fires one ContainerCrashed per crash with logs, hint and warning events', async () => {
    const { engine, sent } = setup();
    await engine.onCrash(crash());
    const [alert] = sent[0]!;
    expect(alert!.labels).toMatchObject({
      alertname: 'ContainerCrashed',
      cluster: 'prod',
      namespace: 'shop',
      pod: 'web-1',
      container: 'app',
      restart_count: '3',
    });
    expect(alert!.annotations.log_tail).toContain('panic: connection refused');
    expect(alert!.annotations.hint).toMatch(/exit code 1/i);
    expect(alert!.annotations.warning_events).toContain('BackOff (x2)');
    expect(alert!.endsAt).toBe(T0 + 100 + 5 * 60_000);
  });

  it('sends OOM kills as ContainerOOMKilled only', async () => {
    const { engine, sent } = setup();
    await engine.onCrash(crash({ reason: 'OOMKilled', exitCode: 137 }));
    expect(sent.flat().map((a) => a.labels.alertname)).toEqual(['ContainerOOMKilled']);
  });

  it('honours min_restarts, ignored exit codes and the per-key cooldown', async () => {
    const { engine, sent, advance } = setup(
      '  ContainerCrashed:\n    min_restarts: 3\n    ignore_exit_codes: [0]\n    cooldown: 10m\n',
    );
    await engine.onCrash(crash({ restartCount: 2 }));
    await engine.onCrash(crash({ restartCount: 3, exitCode: 0, reason: 'Completed' }));
    expect(sent).toEqual([]);
    await engine.onCrash(crash({ restartCount: 4 }));
    advance(60_000);
    await engine.onCrash(crash({ restartCount: 5, pod: 'web-2', podUid: 'p2' })); // same workload and container: cooling down
    expect(sent.flat().map((a) => a.labels.restart_count)).toEqual(['4']);
    advance(10 * 60_000);
    await engine.onCrash(crash({ restartCount: 6 }));
    expect(sent.flat().map((a) => a.labels.restart_count)).toEqual(['4', '6']);
  });
});
