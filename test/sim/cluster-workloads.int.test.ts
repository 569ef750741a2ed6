// The simulated controllers on a manual clock: Deployments (rollout within maxSurge and
// maxUnavailable, scaling, progress deadline), StatefulSets, DaemonSets, Jobs, garbage
// collection, namespace deletion, PVC binding, Endpoints, NodePort allocation and the
// scheduler's FailedScheduling message.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import { ApiStatusError } from '../../src/sim/status-error.js';

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

function deployment(
  name: string,
  replicas: number,
  image = 'docker.io/library/nginx:1.27.3',
  extra: Record<string, unknown> = {},
): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            { name: 'web', image, readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 } },
          ],
        },
      },
      ...extra,
    },
  };
}

const get = (c: SimCluster, key: string, name: string, ns: string | undefined = 'default'): Obj =>
  c.store.get(key, ns, name) as Obj;
const podsOf = (c: SimCluster, app: string, ns = 'default'): Obj[] =>
  c.store.list('pods', { namespace: ns }).items.filter((p) => p.metadata.labels?.app === app) as Obj[];
const ready = (p: Obj): boolean =>
  p.status?.conditions?.some((x: Json) => x.type === 'Ready' && x.status === 'True') ?? false;
const events = (c: SimCluster, ns = 'default'): Json[] =>
  c.store
    .list('events', { namespace: ns })
    .items.sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));

function statusOf(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiStatusError) return error;
    throw error;
  }
  throw new Error('expected a Status error');
}

