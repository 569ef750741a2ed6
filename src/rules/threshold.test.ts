import { describe, expect, it } from 'vitest';
import { parseConfig } from '../config/index.js';
import type { Alert } from '../domain/alert.js';
import type { PodSnapshot } from '../domain/kube.js';
import { ClusterState } from '../history/cluster-state.js';
import { silentLogger } from '../telemetry/logger.js';
import { RuleEngine } from './engine.js';
import type { ContainerUsageSample, NodeUsageSample, ResourceUsage } from './rule.js';

const T0 = Date.UTC(2026, 10, 23, 12);
const Gi = 2 ** 30;
const Mi = 2 ** 20;

function node(name: string, over: Partial<NodeUsageSample> = {}): NodeUsageSample {
  return {
    node: name,
    cpuCores: 1,
    memoryBytes: 4 * Gi,
    cpuCapacityCores: 4,
    memoryCapacityBytes: 16 * Gi,
    ...over,
  };
}

function container(name: string, over: Partial<ContainerUsageSample> = {}): ContainerUsageSample {
  return {
    namespace: 'shop',
    pod: 'web-1',
    container: name,
    cpuCores: 0.1,
    memoryBytes: 100 * Mi,
    cpuLimitCores: 1,
    memoryLimitBytes: 512 * Mi,
    ...over,
  };
}

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
  containers: [],
  restartPolicy: 'Always',
};

function setup(yaml = '') {
  let now = T0;
  let usage: ResourceUsage = { at: T0, nodes: [], containers: [] };
  const sent: Alert[][] = [];
  const config = parseConfig(yaml ? `rules:\n${yaml}` : '', { env: {} }).rules;
  const engine = new RuleEngine({
    config,
    sink: (a) => Promise.resolve(void sent.push(a)),
    log: silentLogger(),
    now: () => now,
    usage: (cluster) => (cluster === 'prod' ? usage : undefined),
  });
  const state = new ClusterState('prod');
  state.set(pod);
  return {
    engine,
    state,
    sent,
    /** Sets the latest samples and moves time to them. */
    sample(nodes: NodeUsageSample[], containers: ContainerUsageSample[] = []) {
      usage = { at: now, nodes, containers };
    },
    advance: (ms: number) => (now += ms),
    names: () =>
      sent.flat().map((a) => `${a.labels.alertname}:${(a.endsAt ?? Infinity) > now ? 'firing' : 'resolved'}`),
  };
}

describe('threshold rules', () => {
  it('NodeMemoryHigh fires after 15 minutes below 10 % available and resolves when memory frees up', async () => {
    const t = setup();
    t.sample([node('n1', { memoryBytes: 15 * Gi })]); // 6.25 % available
    await t.engine.evaluate(t.state);
    t.advance(14 * 60_000);
    await t.engine.evaluate(t.state);
    expect(t.sent).toEqual([]);
    t.advance(60_000);
    await t.engine.evaluate(t.state);
    const fired = t.sent.flat();
    expect(fired.map((a) => a.labels)).toEqual([
      { alertname: 'NodeMemoryHigh', severity: 'warning', cluster: 'prod', node: 'n1' },
    ]);
    expect(fired[0]!.annotations).toMatchObject({
      summary: 'Node n1 has 6.3% of its memory available (1Gi of 16Gi)',
      value: '6.3',
      threshold: '10',
    });
    t.sample([node('n1', { memoryBytes: 8 * Gi })]);
    t.advance(30_000);
    await t.engine.evaluate(t.state);
    expect(t.names()).toEqual(['NodeMemoryHigh:firing', 'NodeMemoryHigh:resolved']);
  });

  it('NodeCpuHigh compares CPU use with the node’s CPUs; thresholds and `for` come from the config', async () => {
    const t = setup('  NodeCpuHigh: { above_percent: 50, for: 0s }\n');
    t.sample([node('n1', { cpuCores: 2 }), node('n2', { cpuCores: 2.4 })]);
    await t.engine.evaluate(t.state);
    const fired = t.sent.flat();
    expect(fired.map((a) => a.labels.node)).toEqual(['n2']);
    expect(fired[0]!.annotations.summary).toBe('Node n2 uses 60.0% of its CPU (2.4 of 4 cores)');
  });

  it('ContainerMemoryNearLimit and ContainerCpuNearLimit name the container and its pod’s workload', async () => {
    const t = setup(
      '  ContainerMemoryNearLimit: { for: 0s }\n  ContainerCpuNearLimit: { for: 0s, above_percent: 80 }\n',
    );
    t.sample(
      [],
      [
        container('app', { memoryBytes: 500 * Mi, cpuCores: 0.85 }),
        container('sidecar', { memoryBytes: 400 * Mi, cpuCores: 0.5 }),
      ],
    );
    await t.engine.evaluate(t.state);
    const fired = t.sent.flat().map((a) => [a.labels.alertname, a.labels.container, a.labels.workload]);
    expect(fired).toEqual([
      ['ContainerMemoryNearLimit', 'app', 'web'],
      ['ContainerCpuNearLimit', 'app', 'web'],
    ]);
    expect(t.sent.flat()[0]!.annotations.summary).toBe(
      'Container app of pod shop/web-1 uses 97.7% of its memory limit (500Mi of 512Mi)',
    );
  });

  it('containers without a limit never fire (nothing is divided by zero)', async () => {
    const t = setup('  ContainerMemoryNearLimit: { for: 0s }\n  ContainerCpuNearLimit: { for: 0s }\n');
    t.sample(
      [],
      [
        container('nolimit', { memoryLimitBytes: undefined, cpuLimitCores: undefined, memoryBytes: 10 * Gi }),
        container('zero', { memoryLimitBytes: 0, cpuLimitCores: 0, cpuCores: 3 }),
      ],
    );
    await t.engine.evaluate(t.state);
    expect(t.sent).toEqual([]);
  });

  it('without samples (a Prometheus cluster, or none collected yet) the rules stay quiet', async () => {
    const t = setup('  NodeMemoryHigh: { for: 0s }\n');
    const other = new ClusterState('elsewhere');
    await t.engine.evaluate(other);
    t.sample([node('n1', { memoryBytes: undefined })]);
    await t.engine.evaluate(t.state);
    expect(t.sent).toEqual([]);
  });
});
