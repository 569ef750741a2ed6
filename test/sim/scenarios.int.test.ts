// Every scenario starts and produces what it promises (on a manual clock), and the same seed
// replays the same cluster.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster, type ScenarioName } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import { RESOURCE_TYPES, resourceKey } from '../../src/sim/resources.js';
import { CRASHLOOP } from '../../src/sim/scenarios/crashloop.js';
import { IMAGEPULL } from '../../src/sim/scenarios/imagepull.js';
import { NODE_FAILURE } from '../../src/sim/scenarios/node-failure.js';
import { OOM } from '../../src/sim/scenarios/oom.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

type Obj = KubeObject & { spec: Json; status?: Json };

async function play(
  scenario: ScenarioName,
  ms: number,
  seed = 1,
): Promise<{ c: SimCluster; clock: ManualClock }> {
  const clock = new ManualClock();
  const c = new SimCluster({ scenario, clock, seed });
  await c.start();
  clock.advance(ms);
  return { c, clock };
}

const pods = (c: SimCluster, ns?: string): Obj[] => c.store.list('pods', { namespace: ns }).items as Obj[];
const events = (c: SimCluster, ns?: string): Json[] => c.store.list('events', { namespace: ns }).items;
const first = (p: Obj): Json => p.status?.containerStatuses?.[0];

function snapshot(c: SimCluster): string {
  const all: KubeObject[] = [];
  for (const t of RESOURCE_TYPES)
    if (!t.virtual && !t.viewOf) all.push(...c.store.list(resourceKey(t)).items);
  return JSON.stringify(all);
}

