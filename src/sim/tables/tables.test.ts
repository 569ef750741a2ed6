import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../object-store.js';
import { RESOURCE_TYPES, resourceKey } from '../resources.js';
import { humanDuration } from './human-duration.js';
import { toTable } from './index.js';
import { hpaTargets, printerFor, selectorString } from './printers.js';

const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);
const ago = (s: number): string => new Date(NOW - s * 1000).toISOString().replace('.000Z', 'Z');

function pod(
  status: Record<string, unknown>,
  extra: { spec?: Record<string, unknown>; meta?: Record<string, unknown> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns', creationTimestamp: ago(300), ...extra.meta },
    spec: { containers: [{ name: 'app', image: 'x' }], ...extra.spec },
    status,
  };
}

const cells = (obj: KubeObject, key = 'pods'): unknown[] => printerFor(key).row(obj, NOW).cells;
const statusOf = (obj: KubeObject): unknown => cells(obj)[2];

describe('pod table rows', () => {
  it('shows Running with ready count, restarts and age', () => {
    const p = pod(
      {
        phase: 'Running',
        podIPs: [{ ip: '10.1.1.1' }],
        containerStatuses: [
          { name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: ago(200) } } },
        ],
      },
      { spec: { nodeName: 'n1' } },
    );
    expect(cells(p)).toEqual(['p', '1/1', 'Running', '0', '5m', '10.1.1.1', 'n1', '<none>', '<none>']);
  });

  it('shows CrashLoopBackOff and "N (age ago)" restarts from the last termination', () => {
    const p = pod({
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 4,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(95) } },
        },
      ],
    });
    expect(cells(p).slice(1, 4)).toEqual(['0/1', 'CrashLoopBackOff', '4 (95s ago)']);
  });

  it('computes the other statuses kubectl shows', () => {
    expect(statusOf(pod({ phase: 'Pending' }))).toBe('Pending');
    expect(
      statusOf(
        pod({
          phase: 'Pending',
          containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ImagePullBackOff' } } }],
        }),
      ),
    ).toBe('ImagePullBackOff');
    expect(
      statusOf(
        pod({
          phase: 'Pending',
          containerStatuses: [{ name: 'app', state: { waiting: { reason: 'ContainerCreating' } } }],
        }),
      ),
    ).toBe('ContainerCreating');
    expect(
      statusOf(
        pod({
          phase: 'Succeeded',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } }],
        }),
      ),
    ).toBe('Completed');
    expect(
      statusOf(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
        }),
      ),
    ).toBe('OOMKilled');
    expect(
      statusOf(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 2 } } }],
        }),
      ),
    ).toBe('ExitCode:2');
    expect(
      statusOf(
        pod({
          phase: 'Running',
          containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }],
        }),
      ),
    ).toBe('Signal:9');
    expect(statusOf(pod({ phase: 'Failed', reason: 'Evicted' }))).toBe('Evicted');
    expect(
      statusOf(pod({ phase: 'Running', reason: 'NodeLost' }, { meta: { deletionTimestamp: ago(1) } })),
    ).toBe('Unknown');
    expect(
      statusOf(
        pod(
          { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: { running: {} } }] },
          { meta: { deletionTimestamp: ago(1) } },
        ),
      ),
    ).toBe('Terminating');
    expect(
      statusOf(
        pod({
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        }),
      ),
    ).toBe('SchedulingGated');
  });

  it('shows init container progress and failures', () => {
    const spec = {
      initContainers: [
        { name: 'init-a', image: 'x' },
        { name: 'init-b', image: 'x' },
      ],
    };
    const waiting = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init-a', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'init-b', state: { running: {} } },
        ],
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
      },
      { spec },
    );
    expect(statusOf(waiting)).toBe('Init:1/2');
    const failing = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'init-a', restartCount: 2, state: { waiting: { reason: 'CrashLoopBackOff' } } },
        ],
      },
      { spec },
    );
    expect(statusOf(failing)).toBe('Init:CrashLoopBackOff');
    const errored = pod(
      {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'init-a', state: { terminated: { exitCode: 3 } } }],
      },
      { spec },
    );
    expect(statusOf(errored)).toBe('Init:ExitCode:3');
  });

  it('shows NotReady when a completed container runs beside an unready one', () => {
    const p = pod(
      {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'False' }],
        containerStatuses: [
          { name: 'app', ready: true, state: { running: {} } },
          { name: 'job', ready: false, state: { terminated: { exitCode: 0, reason: 'Completed' } } },
        ],
      },
      { spec: { containers: [{ name: 'app' }, { name: 'job' }] } },
    );
    expect(cells(p).slice(1, 3)).toEqual(['1/2', 'NotReady']);
  });
});

