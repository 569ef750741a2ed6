// `mixed`, the demo: the steady shop plus php-apache, and a little of everything, forever — a
// service that crashes every several minutes, a report builder that OOMs, a deploy now and
// then, a rollout to a missing tag that is rolled back, HPA load waves, a nightly-style backup
// Job, and occasional node trouble (memory pressure, or a kubelet that drops out briefly).
import type { KubeObject } from '../object-store.js';
import { ApiStatusError } from '../status-error.js';
import { HPA_LOAD, phpApache, startLoad, stopLoad } from './hpa-load.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';
import { setupSteady } from './steady.js';

const MINUTE = 60_000;

export const MIXED = {
  crashing: { namespace: 'shop', name: 'recommendations', image: 'ghcr.io/acme/recommendations:1.4.0' },
  leaky: { namespace: 'shop', name: 'report-builder', image: 'ghcr.io/acme/report-builder:3.1.0' },
  deployEveryMs: 7 * MINUTE,
  badRolloutEveryMs: 23 * MINUTE,
  badRolloutForMs: 4 * MINUTE,
  loadEveryMs: 12 * MINUTE,
  loadForMs: 3 * MINUTE,
  jobEveryMs: 15 * MINUTE,
  nodeTroubleEveryMs: 37 * MINUTE,
  crashEveryMs: 9 * MINUTE,
} as const;

function containerImage(d: KubeObject): string {
  return (
    (d.spec as { template: { spec: { containers: Array<{ image?: string }> } } }).template.spec.containers[0]
      ?.image ?? ''
  );
}

function setImage(kit: ScenarioKit, namespace: string, name: string, image: string): void {
  try {
    kit.ctx.store.mutate('apps/deployments', namespace, name, (d) => {
      const spec = d.spec as { template: { spec: { containers: Array<{ image?: string }> } } };
      spec.template.spec.containers[0]!.image = image;
    });
  } catch (error) {
    if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
  }
}

/** `ghcr.io/acme/cart:2.3.0` → `ghcr.io/acme/cart:2.3.1`. */
function nextPatch(image: string): string {
  return image.replace(
    /(\d+)\.(\d+)\.(\d+)$/,
    (_m, a: string, b: string, c: string) => `${a}.${b}.${Number(c) + 1}`,
  );
}

export const mixed: Scenario = {
  name: 'mixed',
  summary:
    'the demo: a healthy shop with periodic crashes, OOMs, deploys, a bad rollout, HPA waves and node trouble',
  setup(kit) {
    setupSteady(kit);
    phpApache(kit);
    kit.behaviour(MIXED.crashing.image, {
      logs: 'python',
      exit: { afterMs: [4 * MINUTE, 12 * MINUTE], code: 1 },
    });
    kit.behaviour(MIXED.leaky.image, { logs: 'java', memoryLeakBytesPerSecond: 0.3 * 2 ** 20 });
    kit.deployment({
      namespace: MIXED.crashing.namespace,
      name: MIXED.crashing.name,
      replicas: 2,
      containers: [
        {
          name: 'recommendations',
          image: MIXED.crashing.image,
          cpu: '100m',
          memory: '256Mi',
          limitMemory: '512Mi',
          port: 8080,
          readiness: true,
        },
      ],
    });
    kit.deployment({
      namespace: MIXED.leaky.namespace,
      name: MIXED.leaky.name,
      containers: [
        { name: 'builder', image: MIXED.leaky.image, cpu: '100m', memory: '128Mi', limitMemory: '256Mi' },
      ],
    });
  },
  run(kit) {
    const every = (ms: number, first: number, fn: () => void): void => {
      kit.timers.every(kit.scaled(ms), fn, {
        firstDelayMs: kit.scaled(first),
        jitter: 0.2,
        random: () => kit.random.next(),
      });
    };
    // A deploy now and then: the next patch version of one of the shop's services.
    const deployable = ['frontend', 'cart', 'catalog', 'notifications', 'payments'];
    every(MIXED.deployEveryMs, 2 * MINUTE, () => {
      const name = kit.random.pick(deployable);
      const d = kit.ctx.cache.get('apps/deployments', 'shop', name);
      if (!d) return;
      const current = containerImage(d);
      const next = nextPatch(current);
      kit.behaviour(next, { logs: name === 'frontend' ? 'nginx' : name === 'catalog' ? 'python' : 'node' });
      setImage(kit, 'shop', name, next);
    });
    // A rollout to a tag that does not exist, rolled back a few minutes later.
    every(MIXED.badRolloutEveryMs, 5 * MINUTE, () => {
      const d = kit.ctx.cache.get('apps/deployments', 'shop', 'checkout');
      if (!d) return;
      const good = containerImage(d);
      if (good.endsWith('-rc')) return;
      const bad = `${good}-rc`;
      kit.driver.breakImage(bad);
      setImage(kit, 'shop', 'checkout', bad);
      kit.timers.after(kit.scaled(MIXED.badRolloutForMs), () => setImage(kit, 'shop', 'checkout', good));
    });
    // HPA load waves on php-apache.
    every(MIXED.loadEveryMs, 1 * MINUTE, () => {
      startLoad(kit, HPA_LOAD.loadMilli);
      kit.timers.after(kit.scaled(MIXED.loadForMs), () => stopLoad(kit));
    });
    // A backup Job that runs and completes, named like a CronJob's (its schedule in minutes,
    // counted in Kubernetes time so a scaled clock still gives unique names).
    const firstStamp = Math.floor(kit.ctx.now() / 60_000);
    let runs = 0;
    every(MIXED.jobEveryMs, 3 * MINUTE, () => {
      const stamp = firstStamp + 3 + runs++ * (MIXED.jobEveryMs / MINUTE);
      kit.create('batch/jobs', {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: `db-backup-${stamp}`, namespace: 'default', labels: { app: 'db-backup' } },
        spec: {
          backoffLimit: 2,
          ttlSecondsAfterFinished: 3600,
          template: kit.template(
            {
              namespace: 'default',
              name: 'db-backup',
              restartPolicy: 'Never',
              containers: [
                {
                  name: 'backup',
                  image: 'docker.io/library/postgres:16.6',
                  command: [
                    'sh',
                    '-c',
                    'echo "pg_dump shop > /backup/shop.sql"; sleep 20; echo "backup complete"',
                  ],
                },
              ],
            },
            { app: 'db-backup' },
          ),
        },
      });
    });
    // Somebody's process dies now and then.
    every(MIXED.crashEveryMs, 6 * MINUTE, () => {
      const candidates = kit.ctx.cache
        .list('pods', 'shop')
        .filter((p) => (p.status as { phase?: string } | undefined)?.phase === 'Running');
      if (candidates.length === 0) return;
      const pod = kit.random.pick(candidates);
      kit.driver.crash('shop', pod.metadata.name ?? '', { exitCode: kit.random.pick([1, 2, 137, 143]) });
    });
    // Node trouble: memory pressure on one worker, or its kubelet dropping out for two minutes.
    let toggle = false;
    every(MIXED.nodeTroubleEveryMs, 15 * MINUTE, () => {
      toggle = !toggle;
      if (toggle) {
        kit.driver.setNodePressure('worker-2', 'memory', true);
        kit.timers.after(kit.scaled(90_000), () => kit.driver.setNodePressure('worker-2', 'memory', false));
      } else {
        kit.driver.failNode('worker-1');
        kit.timers.after(kit.scaled(2 * MINUTE), () => kit.driver.recoverNode('worker-1'));
      }
    });
  },
};
