import { describe, expect, it } from 'vitest';
import { ObjectStore, type KubeObject } from '../object-store.js';
import { RESOURCE_TYPES } from '../resources.js';
import { ApiStatusError } from '../status-error.js';
import { defaultPullPolicy } from './defaults.js';
import { installAdmission } from './index.js';

function store(): ObjectStore {
  const s = new ObjectStore(RESOURCE_TYPES, { now: () => Date.UTC(2026, 10, 23, 12) });
  installAdmission(s);
  s.create('namespaces', { metadata: { name: 'default' } });
  return s;
}

function refused(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiStatusError) return error;
    throw error;
  }
  throw new Error('expected the write to be refused');
}

type Any = Record<string, unknown>;
const spec = (o: KubeObject): Any => o.spec as Any;

const template = (labels: Record<string, string>): Any => ({
  metadata: { labels },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
});

describe('defaulting', () => {
  it('fills pod spec, container and admission-plugin defaults and a Pending status', () => {
    const pod = store().create('pods', {
      metadata: { name: 'p' },
      spec: {
        containers: [
          {
            name: 'c',
            image: 'nginx',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '1', memory: '1Gi' } },
          },
        ],
      },
    });
    expect(spec(pod)).toMatchObject({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      enableServiceLinks: true,
      serviceAccountName: 'default',
      priority: 0,
      tolerations: [
        {
          key: 'node.kubernetes.io/not-ready',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
        {
          key: 'node.kubernetes.io/unreachable',
          operator: 'Exists',
          effect: 'NoExecute',
          tolerationSeconds: 300,
        },
      ],
    });
    const c = (spec(pod).containers as Any[])[0]!;
    expect(c).toMatchObject({
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
    });
    expect(pod.status).toEqual({ phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('picks imagePullPolicy from the image tag', () => {
    expect(defaultPullPolicy('nginx')).toBe('Always');
    expect(defaultPullPolicy('nginx:latest')).toBe('Always');
    expect(defaultPullPolicy('registry:5000/team/app:1.2')).toBe('IfNotPresent');
    expect(defaultPullPolicy('registry:5000/team/app')).toBe('Always');
    expect(defaultPullPolicy('nginx@sha256:abc')).toBe('IfNotPresent');
  });

  it('defaults deployments and their pod template, without pod-only admission fields', () => {
    const d = store().create('apps/deployments', {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, template: template({ app: 'd' }) },
    });
    expect(spec(d)).toMatchObject({
      replicas: 1,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { creationTimestamp: null },
        spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' },
      },
    });
    expect((spec(d).template as { spec: Any }).spec).not.toHaveProperty('serviceAccountName');
  });

  it('gives jobs a selector and template labels from their uid', () => {
    const job = store().create('batch/jobs', {
      metadata: { name: 'j' },
      spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } },
    });
    const uid = job.metadata.uid!;
    expect(spec(job)).toMatchObject({
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
      template: { metadata: { labels: { 'job-name': 'j', 'controller-uid': uid } } },
    });
  });

  it('marks namespaces Active with the kubernetes finalizer and name label', () => {
    const ns = store().create('namespaces', { metadata: { name: 'team-a' } });
    expect(ns).toMatchObject({
      metadata: { labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });
});

describe('service cluster IPs', () => {
  const svc = (name: string, extra: Any = {}): KubeObject => ({
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...extra },
  });

  it('allocates a stable address from 10.96.0.0/12 and fills service defaults', () => {
    const a = store().create('services', svc('web'));
    const b = store().create('services', svc('web'));
    expect(spec(a).clusterIP).toBe(spec(b).clusterIP);
    expect(spec(a).clusterIP).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
    expect(spec(a)).toMatchObject({
      type: 'ClusterIP',
      sessionAffinity: 'None',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      clusterIPs: [spec(a).clusterIP],
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    });
    expect(a.status).toEqual({ loadBalancer: {} });
  });

  it('refuses a requested address that is taken or out of range, and allows headless', () => {
    const s = store();
    s.create('services', svc('a', { clusterIP: '10.96.0.50' }));
    expect(refused(() => s.create('services', svc('b', { clusterIP: '10.96.0.50' })))).toMatchObject({
      code: 422,
      message: expect.stringContaining('provided IP is already allocated'),
    });
    expect(refused(() => s.create('services', svc('c', { clusterIP: '192.168.1.1' }))).message).toContain(
      'is not in the valid range. The range of valid IPs is 10.96.0.0/12',
    );
    expect(spec(s.create('services', svc('d', { clusterIP: 'None' }))).clusterIPs).toEqual(['None']);
    s.delete('services', 'default', 'a');
    expect(spec(s.create('services', svc('e', { clusterIP: '10.96.0.50' }))).clusterIP).toBe('10.96.0.50');
  });

  it('keeps the address on an update that leaves it out, and refuses changing it', () => {
    const s = store();
    const created = s.create('services', svc('web', { type: 'NodePort' }));
    const updated = s.update('services', {
      metadata: { name: 'web' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }] },
    });
    expect(spec(updated).clusterIP).toBe(spec(created).clusterIP);
    const err = refused(() =>
      s.mutate('services', 'default', 'web', (o) => ((o.spec as Any).clusterIP = '10.96.0.99')),
    );
    expect(err.message).toContain('spec.clusterIPs[0]: Invalid value');
    expect(err.message).toContain('may not change once set');
  });
});