describe('simulated controllers', () => {
  it('rolls a Deployment out through a ReplicaSet with pod-template-hash and revision, then reports it available', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', deployment('web', 3));
    clock.advanceUntil(() => get(c, 'apps/deployments', 'web').status?.availableReplicas === 3, {
      stepMs: 500,
      maxMs: 180_000,
    });
    const d = get(c, 'apps/deployments', 'web');
    const rss = c.store
      .list('apps/replicasets', { namespace: 'default' })
      .items.filter((r) => r.metadata.name?.startsWith('web-')) as Obj[];
    expect(rss).toHaveLength(1);
    const rs = rss[0]!;
    const hash = rs.metadata.labels!['pod-template-hash']!;
    expect(rs.metadata.name).toBe(`web-${hash}`);
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    expect(rs.metadata.annotations).toMatchObject({
      'deployment.kubernetes.io/revision': '1',
      'deployment.kubernetes.io/desired-replicas': '3',
    });
    expect(rs.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true }),
    ]);
    const pods = podsOf(c, 'web');
    expect(pods).toHaveLength(3);
    for (const p of pods) {
      expect(p.metadata.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(p.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'ReplicaSet', uid: rs.metadata.uid });
    }
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
    });
    expect(d.status.conditions.map((x: Json) => `${x.type}=${x.status}/${x.reason}`)).toEqual([
      'Available=True/MinimumReplicasAvailable',
      'Progressing=True/NewReplicaSetAvailable',
    ]);
    const reasons = events(c).map((e) => `${e.involvedObject.kind}/${e.reason}`);
    expect(reasons).toContain('Deployment/ScalingReplicaSet');
    expect(reasons.filter((r) => r === 'ReplicaSet/SuccessfulCreate')).toHaveLength(3);
    expect(events(c).find((e) => e.reason === 'ScalingReplicaSet').message).toBe(
      `Scaled up replica set web-${hash} to 3 from 0`,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('updates a Deployment within maxSurge and maxUnavailable and scales the old ReplicaSet to zero', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', deployment('roll', 4));
    clock.advanceUntil(() => get(c, 'apps/deployments', 'roll').status?.availableReplicas === 4, {
      stepMs: 500,
      maxMs: 180_000,
    });
    c.store.mutate(
      'apps/deployments',
      'default',
      'roll',
      (d) => ((d as Obj).spec.template.spec.containers[0].image = 'docker.io/library/nginx:1.27.4'),
    );
    let maxPods = 0;
    let minAvailable = Infinity;
    clock.advanceUntil(
      () => {
        const live = podsOf(c, 'roll').filter((p) => !p.metadata.deletionTimestamp);
        maxPods = Math.max(maxPods, live.length);
        minAvailable = Math.min(minAvailable, live.filter(ready).length);
        const d = get(c, 'apps/deployments', 'roll');
        return (
          d.status?.updatedReplicas === 4 && d.status?.availableReplicas === 4 && d.status?.replicas === 4
        );
      },
      { stepMs: 250, maxMs: 300_000 },
    );
    expect(maxPods).toBeLessThanOrEqual(5); // 4 + maxSurge 25%
    expect(minAvailable).toBeGreaterThanOrEqual(3); // 4 - maxUnavailable 25%
    const rss = (c.store.list('apps/replicasets', { namespace: 'default' }).items as Obj[]).filter((r) =>
      r.metadata.name?.startsWith('roll-'),
    );
    expect(
      rss.map((r) => [r.metadata.annotations!['deployment.kubernetes.io/revision'], r.spec.replicas]).sort(),
    ).toEqual([
      ['1', 0],
      ['2', 4],
    ]);
    expect(
      get(c, 'apps/deployments', 'roll').metadata.annotations!['deployment.kubernetes.io/revision'],
    ).toBe('2');
    expect(get(c, 'apps/deployments', 'roll').metadata.generation).toBe(2);
    expect(events(c).some((e) => /^Scaled down replica set roll-\w+ to 0 from 1$/.test(e.message))).toBe(
      true,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('scales through spec.replicas, deleting surplus pods with SuccessfulDelete', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', deployment('scale', 2));
    clock.advanceUntil(() => get(c, 'apps/deployments', 'scale').status?.availableReplicas === 2, {
      stepMs: 500,
      maxMs: 180_000,
    });
    c.store.mutate('apps/deployments', 'default', 'scale', (d) => ((d as Obj).spec.replicas = 5));
    clock.advanceUntil(() => get(c, 'apps/deployments', 'scale').status?.availableReplicas === 5, {
      stepMs: 500,
      maxMs: 180_000,
    });
    c.store.mutate('apps/deployments', 'default', 'scale', (d) => ((d as Obj).spec.replicas = 1));
    clock.advanceUntil(() => podsOf(c, 'scale').length === 1, { stepMs: 500, maxMs: 180_000 });
    expect(
      events(c).filter((e) => e.reason === 'SuccessfulDelete' && e.involvedObject.kind === 'ReplicaSet'),
    ).toHaveLength(4);
    expect(events(c).some((e) => /^Scaled down replica set scale-\w+ to 1 from 5$/.test(e.message))).toBe(
      true,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('marks a stuck rollout ProgressDeadlineExceeded once the deadline passes', async () => {
    const { c, clock } = await steady();
    c.driver.breakImage('ghcr.io/acme/never:1.0');
    c.store.create(
      'apps/deployments',
      deployment('stuck', 1, 'ghcr.io/acme/never:1.0', { progressDeadlineSeconds: 60 }),
    );
    clock.advance(30_000);
    expect(
      get(c, 'apps/deployments', 'stuck').status.conditions.find((x: Json) => x.type === 'Progressing')
        .status,
    ).toBe('True');
    clock.advance(60_000);
    expect(
      get(c, 'apps/deployments', 'stuck').status.conditions.find((x: Json) => x.type === 'Progressing'),
    ).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
      message: expect.stringMatching(/^ReplicaSet "stuck-\w+" has timed out progressing\.$/),
    });
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('creates StatefulSet pods in order, each after the one before is Ready, with a bound claim per ordinal', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/statefulsets', {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        replicas: 3,
        serviceName: 'db',
        selector: { matchLabels: { app: 'db' } },
        template: {
          metadata: { labels: { app: 'db' } },
          spec: { containers: [{ name: 'pg', image: 'docker.io/library/postgres:16.6' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    const order: string[] = [];
    const createdBeforeReady: string[] = [];
    c.store.watch('pods', { namespace: 'default', resourceVersion: c.store.resourceVersion }, (e) => {
      if (e.type !== 'ADDED' || !e.object.metadata.name?.startsWith('db-')) return;
      if (!order.every((n) => ready(get(c, 'pods', n)))) createdBeforeReady.push(e.object.metadata.name);
      order.push(e.object.metadata.name);
    });
    clock.advanceUntil(() => get(c, 'apps/statefulsets', 'db').status?.readyReplicas === 3, {
      stepMs: 500,
      maxMs: 300_000,
    });
    expect(order).toEqual(['db-0', 'db-1', 'db-2']);
    expect(createdBeforeReady).toEqual([]);
    const pvcs = (c.store.list('persistentvolumeclaims', { namespace: 'default' }).items as Obj[]).map(
      (p) => [p.metadata.name, p.status?.phase],
    );
    expect(pvcs).toEqual([
      ['data-db-0', 'Bound'],
      ['data-db-1', 'Bound'],
      ['data-db-2', 'Bound'],
    ]);
    expect(get(c, 'pods', 'db-1').spec.volumes).toEqual(
      expect.arrayContaining([{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-1' } }]),
    );
    expect(get(c, 'pods', 'db-1').metadata.labels).toMatchObject({
      'statefulset.kubernetes.io/pod-name': 'db-1',
      'apps.kubernetes.io/pod-index': '1',
    });
    expect(events(c).some((e) => e.message === 'create Pod db-0 in StatefulSet db successful')).toBe(true);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('runs one DaemonSet pod per node that allows it, and a new one when a node joins', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/daemonsets', {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'agent', namespace: 'default' },
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: {
          metadata: { labels: { app: 'agent' } },
          spec: { containers: [{ name: 'agent', image: 'docker.io/fluent/fluent-bit:3.2' }] },
        },
      },
    });
    clock.advanceUntil(() => get(c, 'apps/daemonsets', 'agent').status?.numberReady === 2, {
      stepMs: 500,
      maxMs: 120_000,
    });
    // Two workers; the control plane's NoSchedule taint is not tolerated.
    expect(get(c, 'apps/daemonsets', 'agent').status).toMatchObject({
      desiredNumberScheduled: 2,
      currentNumberScheduled: 2,
      numberMisscheduled: 0,
      numberAvailable: 2,
    });
    expect(
      podsOf(c, 'agent')
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(['worker-1', 'worker-2']);
    c.kit.node({ name: 'worker-3' });
    clock.advanceUntil(() => get(c, 'apps/daemonsets', 'agent').status?.numberReady === 3, {
      stepMs: 500,
      maxMs: 120_000,
    });
    expect(
      podsOf(c, 'agent')
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(['worker-1', 'worker-2', 'worker-3']);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('completes a Job, and fails one that keeps failing once it passes backoffLimit', async () => {
    const { c, clock } = await steady();
    const job = (name: string, script: string, backoffLimit: number): KubeObject => ({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: 'default' },
      spec: {
        backoffLimit,
        template: {
          spec: {
            restartPolicy: 'Never',
            containers: [
              { name: 'job', image: 'docker.io/library/busybox:1.37', command: ['sh', '-c', script] },
            ],
          },
        },
      },
    });
    c.store.create('batch/jobs', job('pi', 'echo 3.14159; sleep 5', 6));
    c.store.create('batch/jobs', job('broken', 'echo oops; exit 1', 2));
    const done = (name: string, type: string): boolean =>
      get(c, 'batch/jobs', name)?.status?.conditions?.some(
        (x: Json) => x.type === type && x.status === 'True',
      ) ?? false;
    clock.advanceUntil(() => done('pi', 'Complete') && done('broken', 'Failed'), {
      stepMs: 1_000,
      maxMs: 600_000,
    });
    expect(get(c, 'batch/jobs', 'pi').status).toMatchObject({
      succeeded: 1,
      completionTime: expect.any(String),
      startTime: expect.any(String),
    });
    expect(get(c, 'batch/jobs', 'broken').status).toMatchObject({ failed: 3 });
    expect(
      get(c, 'batch/jobs', 'broken').status.conditions.find((x: Json) => x.type === 'Failed'),
    ).toMatchObject({
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    });
    const reasons = events(c)
      .filter((e) => e.involvedObject.kind === 'Job')
      .map((e) => `${e.involvedObject.name}/${e.reason}`);
    expect(reasons).toEqual(
      expect.arrayContaining(['pi/SuccessfulCreate', 'pi/Completed', 'broken/BackoffLimitExceeded']),
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('garbage-collects a deleted Deployment’s ReplicaSets and pods', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', deployment('gc', 2));
    clock.advanceUntil(() => get(c, 'apps/deployments', 'gc').status?.availableReplicas === 2, {
      stepMs: 500,
      maxMs: 180_000,
    });
    c.store.delete('apps/deployments', 'default', 'gc');
    clock.advanceUntil(() => podsOf(c, 'gc').length === 0, { stepMs: 500, maxMs: 120_000 });
    expect(
      c.store
        .list('apps/replicasets', { namespace: 'default' })
        .items.filter((r) => r.metadata.name?.startsWith('gc-')),
    ).toHaveLength(0);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('deletes everything in a deleted namespace, then the namespace itself', async () => {
    const { c, clock } = await steady();
    clock.advance(1_000);
    expect(c.store.list('pods', { namespace: 'shop' }).items.length).toBeGreaterThan(10);
    c.store.delete('namespaces', undefined, 'shop');
    clock.advance(1_000);
    expect((c.store.get('namespaces', undefined, 'shop') as Obj).status.phase).toBe('Terminating');
    clock.advanceUntil(() => !c.store.get('namespaces', undefined, 'shop'), {
      stepMs: 1_000,
      maxMs: 300_000,
    });
    for (const key of [
      'pods',
      'apps/deployments',
      'apps/replicasets',
      'services',
      'endpoints',
      'persistentvolumeclaims',
      'apps/statefulsets',
    ]) {
      expect(c.store.list(key, { namespace: 'shop' }).items).toHaveLength(0);
    }
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('binds claims on known storage classes and leaves others Pending with a repeating ProvisioningFailed', async () => {
    const { c, clock } = await steady();
    const claim = (name: string, cls?: string): KubeObject => ({
      metadata: { name, namespace: 'default' },
      spec: {
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '5Gi' } },
        ...(cls ? { storageClassName: cls } : {}),
      },
    });
    c.store.create('persistentvolumeclaims', claim('ok'));
    c.store.create('persistentvolumeclaims', claim('nope', 'fast-ssd'));
    clock.advance(60_000);
    expect(get(c, 'persistentvolumeclaims', 'ok')).toMatchObject({
      spec: { volumeName: expect.stringMatching(/^pvc-/) },
      status: { phase: 'Bound', capacity: { storage: '5Gi' } },
    });
    expect(get(c, 'persistentvolumeclaims', 'nope').status.phase).toBe('Pending');
    const failed = events(c).find((e) => e.reason === 'ProvisioningFailed');
    expect(failed).toMatchObject({
      type: 'Warning',
      message: 'storageclass.storage.k8s.io "fast-ssd" not found',
    });
    expect(failed.count).toBeGreaterThan(2);
    expect(
      events(c)
        .filter((e) => e.involvedObject.name === 'ok')
        .map((e) => e.reason),
    ).toEqual(['ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('keeps Endpoints in step with pod readiness', async () => {
    const { c, clock } = await steady();
    c.store.create('apps/deployments', deployment('ep', 2));
    c.store.create('services', {
      metadata: { name: 'ep', namespace: 'default' },
      spec: { selector: { app: 'ep' }, ports: [{ port: 80 }] },
    });
    clock.advanceUntil(
      () => ((get(c, 'endpoints', 'ep') as Json)?.subsets?.[0]?.addresses?.length ?? 0) === 2,
      { stepMs: 500, maxMs: 180_000 },
    );
    const ep = get(c, 'endpoints', 'ep') as Json;
    const ips = podsOf(c, 'ep')
      .map((p) => p.status.podIP)
      .sort();
    expect(ep.subsets[0].addresses.map((a: Json) => a.ip).sort()).toEqual(ips);
    expect(ep.subsets[0].addresses[0].targetRef).toMatchObject({ kind: 'Pod', namespace: 'default' });
    expect(ep.subsets[0].ports).toEqual([{ port: 80, protocol: 'TCP' }]);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('allocates NodePorts in 30000–32767 and refuses a taken port with 422 on spec.ports[i].nodePort', async () => {
    const { c } = await steady();
    const svc = (name: string, nodePort?: number): KubeObject => ({
      metadata: { name, namespace: 'default' },
      spec: {
        type: 'NodePort',
        selector: { app: name },
        ports: [{ name: 'http', port: 80, ...(nodePort ? { nodePort } : {}) }],
      },
    });
    const a = c.store.create('services', svc('a')) as Obj;
    const port = a.spec.ports[0].nodePort as number;
    expect(port).toBeGreaterThanOrEqual(30000);
    expect(port).toBeLessThanOrEqual(32767);
    const b = c.store.create('services', svc('b', 31234)) as Obj;
    expect(b.spec.ports[0].nodePort).toBe(31234);
    const err = statusOf(() => c.store.create('services', svc('c', 31234)));
    expect(err.code).toBe(422);
    expect(err.reason).toBe('Invalid');
    expect(err.message).toBe(
      'Service "c" is invalid: spec.ports[0].nodePort: Invalid value: 31234: provided port is already allocated',
    );
    expect(err.details?.causes).toEqual([
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: 31234: provided port is already allocated',
        field: 'spec.ports[0].nodePort',
      },
    ]);
    // The ingress controller's fixed 30080 from the scenario is taken too.
    expect(statusOf(() => c.store.create('services', svc('d', 30080))).code).toBe(422);
    expect(statusOf(() => c.store.create('services', svc('e', 80))).message).toMatch(
      /provided port is not in the valid range\. The range of valid ports is 30000-32767$/,
    );
    // An update keeps the allocated port; deleting frees it.
    const updated = c.store.mutate(
      'services',
      'default',
      'a',
      (s) => ((s as Obj).spec.ports = [{ name: 'http', port: 80 }]),
    ) as Obj;
    expect(updated.spec.ports[0].nodePort).toBe(port);
    c.store.delete('services', 'default', 'b');
    expect((c.store.create('services', svc('f', 31234)) as Obj).spec.ports[0].nodePort).toBe(31234);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('explains in the real message shape why a pod fits nowhere, and binds it once a node can hold it', async () => {
    const { c, clock } = await steady();
    c.store.create('pods', {
      metadata: { name: 'huge', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'docker.io/library/busybox:1.37',
            resources: { requests: { cpu: '12', memory: '1Gi' } },
          },
        ],
      },
    });
    clock.advance(5_000);
    const scheduled = get(c, 'pods', 'huge').status.conditions.find((x: Json) => x.type === 'PodScheduled');
    const message =
      '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect(scheduled).toMatchObject({ status: 'False', reason: 'Unschedulable', message });
    const failed = events(c).find((e) => e.reason === 'FailedScheduling');
    expect(failed).toMatchObject({
      type: 'Warning',
      message,
      action: 'Scheduling',
      reportingComponent: 'default-scheduler',
    });
    c.kit.node({ name: 'big-1', cpu: 16, memoryGi: 64 });
    clock.advanceUntil(() => get(c, 'pods', 'huge').spec.nodeName === 'big-1', {
      stepMs: 500,
      maxMs: 60_000,
    });
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });
});