describe('scenarios', () => {
  it('steady: 3 nodes and about 40 healthy pods in 5 namespaces, and nothing fails for 10 minutes', async () => {
    const { c } = await play('steady', 10 * 60_000);
    expect(c.store.list('nodes').items).toHaveLength(3);
    const all = pods(c);
    expect(all.length).toBeGreaterThanOrEqual(35);
    expect(all.length).toBeLessThanOrEqual(45);
    expect(new Set(all.map((p) => p.metadata.namespace))).toEqual(
      new Set(['kube-system', 'shop', 'monitoring', 'ingress-nginx', 'default']),
    );
    const notRunning = all.filter((p) => p.status.phase !== 'Running');
    expect(notRunning.map((p) => `${p.metadata.name}:${p.status.phase}`)).toEqual([
      expect.stringMatching(/^db-backup-\d+-\w+:Succeeded$/),
    ]);
    expect(all.filter((p) => p.status.phase === 'Running').every((p) => first(p).ready)).toBe(true);
    expect(c.journal.crashes).toHaveLength(0);
    expect(events(c).filter((e) => e.type === 'Warning')).toHaveLength(0);
    expect(c.metrics.nodeMetrics()).toHaveLength(3);
    expect(c.metrics.podMetrics().length).toBe(all.length - 1);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('crashloop: containers exit with a stack trace and back off, BackOff events count up', async () => {
    const { c } = await play('crashloop', 4 * 60_000);
    const api = pods(c, CRASHLOOP.namespace).filter((p) => p.metadata.name!.startsWith(CRASHLOOP.api.name));
    expect(api).toHaveLength(2);
    for (const p of api) {
      expect(first(p).restartCount).toBeGreaterThanOrEqual(3);
      expect(first(p).lastState.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    }
    expect(api.some((p) => first(p).state.waiting?.reason === 'CrashLoopBackOff')).toBe(true);
    const migrate = pods(c, CRASHLOOP.namespace).find((p) => p.metadata.name === CRASHLOOP.migrate.name)!;
    expect(first(migrate).lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    const worker = pods(c, CRASHLOOP.namespace).find((p) =>
      p.metadata.name!.startsWith(CRASHLOOP.worker.name),
    )!;
    expect(first(worker).restartCount).toBeGreaterThanOrEqual(2);
    const previous = c.logs
      .lines(CRASHLOOP.namespace, api[0]!.metadata.name!, 'api', true)!
      .map((l) => l.text);
    expect(
      previous.some((l) => l.startsWith('Exception in thread "main" java.lang.IllegalStateException')),
    ).toBe(true);
    const backoff = events(c, CRASHLOOP.namespace).filter((e) => e.reason === 'BackOff');
    expect(backoff.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...backoff.map((e) => e.count))).toBeGreaterThan(3);
    expect(c.journal.crashes.length).toBeGreaterThan(8);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('oom: a container grows to its limit and is OOMKilled, with OOMKilling node events', async () => {
    const { c } = await play('oom', 4 * 60_000);
    const leaky = pods(c, OOM.namespace).filter((p) => p.metadata.name!.startsWith(OOM.leaky.name));
    expect(leaky).toHaveLength(2);
    for (const p of leaky) {
      expect(first(p).restartCount).toBeGreaterThanOrEqual(1);
      expect(first(p).lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
    }
    expect(c.journal.crashes.every((x) => x.reason === 'OOMKilled' && x.exitCode === 137)).toBe(true);
    expect(events(c, 'default').filter((e) => e.reason === 'OOMKilling').length).toBeGreaterThanOrEqual(1);
    const tight = pods(c, OOM.namespace).find((p) => p.metadata.name!.startsWith(OOM.tight.name))!;
    expect(first(tight).restartCount).toBe(0);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('imagepull: a rollout stuck on a missing tag, a denied image, a missing Secret and a Pending claim', async () => {
    const { c } = await play('imagepull', 12 * 60_000);
    const ns = IMAGEPULL.namespace;
    const checkout = pods(c, ns).filter((p) => p.metadata.name!.startsWith('checkout-'));
    const stuck = checkout.filter((p) => p.spec.containers[0].image === IMAGEPULL.checkout.bad);
    expect(stuck).toHaveLength(1);
    expect(['ImagePullBackOff', 'ErrImagePull']).toContain(first(stuck[0]!).state.waiting.reason);
    expect(
      checkout.filter((p) => p.spec.containers[0].image === IMAGEPULL.checkout.good && first(p).ready),
    ).toHaveLength(3);
    const d = c.store.get('apps/deployments', ns, 'checkout') as Obj;
    expect(d.status.conditions.find((x: Json) => x.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(d.status.conditions.find((x: Json) => x.type === 'Available')).toMatchObject({ status: 'True' });
    const reports = pods(c, ns).find((p) => p.metadata.name!.startsWith('reports-'))!;
    expect(['ImagePullBackOff', 'ErrImagePull']).toContain(first(reports).state.waiting.reason);
    expect(events(c, ns).some((e) => e.reason === 'Failed' && /pull access denied/.test(e.message))).toBe(
      true,
    );
    const mailer = pods(c, ns).find((p) => p.metadata.name!.startsWith('mailer-'))!;
    expect(first(mailer).state.waiting).toEqual({
      reason: 'CreateContainerConfigError',
      message: `secret "${IMAGEPULL.mailer.secret}" not found`,
    });
    expect((c.store.get('persistentvolumeclaims', ns, IMAGEPULL.claim.name) as Obj).status.phase).toBe(
      'Pending',
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('node-failure: a node goes NotReady and its pods are evicted and rescheduled; another evicts under pressure', async () => {
    const { c } = await play('node-failure', 7 * 60_000);
    const failing = c.store.get('nodes', undefined, NODE_FAILURE.failing) as Obj;
    expect(failing.status.conditions.find((x: Json) => x.type === 'Ready').status).toBe('Unknown');
    expect(failing.spec.taints.map((t: Json) => t.key)).toContain('node.kubernetes.io/unreachable');
    expect(pods(c).filter((p) => p.status?.reason === 'Evicted').length).toBeGreaterThanOrEqual(1);
    expect(events(c).some((e) => e.reason === 'TaintManagerEviction')).toBe(true);
    expect(events(c).some((e) => e.reason === 'NodeNotReady' && e.involvedObject.kind === 'Node')).toBe(true);
    const shop = pods(c, 'shop').filter(
      (p) => !p.metadata.deletionTimestamp && p.metadata.labels?.app === 'frontend',
    );
    expect(shop.filter((p) => p.status.phase === 'Running')).toHaveLength(4);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('hpa-load: php-apache scales to 4 under load', async () => {
    const { c } = await play('hpa-load', 75_000);
    expect((c.store.get('apps/deployments', 'default', 'php-apache') as Obj).spec.replicas).toBe(4);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('event-storm: thousands of event occurrences, most of them count bumps', async () => {
    const { c } = await play('event-storm', 60_000);
    const occurrences = c.journal.eventOccurrences;
    expect(occurrences.length).toBeGreaterThan(4_000);
    expect(occurrences.filter((o) => o.count > 1).length / occurrences.length).toBeGreaterThan(0.7);
    const all = events(c);
    expect(all.some((e) => e.reason === 'FailedScheduling')).toBe(true);
    expect(all.some((e) => e.reason === 'Unhealthy' && e.count > 1)).toBe(true);
    expect(all.some((e) => e.reason === 'BackOff')).toBe(true);
    // Every occurrence belongs to an Event object the store has (none expired within the hour).
    const uids = new Set(all.map((e) => e.metadata.uid));
    expect(occurrences.every((o) => uids.has(o.uid))).toBe(true);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('big: 1,000 nodes and 10,000 running pods', async () => {
    const clock = new ManualClock();
    const c = new SimCluster({ scenario: 'big', clock });
    await c.start();
    clock.advance(1_000);
    expect(c.store.count('nodes')).toBe(1000);
    const all = pods(c);
    expect(all.length).toBeGreaterThanOrEqual(10_000);
    expect(all.filter((p) => p.status.phase === 'Running').length).toBe(all.length);
    expect(new Set(all.map((p) => p.spec.nodeName)).size).toBe(1000);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  }, 120_000);

  it('mixed: crashes, OOMs, deploys, a bad rollout, HPA waves, a Job and node trouble within 40 minutes', async () => {
    const { c } = await play('mixed', 40 * 60_000);
    const reasons = new Set(c.journal.eventOccurrences.map((o) => o.reason));
    for (const r of [
      'BackOff',
      'ScalingReplicaSet',
      'SuccessfulRescale',
      'Completed',
      'OOMKilling',
      'Killing',
    ])
      expect(reasons).toContain(r);
    expect([...reasons].some((r) => r === 'NodeNotReady' || r === 'NodeHasInsufficientMemory')).toBe(true);
    expect(
      c.journal.eventOccurrences.some(
        (o) => o.message === 'Error: ErrImagePull' || o.message === 'Error: ImagePullBackOff',
      ),
    ).toBe(true);
    expect(c.journal.crashes.some((x) => x.reason === 'OOMKilled')).toBe(true);
    expect(c.journal.crashes.some((x) => x.reason === 'Error')).toBe(true);
    const revisions = (c.store.list('apps/replicasets', { namespace: 'shop' }).items as Obj[]).map((r) =>
      Number(r.metadata.annotations?.['deployment.kubernetes.io/revision']),
    );
    expect(Math.max(...revisions)).toBeGreaterThanOrEqual(2);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('replays the same cluster from the same seed, and another from another seed', async () => {
    const a = await play('crashloop', 3 * 60_000, 7);
    const b = await play('crashloop', 3 * 60_000, 7);
    const other = await play('crashloop', 3 * 60_000, 8);
    expect(snapshot(a.c)).toBe(snapshot(b.c));
    expect(JSON.stringify(a.c.journal.crashes)).toBe(JSON.stringify(b.c.journal.crashes));
    expect(snapshot(other.c)).not.toBe(snapshot(a.c));
    for (const x of [a, b, other]) await x.c.stop();
  });
});
