// The simulated kubelet on a manual clock: start-up sequence, crash loops with Kubernetes'
// back-off, OOM kills, probes, image and config errors, logs of the previous instance, and
// graceful deletion — checked against what a real kubelet writes.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

type Pod = KubeObject & { spec: Json; status?: Json };

async function steady(
  options: { eventSpamFilter?: boolean } = {},
): Promise<{ c: SimCluster; clock: ManualClock }> {
  const clock = new ManualClock();
  const c = new SimCluster({ scenario: 'steady', clock, ...options });
  await c.start();
  clock.flush();
  return { c, clock };
}

function runPod(
  c: SimCluster,
  name: string,
  container: Record<string, unknown>,
  spec: Record<string, unknown> = {},
): void {
  c.store.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'docker.io/library/busybox:1.37', ...container }], ...spec },
  });
}

const pod = (c: SimCluster, name: string): Pod => c.store.get('pods', 'default', name) as Pod;
const cs = (c: SimCluster, name: string): Json => pod(c, name)?.status?.containerStatuses?.[0];

function eventsFor(c: SimCluster, name: string): Json[] {
  return c.store
    .list('events', { namespace: 'default' })
    .items.filter((e: Json) => e.involvedObject.name === name)
    .sort((a: Json, b: Json) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
}

describe('simulated kubelet', () => {
  it('takes a pod from Pending through ContainerCreating to Running and Ready, with the real event sequence', async () => {
    const { c, clock } = await steady();
    const states: string[] = [];
    c.store.watch('pods', { namespace: 'default', resourceVersion: c.store.resourceVersion }, (e) => {
      const p = e.object as Pod;
      if (p.metadata.name !== 'web') return;
      const s = p.status?.containerStatuses?.[0];
      const label = !p.spec.nodeName
        ? 'Pending'
        : s?.state?.running
          ? `Running ready=${String(s.ready)}`
          : (s?.state?.waiting?.reason ?? p.status?.phase);
      if (states.at(-1) !== label) states.push(label);
    });
    // An image no node has pulled yet (the shop's nginx is already on every worker).
    runPod(c, 'web', {
      image: 'docker.io/library/httpd:2.4.62',
      ports: [{ containerPort: 80 }],
      readinessProbe: { httpGet: { path: '/', port: 80 }, periodSeconds: 5 },
    });
    clock.advanceUntil(() => cs(c, 'web')?.ready === true, { stepMs: 500, maxMs: 120_000 });
    expect(states).toEqual(['Pending', 'ContainerCreating', 'Running ready=false', 'Running ready=true']);
    const p = pod(c, 'web');
    expect(p.status).toMatchObject({
      phase: 'Running',
      qosClass: 'BestEffort',
      hostIP: expect.stringMatching(/^172\.18\./),
      podIP: expect.stringMatching(/^10\.24\d\./),
    });
    expect(p.status.conditions.map((x: Json) => `${x.type}=${x.status}`)).toEqual([
      'PodReadyToStartContainers=True',
      'Initialized=True',
      'Ready=True',
      'ContainersReady=True',
      'PodScheduled=True',
    ]);
    expect(cs(c, 'web')).toMatchObject({
      restartCount: 0,
      started: true,
      containerID: expect.stringMatching(/^containerd:\/\/[0-9a-f]{64}$/),
      imageID: expect.stringMatching(/^docker\.io\/library\/httpd@sha256:[0-9a-f]{64}$/),
    });
    const events = eventsFor(c, 'web');
    expect(events.map((e) => e.reason)).toEqual(['Scheduled', 'Pulling', 'Pulled', 'Created', 'Started']);
    expect(events[0]).toMatchObject({
      reportingComponent: 'default-scheduler',
      action: 'Binding',
      message: `Successfully assigned default/web to ${p.spec.nodeName}`,
    });
    expect(events[1]).toMatchObject({
      source: { component: 'kubelet', host: p.spec.nodeName },
      involvedObject: { fieldPath: 'spec.containers{app}', uid: p.metadata.uid },
    });
    expect(events[2].message).toMatch(
      /^Successfully pulled image "docker\.io\/library\/httpd:2\.4\.62" in [\d.]+s \([\d.]+s including waiting\)\. Image size: \d+ bytes\.$/,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('runs init containers one after another before the app container', async () => {
    const { c, clock } = await steady();
    runPod(
      c,
      'inits',
      {},
      {
        initContainers: [
          {
            name: 'wait-db',
            image: 'docker.io/library/busybox:1.37',
            command: ['sh', '-c', 'echo waiting; sleep 3'],
          },
          {
            name: 'migrate',
            image: 'docker.io/library/busybox:1.37',
            command: ['sh', '-c', 'echo migrating; sleep 2'],
          },
        ],
        containers: [{ name: 'app', image: 'docker.io/library/nginx:1.27.3' }],
      },
    );
    const seen = new Set<string>();
    clock.advanceUntil(
      () => {
        const p = pod(c, 'inits');
        const inits = p?.status?.initContainerStatuses ?? [];
        seen.add(inits.map((s: Json) => Object.keys(s.state)[0]).join(','));
        return p?.status?.phase === 'Running';
      },
      { stepMs: 200, maxMs: 120_000 },
    );
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'waiting,waiting',
        'running,waiting',
        'terminated,running',
        'terminated,terminated',
      ]),
    );
    expect(seen.has('running,running')).toBe(false);
    const p = pod(c, 'inits');
    expect(p.status.initContainerStatuses.map((s: Json) => s.state.terminated.reason)).toEqual([
      'Completed',
      'Completed',
    ]);
    expect(c.logs.lines('default', 'inits', 'migrate', false)?.map((l) => l.text)).toEqual(['migrating']);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('restarts a crashing container with back-off 10 s, 20 s, 40 s … and shows CrashLoopBackOff in between', async () => {
    const { c, clock } = await steady({ eventSpamFilter: false });
    runPod(c, 'crashy', {
      command: ['sh', '-c', 'echo "starting worker"; echo "panic: cannot reach queue"; exit 3'],
    });
    const waiting: string[] = [];
    const starts: number[] = [];
    c.store.watch('pods', { namespace: 'default', resourceVersion: c.store.resourceVersion }, (e) => {
      const s = (e.object as Pod).status?.containerStatuses?.[0];
      if (e.object.metadata.name !== 'crashy' || !s) return;
      if (s.state.running && starts.length === s.restartCount)
        starts.push(Date.parse(s.state.running.startedAt));
      const msg = s.state.waiting?.message as string | undefined;
      if (s.state.waiting?.reason === 'CrashLoopBackOff' && waiting.at(-1) !== msg) waiting.push(msg!);
    });
    clock.advanceUntil(() => (cs(c, 'crashy')?.restartCount ?? 0) >= 5, {
      stepMs: 1_000,
      maxMs: 20 * 60_000,
    });
    const crashes = c.journal.crashes.filter((x) => x.pod === 'crashy').slice(0, 5);
    expect(crashes.map((x) => [x.restartCount, x.exitCode, x.reason])).toEqual([
      [0, 3, 'Error'],
      [1, 3, 'Error'],
      [2, 3, 'Error'],
      [3, 3, 'Error'],
      [4, 3, 'Error'],
    ]);
    // The first restart is immediate; then each waits its back-off (plus at most one pod-worker resync).
    const gaps = crashes.slice(0, 4).map((x, i) => starts[i + 1]! - x.at);
    expect(gaps[0]).toBeLessThan(5_000);
    [10_000, 20_000, 40_000].forEach((backoff, i) => {
      expect(gaps[i + 1]).toBeGreaterThanOrEqual(backoff - 1_000);
      expect(gaps[i + 1]).toBeLessThan(backoff + 18_000);
    });
    expect(waiting.map((m) => /back-off (\S+) /.exec(m)?.[1])).toEqual(
      ['10s', '20s', '40s', '1m20s'].slice(0, waiting.length),
    );
    expect(waiting[0]).toBe(
      `back-off 10s restarting failed container=app pod=crashy_default(${pod(c, 'crashy').metadata.uid})`,
    );
    // While it waits: the crash it waits after is lastState, with the restart count it ran under.
    clock.advanceUntil(() => cs(c, 'crashy')?.state?.waiting?.reason === 'CrashLoopBackOff', { stepMs: 500 });
    const s = cs(c, 'crashy');
    expect(s.lastState.terminated).toMatchObject({
      exitCode: 3,
      reason: 'Error',
      containerID: s.containerID,
    });
    expect(s.restartCount).toBe(c.journal.crashes.filter((x) => x.pod === 'crashy').at(-1)!.restartCount);
    expect(pod(c, 'crashy').status.phase).toBe('Running');
    const backoff = eventsFor(c, 'crashy').find((e) => e.reason === 'BackOff');
    expect(backoff.count).toBeGreaterThan(3);
    expect(backoff.message).toBe(
      `Back-off restarting failed container app in pod crashy_default(${pod(c, 'crashy').metadata.uid})`,
    );
    expect(eventsFor(c, 'crashy').find((e) => e.reason === 'Started').count).toBeGreaterThanOrEqual(5);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('serves the current and the previous instance logs as the kubelet does', async () => {
    const { c, clock } = await steady();
    runPod(c, 'logs', {
      command: ['sh', '-c', 'echo "hello from attempt"; sleep 1; echo "exiting now"; exit 1'],
    });
    clock.advanceUntil(() => cs(c, 'logs')?.state?.waiting?.reason === 'CrashLoopBackOff', {
      stepMs: 500,
      maxMs: 120_000,
    });
    const s = cs(c, 'logs');
    const previous = c.logs.lines('default', 'logs', 'app', true)!;
    expect(previous.map((l) => l.text)).toEqual(['hello from attempt', 'exiting now']);
    // In CrashLoopBackOff the current log is that same last instance.
    expect(c.logs.lines('default', 'logs', 'app', false)).toEqual(previous);
    clock.advanceUntil(() => cs(c, 'logs')?.state?.running && cs(c, 'logs').restartCount > s.restartCount, {
      stepMs: 500,
      maxMs: 120_000,
    });
    expect(c.logs.lines('default', 'logs', 'app', true)!.map((l) => l.text)).toEqual([
      'hello from attempt',
      'exiting now',
    ]);
    expect(c.logs.lines('default', 'logs', 'app', false)!.map((l) => l.text)).toEqual(['hello from attempt']);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('OOM-kills a container that outgrows its memory limit: OOMKilled, exit 137, an OOMKilling node event', async () => {
    const { c, clock } = await steady();
    c.driver.setBehaviour('ghcr.io/acme/leaky:1.0.0', {
      memoryLeakBytesPerSecond: 4 * 2 ** 20,
      logs: 'java',
    });
    runPod(c, 'leaky', {
      image: 'ghcr.io/acme/leaky:1.0.0',
      resources: { requests: { memory: '64Mi' }, limits: { memory: '128Mi' } },
    });
    clock.advanceUntil(() => cs(c, 'leaky')?.state?.running !== undefined, { stepMs: 500, maxMs: 120_000 });
    const usage = (): number => {
      const m = c.metrics.podMetrics('default').find((x) => x.metadata.name === 'leaky') as Json;
      return Number(String(m.containers[0].usage.memory).replace('Ki', '')) * 1024;
    };
    const before = usage();
    clock.advance(5_000);
    expect(usage()).toBeGreaterThan(before);
    clock.advanceUntil(() => c.journal.crashes.some((x) => x.pod === 'leaky'), {
      stepMs: 1_000,
      maxMs: 120_000,
    });
    expect(c.journal.crashes.find((x) => x.pod === 'leaky')).toMatchObject({
      reason: 'OOMKilled',
      exitCode: 137,
      restartCount: 0,
    });
    clock.advanceUntil(() => cs(c, 'leaky')?.lastState?.terminated !== undefined, { stepMs: 500 });
    expect(cs(c, 'leaky').lastState.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const node = pod(c, 'leaky').spec.nodeName;
    const oom = c.store
      .list('events', { namespace: 'default' })
      .items.find((e: Json) => e.reason === 'OOMKilling') as Json;
    expect(oom).toMatchObject({
      type: 'Warning',
      involvedObject: { kind: 'Node', name: node, uid: node },
      source: { component: 'kernel-monitor', host: node },
    });
    expect(oom.message).toMatch(
      /^Memory cgroup out of memory: Killed process \d+ \(java\) total-vm:\d+kB, anon-rss:\d+kB/,
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('restarts a container whose liveness probe fails three times: Unhealthy, Killing, exit 137', async () => {
    const { c, clock } = await steady({ eventSpamFilter: false });
    runPod(c, 'live', {
      image: 'docker.io/library/nginx:1.27.3',
      livenessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 10, failureThreshold: 3 },
    });
    clock.advanceUntil(() => cs(c, 'live')?.ready === true, { stepMs: 500, maxMs: 120_000 });
    expect(c.driver.failLiveness('default', 'live')).toBe(true);
    clock.advanceUntil(() => cs(c, 'live')?.restartCount === 1 && cs(c, 'live').state.running, {
      stepMs: 1_000,
      maxMs: 120_000,
    });
    const events = eventsFor(c, 'live');
    const unhealthy = events.find((e) => e.reason === 'Unhealthy');
    expect(unhealthy).toMatchObject({
      type: 'Warning',
      count: 3,
      message: 'Liveness probe failed: HTTP probe failed with statuscode: 500',
    });
    expect(events.find((e) => e.reason === 'Killing')).toMatchObject({
      message: 'Container app failed liveness probe, will be restarted',
    });
    expect(cs(c, 'live').lastState.terminated).toMatchObject({ exitCode: 137, reason: 'Error' });
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('cycles ErrImagePull and ImagePullBackOff for a missing image and starts once it exists', async () => {
    const { c, clock } = await steady({ eventSpamFilter: false });
    c.driver.breakImage('ghcr.io/acme/api:9.9.9');
    runPod(c, 'pull', { image: 'ghcr.io/acme/api:9.9.9' });
    const reasons = new Set<string>();
    clock.advanceUntil(
      () => {
        const r = cs(c, 'pull')?.state?.waiting?.reason;
        if (r) reasons.add(r);
        return (
          reasons.has('ImagePullBackOff') &&
          reasons.has('ErrImagePull') &&
          (eventsFor(c, 'pull').find((e) => e.reason === 'BackOff')?.count ?? 0) >= 2
        );
      },
      { stepMs: 1_000, maxMs: 300_000 },
    );
    expect(cs(c, 'pull').state.waiting.message ?? '').toMatch(/ghcr\.io\/acme\/api:9\.9\.9/);
    const failed = eventsFor(c, 'pull')
      .filter((e) => e.reason === 'Failed')
      .map((e) => e.message);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^Failed to pull image "ghcr\.io\/acme\/api:9\.9\.9": rpc error: code = NotFound desc = failed to pull and unpack image/,
        ),
        'Error: ErrImagePull',
        'Error: ImagePullBackOff',
      ]),
    );
    expect(eventsFor(c, 'pull').find((e) => e.reason === 'BackOff')).toMatchObject({
      type: 'Normal',
      message: 'Back-off pulling image "ghcr.io/acme/api:9.9.9"',
    });
    expect(pod(c, 'pull').status.phase).toBe('Pending');
    c.driver.fixImage('ghcr.io/acme/api:9.9.9');
    clock.advanceUntil(() => cs(c, 'pull')?.state?.running !== undefined, { stepMs: 1_000, maxMs: 600_000 });
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('reports CreateContainerConfigError until the referenced Secret exists', async () => {
    const { c, clock } = await steady();
    runPod(c, 'cfg', {
      image: 'docker.io/library/nginx:1.27.3',
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
    });
    clock.advanceUntil(() => cs(c, 'cfg')?.state?.waiting?.reason === 'CreateContainerConfigError', {
      stepMs: 500,
      maxMs: 120_000,
    });
    expect(cs(c, 'cfg').state.waiting.message).toBe('secret "db" not found');
    c.store.create('secrets', { metadata: { name: 'db', namespace: 'default' }, data: { user: 'YQ==' } });
    clock.advance(30_000);
    expect(cs(c, 'cfg').state.waiting.message).toBe("couldn't find key password in Secret default/db");
    c.store.mutate('secrets', 'default', 'db', (s) => ((s.data as Json).password = 'cA=='));
    clock.advanceUntil(() => cs(c, 'cfg')?.state?.running !== undefined, { stepMs: 1_000, maxMs: 120_000 });
    expect(eventsFor(c, 'cfg').find((e) => e.reason === 'Failed')?.message).toBe(
      'Error: secret "db" not found',
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('deletes a running pod gracefully: deletionTimestamp, Killing, then gone', async () => {
    const { c, clock } = await steady();
    runPod(c, 'bye', { image: 'docker.io/library/nginx:1.27.3' });
    clock.advanceUntil(() => cs(c, 'bye')?.state?.running !== undefined, { stepMs: 500, maxMs: 120_000 });
    const types: string[] = [];
    c.store.watch('pods', { namespace: 'default', resourceVersion: c.store.resourceVersion }, (e) => {
      if (e.object.metadata.name === 'bye')
        types.push(`${e.type}${e.object.metadata.deletionTimestamp ? ' (terminating)' : ''}`);
    });
    c.store.delete('pods', 'default', 'bye');
    expect(pod(c, 'bye').metadata.deletionTimestamp).toBeDefined();
    clock.advanceUntil(() => !pod(c, 'bye'), { stepMs: 200, maxMs: 60_000 });
    expect(types[0]).toBe('MODIFIED (terminating)');
    expect(types.at(-1)).toBe('DELETED (terminating)');
    expect(eventsFor(c, 'bye').find((e) => e.reason === 'Killing')?.message).toBe('Stopping container app');
    expect(c.journal.crashes.some((x) => x.pod === 'bye')).toBe(false);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('ends Never-restart pods Succeeded or Failed and does not restart them', async () => {
    const { c, clock } = await steady();
    runPod(c, 'ok', { command: ['sh', '-c', 'echo done'] }, { restartPolicy: 'Never' });
    runPod(c, 'bad', { command: ['sh', '-c', 'exit 2'] }, { restartPolicy: 'Never' });
    clock.advanceUntil(
      () => pod(c, 'ok')?.status?.phase === 'Succeeded' && pod(c, 'bad')?.status?.phase === 'Failed',
      { stepMs: 500, maxMs: 120_000 },
    );
    clock.advance(60_000);
    expect(cs(c, 'bad')).toMatchObject({
      restartCount: 0,
      state: { terminated: { exitCode: 2, reason: 'Error' } },
    });
    expect(pod(c, 'ok').status.conditions.find((x: Json) => x.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'PodCompleted',
    });
    expect(c.journal.crashes.filter((x) => x.pod === 'ok')).toHaveLength(0);
    expect(c.journal.crashes.filter((x) => x.pod === 'bad')).toHaveLength(1);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('flips readiness of a container whose readiness probe flaps, with Unhealthy events', async () => {
    const { c, clock } = await steady();
    c.driver.setBehaviour('ghcr.io/acme/flaky:1.0.0', {
      readinessFlap: { upMs: [5_000, 5_000], downMs: [10_000, 10_000] },
    });
    runPod(c, 'flaky', {
      image: 'ghcr.io/acme/flaky:1.0.0',
      readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 2, failureThreshold: 2 },
    });
    const readiness: boolean[] = [];
    c.store.watch('pods', { namespace: 'default', resourceVersion: c.store.resourceVersion }, (e) => {
      const s = (e.object as Pod).status?.containerStatuses?.[0];
      if (e.object.metadata.name === 'flaky' && s?.state?.running && readiness.at(-1) !== s.ready)
        readiness.push(s.ready);
    });
    clock.advance(120_000);
    expect(readiness.slice(0, 4)).toEqual([false, true, false, true]);
    expect(eventsFor(c, 'flaky').find((e) => e.reason === 'Unhealthy')?.message).toBe(
      'Readiness probe failed: HTTP probe failed with statuscode: 503',
    );
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });
});
