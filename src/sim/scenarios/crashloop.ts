// `crashloop`: a small healthy cluster plus workloads that keep crashing, deployed as the
// scenario starts so the whole story plays out: payments-api exits 1 with a Java stack trace a
// few seconds after each start, ledger-worker panics (exit 2) after half a minute, and a
// one-shot migration under restartPolicy Always exits 0 and is restarted anyway (Completed).
// Back-off grows 10 s → 5 min; BackOff events count up on the same Event objects.
import { baseCluster } from './base.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

export const CRASHLOOP = {
  namespace: 'payments',
  api: { name: 'payments-api', image: 'ghcr.io/acme/payments-api:2.4.1' },
  worker: { name: 'ledger-worker', image: 'ghcr.io/acme/ledger-worker:0.9.3' },
  migrate: { name: 'migrate-once', image: 'docker.io/library/busybox:1.37' },
} as const;

export function crashloopWorkloads(kit: ScenarioKit, settled = false): void {
  const ns = CRASHLOOP.namespace;
  kit.namespace(ns, { team: 'payments' });
  kit.behaviour(CRASHLOOP.api.image, {
    logs: 'java',
    exit: { afterMs: [4_000, 9_000], code: 1 },
  });
  kit.behaviour(CRASHLOOP.worker.image, {
    logs: 'go',
    exit: { afterMs: [20_000, 40_000], code: 2 },
  });
  kit.deployment({
    namespace: ns,
    name: CRASHLOOP.api.name,
    replicas: 2,
    settled,
    containers: [
      {
        name: 'api',
        image: CRASHLOOP.api.image,
        cpu: '200m',
        memory: '256Mi',
        limitMemory: '512Mi',
        port: 8080,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: ns,
    name: CRASHLOOP.worker.name,
    settled,
    containers: [{ name: 'worker', image: CRASHLOOP.worker.image, cpu: '100m', memory: '64Mi' }],
  });
  kit.create('pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: CRASHLOOP.migrate.name, namespace: ns, labels: { app: CRASHLOOP.migrate.name } },
    spec: {
      restartPolicy: 'Always',
      containers: [
        kit.container({
          name: 'migrate',
          image: CRASHLOOP.migrate.image,
          command: [
            'sh',
            '-c',
            'echo "applying migration 0042_add_ledger_index"; sleep 2; echo "migration complete"',
          ],
        }),
      ],
    },
  });
  kit.service({ namespace: ns, name: CRASHLOOP.api.name, ports: [{ name: 'http', port: 8080 }] });
}

export const crashloop: Scenario = {
  name: 'crashloop',
  summary: 'containers that keep crashing: exit 1 with a stack trace, a Go panic, a Completed loop',
  setup(kit) {
    baseCluster(kit, { workers: 2 });
    kit.deployment({
      namespace: 'default',
      name: 'web',
      replicas: 2,
      containers: [
        { name: 'nginx', image: 'docker.io/library/nginx:1.27.3', cpu: '50m', memory: '32Mi', port: 80 },
      ],
    });
    crashloopWorkloads(kit);
  },
};