describe('other kinds', () => {
  it('nodes: Ready / NotReady, SchedulingDisabled, roles from labels', () => {
    const node: KubeObject = {
      metadata: {
        name: 'n1',
        creationTimestamp: ago(3 * 86400 + 5 * 3600),
        labels: { 'node-role.kubernetes.io/control-plane': '', 'kubernetes.io/role': 'infra' },
      },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'False' }],
        nodeInfo: { kubeletVersion: 'v1.32.4' },
        addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
      },
    };
    expect(cells(node, 'nodes')).toEqual([
      'n1',
      'NotReady,SchedulingDisabled',
      'control-plane,infra',
      '3d5h',
      'v1.32.4',
      '10.0.0.1',
      '<none>',
      '<unknown>',
      '<unknown>',
      '<unknown>',
    ]);
  });

  it('events: last seen, object, source and count, series first', () => {
    const ev: KubeObject = {
      metadata: { name: 'e1', namespace: 'ns' },
      involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{app}' },
      reason: 'BackOff',
      message: ' Back-off restarting \n',
      type: 'Warning',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: ago(600),
      lastTimestamp: ago(30),
      count: 7,
    };
    expect(cells(ev, 'events')).toEqual([
      '30s',
      'Warning',
      'BackOff',
      'pod/p',
      'spec.containers{app}',
      'kubelet, n1',
      'Back-off restarting',
      '10m',
      7,
      'e1',
    ]);
    const series: KubeObject = {
      metadata: { name: 'e2' },
      involvedObject: { kind: 'Node', name: 'n1' },
      reason: 'NodeNotReady',
      type: 'Normal',
      eventTime: ago(900),
      series: { count: 3, lastObservedTime: ago(60) },
      reportingComponent: 'node-controller',
    };
    expect(cells(series, 'events').slice(0, 9)).toEqual([
      '60s',
      'Normal',
      'NodeNotReady',
      'node/n1',
      '',
      'node-controller',
      '',
      '15m',
      3,
    ]);
  });

  it('deployments, services, HPAs and jobs print their columns', () => {
    const d: KubeObject = {
      metadata: { name: 'web', creationTimestamp: ago(60) },
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'web' },
          matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'dev'] }],
        },
        template: {
          spec: {
            containers: [
              { name: 'a', image: 'i1' },
              { name: 'b', image: 'i2' },
            ],
          },
        },
      },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    expect(cells(d, 'apps/deployments')).toEqual([
      'web',
      '2/3',
      3,
      2,
      '60s',
      'a,b',
      'i1,i2',
      'app=web,env in (dev,prod)',
    ]);
    const svc: KubeObject = {
      metadata: { name: 'web', creationTimestamp: ago(60) },
      spec: {
        type: 'NodePort',
        clusterIPs: ['10.96.0.10'],
        ports: [
          { port: 80, nodePort: 30080, protocol: 'TCP' },
          { port: 53, protocol: 'UDP' },
        ],
        selector: { b: '2', a: '1' },
      },
    };
    expect(cells(svc, 'services')).toEqual([
      'web',
      'NodePort',
      '10.96.0.10',
      '<none>',
      '80:30080/TCP,53/UDP',
      '60s',
      'a=1,b=2',
    ]);
    const lb: KubeObject = {
      metadata: { name: 'lb' },
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [] },
    };
    expect(cells(lb, 'services').slice(3, 5)).toEqual(['<pending>', '<none>']);
    expect(
      hpaTargets(
        [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
        [
          {
            type: 'Resource',
            resource: { name: 'cpu', current: { averageUtilization: 245, averageValue: '1' } },
          },
        ],
      ),
    ).toBe('cpu: 245%/50%');
    expect(
      hpaTargets(
        [{ type: 'Resource', resource: { name: 'memory', target: { averageUtilization: 80 } } }],
        [],
      ),
    ).toBe('memory: <unknown>/80%');
    const job: KubeObject = {
      metadata: { name: 'j', creationTimestamp: ago(120) },
      spec: { completions: 3, parallelism: 1 },
      status: {
        succeeded: 3,
        startTime: ago(120),
        completionTime: ago(20),
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    expect(cells(job, 'batch/jobs').slice(0, 5)).toEqual(['j', 'Complete', '3/3', '100s', '2m']);
  });

  it('every served kind has a printer or the default Name / Created At table', () => {
    for (const type of RESOURCE_TYPES.filter((t) => !t.virtual)) {
      const key = type.viewOf ?? resourceKey(type);
      const printer = printerFor(key);
      expect(printer.columns.length).toBeGreaterThan(0);
      expect(printer.columns.some((c) => c.format === 'name')).toBe(true);
    }
  });
});

