// Node trouble in the simulated cluster on a manual clock: a kubelet that stops posting status
// (NotReady, unreachable taints, pods marked not ready, taint-manager evictions after the
// toleration runs out, recovery), memory pressure with kubelet evictions, and cordoning.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

type Obj = KubeObject & { spec: Json; status?: Json };

async function steady(): Promise<{ c: SimCluster; clock: ManualClock }> {
  const clock = new ManualClock();
  const c = new SimCluster({ scenario: 'steady', clock });
  await c.start();
  clock.flush();
  return { c, clock };
}

const node = (c: SimCluster, name: string): Obj => c.store.get('nodes', undefined, name) as Obj;
const condition = (n: Obj, type: string): Json => n.status.conditions.find((x: Json) => x.type === type);
const podsOn = (c: SimCluster, name: string): Obj[] =>
  (c.store.list('pods').items as Obj[]).filter((p) => p.spec.nodeName === name);
const allEvents = (c: SimCluster): Json[] => c.store.list('events').items;

describe('simulated node lifecycle', () => {
  it('turns a silent node NotReady after 40 s, taints it, marks its pods not ready, evicts them after 300 s, and recovers', async () => {
    const { c, clock } = await steady();
    const start = clock.now();
    c.driver.failNode('worker-2');
    clock.advance(35_000);
    expect(condition(node(c, 'worker-2'), 'Ready').status).toBe('True');
    clock.advance(10_000);
    const n = node(c, 'worker-2');
    expect(condition(n, 'Ready')).toMatchObject({
      status: 'Unknown',
      reason: 'NodeStatusUnknown',
      message: 'Kubelet stopped posting node status.',
    });
    expect(condition(n, 'MemoryPressure').status).toBe('Unknown');
    expect(n.spec.taints.map((t: Json) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute',
      'node.kubernetes.io/unreachable:NoSchedule',
    ]);
    const onNode = podsOn(c, 'worker-2').filter((p) => p.status.phase === 'Running');
    expect(onNode.length).toBeGreaterThan(3);
    for (const p of onNode)
      expect(p.status.conditions.find((x: Json) => x.type === 'Ready').status).toBe('False');
    expect(
      allEvents(c).find((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node'),
    ).toMatchObject({
      message: 'Node worker-2 status is now: NodeNotReady',
      source: { component: 'node-controller' },
      involvedObject: { uid: n.metadata.uid },
    });
    expect(
      allEvents(c).filter((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Pod').length,
    ).toBe(onNode.length);
    // Pods tolerate unreachable for 300 s (DaemonSet pods for ever).
    clock.advanceTo(start + 40_000 + 290_000);
    expect(podsOn(c, 'worker-2').some((p) => p.metadata.deletionTimestamp)).toBe(false);
    clock.advanceTo(start + 40_000 + 320_000);
    const evicted = podsOn(c, 'worker-2').filter((p) => p.metadata.deletionTimestamp);
    expect(evicted.length).toBeGreaterThan(0);
    expect(evicted.every((p) => !p.metadata.ownerReferences?.some((o: Json) => o.kind === 'DaemonSet'))).toBe(
      true,
    );
    expect(evicted[0]!.status.conditions.find((x: Json) => x.type === 'DisruptionTarget')).toMatchObject({
      status: 'True',
      reason: 'DeletionByTaintManager',
    });
    expect(
      allEvents(c).some(
        (e) =>
          e.reason === 'TaintManagerEviction' &&
          e.message ===
            `Marking for deletion Pod ${evicted[0]!.metadata.namespace}/${evicted[0]!.metadata.name}`,
      ),
    ).toBe(true);
    // Their ReplicaSets replace them elsewhere while the old ones stay Terminating on the dead node.
    clock.advance(120_000);
    const frontend = (c.store.list('pods', { namespace: 'shop' }).items as Obj[]).filter(
      (p) => p.metadata.labels?.app === 'frontend' && !p.metadata.deletionTimestamp,
    );
    expect(frontend).toHaveLength(4);
    expect(frontend.every((p) => p.spec.nodeName !== 'worker-2' && p.status.phase === 'Running')).toBe(true);
    c.driver.recoverNode('worker-2');
    clock.advance(30_000);
    expect(condition(node(c, 'worker-2'), 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(node(c, 'worker-2').spec.taints ?? []).toEqual([]);
    expect(podsOn(c, 'worker-2').some((p) => p.metadata.deletionTimestamp)).toBe(false);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('hides a silent node from metrics.k8s.io and answers its pods’ logs with an error', async () => {
    const { c, clock } = await steady();
    const pod = podsOn(c, 'worker-1').find((p) => p.metadata.namespace === 'shop')!;
    expect(c.metrics.nodeMetrics().map((m) => m.metadata.name)).toContain('worker-1');
    c.driver.failNode('worker-1');
    clock.advance(1_000);
    expect(c.metrics.nodeMetrics().map((m) => m.metadata.name)).not.toContain('worker-1');
    expect(c.metrics.podMetrics('shop').some((m) => m.metadata.name === pod.metadata.name)).toBe(false);
    expect(() => c.logs.lines('shop', pod.metadata.name!, pod.spec.containers[0].name, false)).toThrow(
      /no route to host/,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('evicts best-effort pods under memory pressure (Failed/Evicted) and taints the node while it lasts', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', {
      metadata: { name: 'scraper', namespace: 'default' },
      spec: {
        replicas: 6,
        selector: { matchLabels: { app: 'scraper' } },
        template: {
          metadata: { labels: { app: 'scraper' } },
          spec: { containers: [{ name: 's', image: 'ghcr.io/acme/scraper:0.3.1' }] },
        },
      },
    });
    clock.advance(60_000);
    c.driver.setNodePressure('worker-1', 'memory', true, 2);
    clock.advance(30_000);
    const n = node(c, 'worker-1');
    expect(condition(n, 'MemoryPressure')).toMatchObject({
      status: 'True',
      reason: 'KubeletHasInsufficientMemory',
    });
    expect(n.spec.taints).toEqual([{ key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }]);
    const evicted = (c.store.list('pods').items as Obj[]).filter((p) => p.status?.reason === 'Evicted');
    expect(evicted).toHaveLength(2);
    for (const p of evicted) {
      expect(p.status.phase).toBe('Failed');
      expect(p.status.qosClass).toBe('BestEffort');
      expect(p.status.message).toMatch(
        /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Mi\. Container s was using \d+Mi, request is 0, has larger consumption of memory\. $/,
      );
      expect(p.status.containerStatuses[0].state.terminated).toMatchObject({ exitCode: 137 });
    }
    const nodeEvents = allEvents(c)
      .filter((e) => e.involvedObject.kind === 'Node' && e.involvedObject.name === 'worker-1')
      .map((e) => e.reason);
    expect(nodeEvents).toEqual(expect.arrayContaining(['NodeHasInsufficientMemory', 'EvictionThresholdMet']));
    c.driver.setNodePressure('worker-1', 'memory', false);
    clock.advance(10_000);
    expect(condition(node(c, 'worker-1'), 'MemoryPressure').status).toBe('False');
    expect(node(c, 'worker-1').spec.taints ?? []).toEqual([]);
    // The ReplicaSet replaced what was evicted.
    clock.advance(60_000);
    expect(
      (c.store.list('pods').items as Obj[]).filter(
        (p) => p.metadata.labels?.app === 'scraper' && p.status?.phase === 'Running',
      ),
    ).toHaveLength(6);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('taints a cordoned node unschedulable and keeps new pods off it', async () => {
    const { c, clock } = await steady();
    c.store.mutate('nodes', undefined, 'worker-1', (n) => ((n as Obj).spec.unschedulable = true));
    clock.advance(2_000);
    expect(node(c, 'worker-1').spec.taints).toEqual([
      expect.objectContaining({ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }),
    ]);
    for (let i = 0; i < 4; i++) {
      c.store.create('pods', {
        metadata: { name: `p${i}`, namespace: 'default' },
        spec: {
          containers: [{ name: 'c', image: 'docker.io/library/busybox:1.37', command: ['sleep', '3600'] }],
        },
      });
    }
    clock.advance(10_000);
    expect([0, 1, 2, 3].map((i) => (c.store.get('pods', 'default', `p${i}`) as Obj).spec.nodeName)).toEqual([
      'worker-2',
      'worker-2',
      'worker-2',
      'worker-2',
    ]);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });
});
