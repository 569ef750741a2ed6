// The real kubectl against the simulated API server in front of a real simulated cluster (the
// `crashloop` scenario on a manual clock, so nothing moves while kubectl reads): the newest
// binary on this machine (through the image's dispatcher, which picks the kubectl matching the
// server's version) and Debian's 1.20. Output is checked for real columns and for values that
// match the cluster's own state, not only exit codes.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';
import { KubectlSession, kubectl120, newestKubectl, type KubectlBinary } from '../support/kubectl.js';

interface RequestLine {
  method: string;
  path: string;
  query: string;
  contentType?: string;
  status: number;
}

interface ContainerStatus {
  name: string;
  restartCount: number;
  state: { waiting?: { reason: string }; terminated?: { reason: string }; running?: object };
  lastState: { terminated?: { reason: string; exitCode: number } };
}

const DEPLOY = (replicas: number, mode: string): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo
  namespace: default
  labels: { app: demo }
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: demo }
  template:
    metadata:
      labels: { app: demo }
    spec:
      containers:
        - name: web
          image: docker.io/library/nginx:1.27.3
          ports: [{ containerPort: 80 }]
          env: [{ name: MODE, value: ${mode} }]
---
apiVersion: v1
kind: Service
metadata:
  name: demo
  namespace: default
spec:
  type: NodePort
  selector: { app: demo }
  ports:
    - port: 80
      targetPort: 80
