// `event-storm`: many events and many count bumps. Forty pods whose readiness probes flap
// (Unhealthy, counted up on the same Events), crash-looping pods (BackOff, Created, Started),
// pods no node can hold (FailedScheduling as an events.k8s.io series), and a chatty operator
// that writes its own events — about a hundred a second over a few hundred objects, repeats
// bumping `count` — the kind of load that makes naive exporters drop or duplicate.
import type { SimContext } from '../cluster/context.js';
import { refTo } from '../cluster/events/event-writer.js';
import { baseCluster } from './base.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

export const EVENT_STORM = {
  namespace: 'storm',
  /** Operator events per second (wall rate scales with the time scale). */
  operatorRate: 100,
  operatorObjects: 300,
} as const;

const REASONS: ReadonlyArray<readonly ['Normal' | 'Warning', string, (name: string) => string]> = [
  ['Normal', 'Synced', (n) => `ConfigMap ${n} synced successfully`],
  [
    'Warning',
    'ReconcileError',
    (n) =>
      `failed to reconcile ${n}: Operation cannot be fulfilled on configmaps "${n}": the object has been modified; please apply your changes to the latest version and try again`,
  ],
  ['Normal', 'Updated', (n) => `Updated checksum annotation on ${n}`],
  [
    'Warning',
    'ValidationFailed',
    (n) => `spec.rules[0].host: Invalid value: "${n}.example": must be a valid DNS name`,
  ],
];

/** An operator that writes events straight through the API (no client-go spam filter). */
export function chattyOperator(ctx: SimContext, namespace: string, objects: number, perSecond: number): void {
  const recorder = ctx.recorder(
    { component: 'acme-operator', host: 'acme-operator-6d9f8b7c5-x2kqz' },
    { spamFilter: false },
  );
  const random = ctx.random.fork('chatty-operator');
  const tickMs = 100;
  const perTick = Math.max(1, Math.round((perSecond * tickMs) / 1000));
  ctx.timers.every(ctx.scaled(tickMs), () => {
    for (let i = 0; i < perTick; i++) {
      // A skewed pick: a few hot objects get most of the repeats.
      const index = Math.floor(objects * random.next() ** 3);
      const cm = ctx.cache.get('configmaps', namespace, `tenant-${index}`);
      if (!cm) continue;
      const [type, reason, message] = REASONS[random.int(0, REASONS.length - 1)]!;
      recorder.event(refTo(cm), type, reason, message(cm.metadata.name ?? ''));
    }
  });
}

export const eventStorm: Scenario = {
  name: 'event-storm',
  summary: 'flapping probes, crash loops, unschedulable pods and an operator writing ~100 events/s',
  setup(kit: ScenarioKit) {
    baseCluster(kit, { workers: 3 });
    const ns = EVENT_STORM.namespace;
    kit.namespace(ns);
    kit.behaviour('ghcr.io/acme/flaky:1.0.0', {
      logs: 'node',
      readinessFlap: { upMs: [4_000, 12_000], downMs: [6_000, 16_000] },
    });
    kit.behaviour('ghcr.io/acme/crasher:1.0.0', {
      logs: 'python',
      exit: { afterMs: [1_000, 3_000], code: 1 },
    });
    kit.deployment({
      namespace: ns,
      name: 'flaky',
      replicas: 40,
      containers: [
        {
          name: 'flaky',
          image: 'ghcr.io/acme/flaky:1.0.0',
          cpu: '10m',
          memory: '32Mi',
          port: 8080,
          readiness: {
            httpGet: { path: '/ready', port: 8080, scheme: 'HTTP' },
            periodSeconds: 2,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 2,
          },
        },
      ],
    });
    kit.deployment({
      namespace: ns,
      name: 'crasher',
      replicas: 3,
      settled: false,
      containers: [{ name: 'crasher', image: 'ghcr.io/acme/crasher:1.0.0', cpu: '10m', memory: '32Mi' }],
    });
    kit.deployment({
      namespace: ns,
      name: 'too-big',
      replicas: 2,
      settled: false,
      containers: [{ name: 'too-big', image: 'ghcr.io/acme/ml-trainer:0.1.0', cpu: '64', memory: '256Gi' }],
    });
    for (let i = 0; i < EVENT_STORM.operatorObjects; i++) {
      kit.configMap(ns, `tenant-${i}`, {
        tenant: `tenant-${i}`,
        plan: i % 7 === 0 ? 'enterprise' : 'standard',
      });
    }
  },
  run(kit) {
    chattyOperator(kit.ctx, EVENT_STORM.namespace, EVENT_STORM.operatorObjects, EVENT_STORM.operatorRate);
  },
};