describe('validation', () => {
  it('refuses a pod without containers or images with one cause per field', () => {
    const s = store();
    const err = refused(() => s.create('pods', { metadata: { name: 'p' }, spec: { containers: [] } }));
    expect(err).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Pod "p" is invalid: spec.containers: Required value',
    });
    const two = refused(() =>
      s.create('pods', {
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'a' }, { name: 'a', image: 'x' }] },
      }),
    );
    expect(two.message).toBe(
      'Pod "p" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: "a"]',
    );
    expect(two.details?.causes).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.containers[1].name' },
    ]);
  });

  it('refuses invalid names and labels', () => {
    const s = store();
    expect(
      refused(() =>
        s.create('pods', {
          metadata: { name: 'Bad_Name' },
          spec: { containers: [{ name: 'c', image: 'x' }] },
        }),
      ).message,
    ).toContain('metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    expect(
      refused(() => s.create('services', { metadata: { name: '1svc' }, spec: { ports: [{ port: 80 }] } }))
        .message,
    ).toContain('a DNS-1035 label');
    expect(
      refused(() => s.create('configmaps', { metadata: { name: 'c', labels: { app: 'has space' } } }))
        .message,
    ).toContain('metadata.labels: Invalid value: "has space"');
  });

  it('checks workloads: selector against template labels, replicas, restart policy, immutable selector', () => {
    const s = store();
    const mismatch = refused(() =>
      s.create('apps/deployments', {
        metadata: { name: 'd' },
        spec: { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'y' }) },
      }),
    );
    expect(mismatch.message).toBe(
      'Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    );
    expect(mismatch.details).toMatchObject({ group: 'apps', kind: 'Deployment' });
    expect(
      refused(() =>
        s.create('apps/deployments', { metadata: { name: 'd' }, spec: { template: template({ app: 'x' }) } }),
      ).message,
    ).toContain('spec.selector: Required value');
    expect(
      refused(() =>
        s.create('apps/deployments', {
          metadata: { name: 'd' },
          spec: { replicas: -1, selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x' }) },
        }),
      ).message,
    ).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    const never = {
      ...template({ app: 'x' }),
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] },
    };
    expect(
      refused(() =>
        s.create('apps/deployments', {
          metadata: { name: 'd' },
          spec: { selector: { matchLabels: { app: 'x' } }, template: never },
        }),
      ).message,
    ).toContain('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
    s.create('apps/deployments', {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'x' } }, template: template({ app: 'x', v: '1' }) },
    });
    expect(
      refused(() =>
        s.mutate(
          'apps/deployments',
          'default',
          'd',
          (d) => ((d.spec as Any).selector = { matchLabels: { v: '1' } }),
        ),
      ).message,
    ).toContain('spec.selector: Invalid value');
  });

  it('refuses pod spec changes beyond images, but not status writes or binding', () => {
    const s = store();
    s.create('pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } });
    const renamed = refused(() =>
      s.mutate('pods', 'default', 'p', (p) => (((p.spec as Any).containers as Any[])[0]!.name = 'd')),
    );
    expect(renamed.message).toContain('spec.containers: Forbidden');
    const other = refused(() =>
      s.mutate('pods', 'default', 'p', (p) => ((p.spec as Any).dnsPolicy = 'Default')),
    );
    expect(other.message).toContain('spec: Forbidden: pod updates may not change fields other than');
    expect(
      spec(
        s.mutate(
          'pods',
          'default',
          'p',
          (p) => (((p.spec as Any).containers as Any[])[0]!.image = 'nginx:2'),
        ),
      ).containers,
    ).toMatchObject([{ image: 'nginx:2' }]);
    expect(spec(s.mutate('pods', 'default', 'p', (p) => ((p.spec as Any).nodeName = 'n1'))).nodeName).toBe(
      'n1',
    );
    expect(
      refused(() => s.mutate('pods', 'default', 'p', (p) => ((p.spec as Any).nodeName = 'n2'))).message,
    ).toContain('spec.nodeName: Forbidden');
    const running = s.mutate('pods', 'default', 'p', (p) => (p.status = { phase: 'Running' }), {
      subresource: 'status',
    });
    expect(running.status).toEqual({ phase: 'Running' });
  });

  it('checks services, HPAs, claims and events', () => {
    const s = store();
    expect(refused(() => s.create('services', { metadata: { name: 's' }, spec: {} })).message).toContain(
      'spec.ports: Required value',
    );
    expect(
      refused(() =>
        s.create('services', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }, { port: 81 }] } }),
      ).message,
    ).toContain('spec.ports[0].name: Required value');
    expect(
      refused(() => s.create('services', { metadata: { name: 's' }, spec: { ports: [{ port: 70000 }] } }))
        .message,
    ).toContain('spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(
      refused(() =>
        s.create('services', { metadata: { name: 's' }, spec: { ports: [{ port: 80, nodePort: 30001 }] } }),
      ).message,
    ).toContain("spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'");
    expect(
      refused(() =>
        s.create('autoscaling/horizontalpodautoscalers', {
          metadata: { name: 'h' },
          spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, minReplicas: 5, maxReplicas: 2 },
        }),
      ).message,
    ).toContain('spec.minReplicas: Invalid value: 5: must be less than or equal to maxReplicas');
    expect(
      refused(() => s.create('persistentvolumeclaims', { metadata: { name: 'c' }, spec: {} })).message,
    ).toContain('spec.accessModes: Required value');
    expect(
      refused(() =>
        s.create('events', {
          metadata: { name: 'e' },
          involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' },
        }),
      ).message,
    ).toContain('involvedObject.namespace: Invalid value: "other": does not match event.namespace');
  });
});