describe('Table objects', () => {
  it('carries column definitions, one row per object and PartialObjectMetadata by default', () => {
    const p = pod({ phase: 'Pending' });
    const table = toTable('pods', [p], {
      now: NOW,
      includeObject: 'Metadata',
      apiVersion: 'meta.k8s.io/v1',
      resourceVersion: '42',
    });
    expect(table).toMatchObject({
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: '42' },
    });
    expect(table.columnDefinitions.map((c) => `${c.name}:${c.priority}`)).toEqual([
      'Name:0',
      'Ready:0',
      'Status:0',
      'Restarts:0',
      'Age:0',
      'IP:1',
      'Node:1',
      'Nominated Node:1',
      'Readiness Gates:1',
    ]);
    expect(table.rows[0]?.object).toEqual({
      kind: 'PartialObjectMetadata',
      apiVersion: 'meta.k8s.io/v1',
      metadata: p.metadata,
    });
    expect(
      toTable('pods', [p], {
        now: NOW,
        includeObject: 'None',
        apiVersion: 'meta.k8s.io/v1',
        noHeaders: true,
      }),
    ).toMatchObject({
      columnDefinitions: [],
      rows: [{ cells: expect.any(Array) }],
    });
    expect(
      toTable('pods', [p], { now: NOW, includeObject: 'Object', apiVersion: 'meta.k8s.io/v1' }).rows[0]
        ?.object,
    ).toBe(p);
  });

  it('formats selectors like labels.Selector.String()', () => {
    expect(
      selectorString({
        matchExpressions: [
          { key: 'b', operator: 'Exists' },
          { key: 'a', operator: 'DoesNotExist' },
          { key: 'c', operator: 'NotIn', values: ['y', 'x'] },
        ],
      }),
    ).toBe('!a,b,c notin (x,y)');
  });
});

describe('human durations', () => {
  it('rounds like apimachinery HumanDuration', () => {
    const s = 1000;
    expect(humanDuration(-5 * s)).toBe('<invalid>');
    expect(humanDuration(-500)).toBe('0s');
    expect(humanDuration(119 * s)).toBe('119s');
    expect(humanDuration(125 * s)).toBe('2m5s');
    expect(humanDuration(600 * s)).toBe('10m');
    expect(humanDuration(3 * 3600 * s + 20 * 60 * s)).toBe('3h20m');
    expect(humanDuration(30 * 3600 * s)).toBe('30h');
    expect(humanDuration(50 * 3600 * s)).toBe('2d2h');
    expect(humanDuration(30 * 86400 * s)).toBe('30d');
    expect(humanDuration(800 * 86400 * s)).toBe('2y70d');
    expect(humanDuration(3000 * 86400 * s)).toBe('8y');
  });
});