`;

/** Splits a kubectl table into rows of cells (columns are separated by 2+ spaces). */
function table(text: string): string[][] {
  return text
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s{2,}/));
}

const binaries: Array<{ label: string; binary: KubectlBinary | undefined; minor: string }> = [
  { label: 'newest kubectl (dispatcher → 1.33)', binary: newestKubectl(), minor: '33' },
  { label: "Debian's kubectl 1.20", binary: kubectl120(), minor: '32' },
];

for (const { label, binary, minor } of binaries) {
  if (!binary) {
    describe.skip(`${label}: not installed (set KUBECTL_120 or put it at .ci/bin/kubectl)`, () => {
      it('is skipped', () => undefined);
    });
    continue;
  }

  describe(`kubectl against the simulated cluster (crashloop scenario): ${label}`, () => {
    let clock: ManualClock;
    let cluster: SimCluster;
    let server: SimServer;
    let kubectl: KubectlSession;
    const requests: RequestLine[] = [];

    const pods = (ns: string, prefix: string): KubeObject[] =>
      cluster.store.list('pods', { namespace: ns }).items.filter((p) => p.metadata.name?.startsWith(prefix));
    const statusOf = (pod: KubeObject): ContainerStatus =>
      (pod.status as { containerStatuses: ContainerStatus[] }).containerStatuses[0]!;
    const replicas = (name: string): number =>
      (cluster.store.get('apps/deployments', 'default', name)?.spec as { replicas: number }).replicas;

    beforeAll(async () => {
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          for (const line of chunk.toString().split('\n')) {
            if (!line) continue;
            const parsed = JSON.parse(line) as { msg?: string } & RequestLine;
            if (parsed.msg === 'request') requests.push(parsed);
          }
          done();
        },
      });
      // The simulated time starts now, so kubectl's own age arithmetic agrees with the server's.
      clock = new ManualClock(Date.now());
      cluster = new SimCluster({ scenario: 'crashloop', seed: 11, clock });
      await cluster.start();
      clock.advance(120_000); // two minutes: every crashing container has restarted a few times
      server = await startSimServer({
        store: cluster.store,
        logs: cluster.logs,
        metrics: cluster.metrics,
        version: { major: '1', minor, gitVersion: `v1.${minor}.1` },
        log: pino({ level: 'debug' }, sink),
      });
      kubectl = await KubectlSession.create(binary, server.kubeconfig());
    });

    afterAll(async () => {
      await kubectl?.dispose();
      await server?.close();
      await cluster?.stop();
    });

    it('get pods -A prints the server-side table with the cluster crash state', async () => {
      const rows = table(await kubectl.ok(['get', 'pods', '-A']));
      expect(rows[0]).toEqual(['NAMESPACE', 'NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE']);
      const byName = new Map(rows.slice(1).map((r) => [r[1], r]));
      expect(byName.size).toBe(cluster.store.count('pods'));
      for (const pod of cluster.store.list('pods', { namespace: 'kube-system' }).items) {
        expect(byName.get(pod.metadata.name)?.slice(2, 5)).toEqual(['1/1', 'Running', '0']);
      }
      const api = pods('payments', 'payments-api-');
      expect(api).toHaveLength(2);
      for (const pod of api) {
        const status = statusOf(pod);
        const row = byName.get(pod.metadata.name)!;
        expect(row[0]).toBe('payments');
        expect(row[2]).toBe('0/1');
        expect(row[3]).toBe(status.state.waiting?.reason ?? status.state.terminated?.reason);
        expect(['CrashLoopBackOff', 'Error']).toContain(row[3]);
        expect(status.restartCount).toBeGreaterThanOrEqual(2);
        expect(row[4]).toMatch(new RegExp(`^${status.restartCount} \\(\\d+s ago\\)$`));
        expect(row[5]).toBe('2m');
      }
    });

    it('get pods -o wide adds the priority-1 columns', async () => {
      const rows = table(await kubectl.ok(['get', 'pods', '-n', 'default', '-o', 'wide']));
      expect(rows[0]).toEqual([
        'NAME',
        'READY',
        'STATUS',
        'RESTARTS',
        'AGE',
        'IP',
        'NODE',
        'NOMINATED NODE',
        'READINESS GATES',
      ]);
      for (const pod of pods('default', 'web-')) {
        const spec = pod.spec as { nodeName: string };
        const status = pod.status as { podIP: string };
        expect(rows.find((r) => r[0] === pod.metadata.name)?.slice(5)).toEqual([
          status.podIP,
          spec.nodeName,
          '<none>',
          '<none>',
        ]);
      }
    });

    it('get pods -n payments -o json returns the raw pods', async () => {
      const list = JSON.parse(await kubectl.ok(['get', 'pods', '-n', 'payments', '-o', 'json'])) as {
        kind: string;
        items: Array<{
          kind: string;
          apiVersion: string;
          metadata: { name: string; uid: string };
          spec: Record<string, unknown>;
        }>;
      };
      expect(list.kind).toBe('List');
      expect(list.items.map((p) => p.metadata.name)).toEqual(
        pods('payments', '').map((p) => p.metadata.name),
      );
      for (const pod of list.items) {
        expect(pod).toMatchObject({ kind: 'Pod', apiVersion: 'v1' });
        expect(pod.spec).toMatchObject({
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
        });
      }
    });

    it('get events -A shows the BackOff warnings of the crashing pods', async () => {
      const rows = table(await kubectl.ok(['get', 'events', '-A']));
      expect(rows[0]).toEqual(['NAMESPACE', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      const pod = pods('payments', 'payments-api-')[0]!;
      const backoff = rows.find((r) => r[3] === 'BackOff' && r[4] === `pod/${pod.metadata.name}`);
      expect(backoff?.slice(0, 3)).toEqual(['payments', expect.stringMatching(/^\d+s$/), 'Warning']);
      expect(backoff?.[5]).toBe(
        `Back-off restarting failed container api in pod ${pod.metadata.name}_payments(${pod.metadata.uid})`,
      );
      expect(rows.some((r) => r[3] === 'ScalingReplicaSet' && r[4] === 'deployment/payments-api')).toBe(true);
    });

    it('describe pod shows the crash and the pod events found by field selector', async () => {
      const pod = pods('payments', 'payments-api-')[0]!;
      const status = statusOf(pod);
      const out = await kubectl.ok(['describe', 'pod', pod.metadata.name!, '-n', 'payments']);
      expect(out).toMatch(new RegExp(`^Name:\\s+${pod.metadata.name}$`, 'm'));
      expect(out).toMatch(new RegExp(`^Node:\\s+${(pod.spec as { nodeName: string }).nodeName}/`, 'm'));
      expect(out).toMatch(/Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
      expect(out).toMatch(new RegExp(`Restart Count:\\s+${status.restartCount}`));
      expect(out).toMatch(/Warning\s+BackOff\s+.*Back-off restarting failed container api/);
      expect(out).toMatch(/Normal\s+Scheduled\s+.*Successfully assigned payments\//);
      const eventQuery = requests.find(
        (r) => r.path === '/api/v1/namespaces/payments/events' && r.query.includes('fieldSelector'),
      );
      expect(decodeURIComponent(eventQuery?.query ?? '')).toContain(`involvedObject.uid=${pod.metadata.uid}`);
    });

    it('logs --previous prints the crashed instance, as the simulated kubelet kept it', async () => {
      const pod = pods('payments', 'payments-api-')[0]!;
      const expected = cluster.logs.lines('payments', pod.metadata.name!, 'api', true)!;
      expect(expected.length).toBeGreaterThan(0);
      const out = await kubectl.ok(['logs', pod.metadata.name!, '-n', 'payments', '--previous']);
      expect(out).toBe(expected.map((l) => `${l.text}\n`).join(''));
      expect(out).toMatch(/Exception/);
      const web = pods('default', 'web-')[0]!;
      const tail = await kubectl.ok(['logs', web.metadata.name!, '-n', 'default', '--tail=2']);
      const current = cluster.logs.lines('default', web.metadata.name!, 'nginx', false)!;
      expect(tail).toBe(
        current
          .slice(-2)
          .map((l) => `${l.text}\n`)
          .join(''),
      );
      const none = await kubectl.run(['logs', web.metadata.name!, '-n', 'default', '--previous']);
      expect(none.code).not.toBe(0);
      expect(none.stderr).toContain(
        `previous terminated container "nginx" in pod "${web.metadata.name}" not found`,
      );
    });

    it('top nodes and top pods -A read metrics.k8s.io and node allocatable', async () => {
      const nodes = table(await kubectl.ok(['top', 'nodes']));
      expect(nodes[0]?.slice(0, 3)).toEqual(['NAME', 'CPU(cores)', expect.stringMatching(/^CPU(%|\(%\))$/)]);
      expect(nodes.slice(1).map((r) => r[0])).toEqual(['control-plane', 'worker-1', 'worker-2']);
      for (const row of nodes.slice(1))
        expect(row.slice(1, 5)).toEqual([
          expect.stringMatching(/^\d+m$/),
          expect.stringMatching(/^\d+%$/),
          expect.stringMatching(/^\d+Mi$/),
          expect.stringMatching(/^\d+%$/),
        ]);
      const top = table(await kubectl.ok(['top', 'pods', '-A']));
      expect(top[0]).toEqual(['NAMESPACE', 'NAME', 'CPU(cores)', 'MEMORY(bytes)']);
      const web = pods('default', 'web-')[0]!;
      expect(top.find((r) => r[1] === web.metadata.name)).toEqual([
        'default',
        web.metadata.name,
        expect.stringMatching(/^\d+m$/),
        expect.stringMatching(/^\d+Mi$/),
      ]);
    });

    it('apply -f creates a Deployment and a NodePort Service, with client-side validation on', async () => {
      const out = await kubectl.ok(['apply', '-f', '-'], DEPLOY(2, 'blue'));
      expect(out).toBe('deployment.apps/demo created\nservice/demo created\n');
      expect(requests.some((r) => r.path === '/openapi/v2' && r.status === 200)).toBe(true);
      const svc = table(await kubectl.ok(['get', 'svc', 'demo', '-n', 'default']));
      expect(svc[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      expect(svc[1]?.slice(0, 5)).toEqual([
        'demo',
        'NodePort',
        expect.stringMatching(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/),
        '<none>',
        expect.stringMatching(/^80:3\d{4}\/TCP$/),
      ]);
      clock.advance(60_000); // the controllers and kubelets roll it out
      const deploy = table(await kubectl.ok(['get', 'deploy', 'demo', '-n', 'default']));
      expect(deploy[0]).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      expect(deploy[1]?.slice(0, 5)).toEqual(['demo', '2/2', '2', '2', '60s']);
    });

    it('apply -f with unknown fields is refused by validation against the served OpenAPI schemas', async () => {
      const bad = DEPLOY(2, 'blue').replace('  replicas: 2', '  replicas: 2\n  bogus: 1');
      const result = await kubectl.run(['apply', '-f', '-'], bad);
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('unknown field "bogus" in io.k8s.api.apps.v1.DeploymentSpec');
    });

    it('re-apply sends a strategic merge patch; the change rolls out', async () => {
      const before = requests.length;
      const out = await kubectl.ok(['apply', '-f', '-'], DEPLOY(3, 'green'));
      expect(out).toBe('deployment.apps/demo configured\nservice/demo unchanged\n');
      const patch = requests
        .slice(before)
        .find((r) => r.method === 'PATCH' && r.path === '/apis/apps/v1/namespaces/default/deployments/demo');
      expect(patch?.contentType).toBe('application/strategic-merge-patch+json');
      const d = cluster.store.get('apps/deployments', 'default', 'demo')!;
      const spec = d.spec as {
        replicas: number;
        template: { spec: { containers: Array<{ env: unknown[]; ports: unknown[] }> } };
      };
      expect(spec.replicas).toBe(3);
      expect(spec.template.spec.containers[0]!.env).toEqual([{ name: 'MODE', value: 'green' }]);
      expect(spec.template.spec.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
      expect(d.metadata.generation).toBe(2);
      clock.advance(120_000);
      expect(table(await kubectl.ok(['get', 'deploy', 'demo', '-n', 'default']))[1]?.slice(0, 4)).toEqual([
        'demo',
        '3/3',
        '3',
        '3',
      ]);
    });

    it('apply --server-side sends an apply patch and reports serverside-applied', async () => {
      const before = requests.length;
      const out = await kubectl.ok(['apply', '--server-side', '-f', '-'], DEPLOY(4, 'green'));
      expect(out).toBe('deployment.apps/demo serverside-applied\nservice/demo serverside-applied\n');
      const patch = requests
        .slice(before)
        .find((r) => r.method === 'PATCH' && r.path.endsWith('/deployments/demo'));
      expect(patch?.contentType).toBe('application/apply-patch+yaml');
      expect(patch?.query).toContain('fieldManager=kubectl');
      expect(replicas('demo')).toBe(4);
    });

    it('scale changes replicas through the scale subresource and the cluster follows', async () => {
      expect(await kubectl.ok(['scale', 'deployment', 'demo', '-n', 'default', '--replicas=5'])).toBe(
        'deployment.apps/demo scaled\n',
      );
      expect(requests.some((r) => r.path === '/apis/apps/v1/namespaces/default/deployments/demo/scale')).toBe(
        true,
      );
      expect(replicas('demo')).toBe(5);
      clock.advance(60_000);
      expect(table(await kubectl.ok(['get', 'deploy', 'demo', '-n', 'default']))[1]?.[1]).toBe('5/5');
    });

    it('get pods -w prints rows for changes made after it started', async () => {
      const child = kubectl.spawn(['get', 'pods', '-n', 'default', '-l', 'app=demo', '-w']);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      try {
        const rows = (): string[][] => table(out).slice(1);
        await expect.poll(() => rows().length, { timeout: 30_000 }).toBe(5); // the five pods of the list
        const before = new Set(rows().map((r) => r[0]));
        // Changes must come after kubectl has its watch open.
        await expect.poll(() => server.faults.state().openWatches, { timeout: 30_000 }).toBeGreaterThan(0);
        cluster.store.mutate(
          'apps/deployments',
          'default',
          'demo',
          (d) => ((d.spec as { replicas: number }).replicas = 6),
        );
        clock.advance(30_000);
        const added = (): string[][] => rows().filter((r) => !before.has(r[0]));
        await expect
          .poll(() => added().some((r) => r[1] === '1/1' && r[2] === 'Running'), { timeout: 30_000 })
          .toBe(true);
        // The new pod goes through its states one row at a time, each a watch event.
        expect(new Set(added().map((r) => r[0])).size).toBe(1);
        expect(added()[0]?.slice(1, 3)).toEqual(['0/1', 'Pending']);
        expect(out.match(/NAME\s+READY/g)).toHaveLength(1); // headers once: watch events carry rows only
      } finally {
        child.kill('SIGTERM');
      }
    });

    it('delete removes the Deployment; the cluster collects its ReplicaSet and pods', async () => {
      expect(await kubectl.ok(['delete', 'deployment', 'demo', '-n', 'default'])).toBe(
        'deployment.apps "demo" deleted\n',
      );
      expect(cluster.store.get('apps/deployments', 'default', 'demo')).toBeUndefined();
      clock.advance(120_000);
      expect(
        cluster.store
          .list('apps/replicasets', { namespace: 'default' })
          .items.filter((r) => r.metadata.name?.startsWith('demo-')),
      ).toEqual([]);
      const left = await kubectl.run(['get', 'pods', '-n', 'default', '-l', 'app=demo']);
      expect(`${left.stdout}${left.stderr}`).toContain('No resources found in default namespace.');
      const gone = await kubectl.run(['get', 'deployment', 'demo', '-n', 'default']);
      expect(gone.stderr).toContain('Error from server (NotFound): deployments.apps "demo" not found');
    });
  });
}
