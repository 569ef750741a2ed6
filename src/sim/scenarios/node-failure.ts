// `node-failure`: four nodes with the shop spread over three workers. worker-2's kubelet stops
// 20 s in: 40 s later the node is NotReady (Ready=Unknown), gets the unreachable taints, and its
// pods are marked not ready; 5 minutes after that the taint manager evicts them and their
// ReplicaSets recreate them elsewhere (the old ones stay Terminating on the dead node).
// Meanwhile worker-3 comes under memory pressure for two minutes and the kubelet evicts
// best-effort pods (Evicted). worker-2 comes back after 12 minutes.
import { baseCluster } from './base.js';
import { steadyWorkloads } from './steady.js';
import type { Scenario } from './scenario.js';

export const NODE_FAILURE = {
  failing: 'worker-2',
  pressured: 'worker-3',
  failAtMs: 20_000,
  pressureAtMs: 90_000,
  pressureForMs: 120_000,
  recoverAtMs: 12 * 60_000,
} as const;

export const nodeFailure: Scenario = {
  name: 'node-failure',
  summary: 'a node goes NotReady (taints, evictions, rescheduling) and another evicts under memory pressure',
  setup(kit) {
    baseCluster(kit, { workers: 3 });
    steadyWorkloads(kit);
    kit.namespace('batch');
    kit.deployment({
      namespace: 'batch',
      name: 'scraper',
      replicas: 4,
      containers: [{ name: 'scraper', image: 'ghcr.io/acme/scraper:0.3.1' }],
    });
  },
  run(kit) {
    const { failing, pressured } = NODE_FAILURE;
    kit.timers.after(kit.scaled(NODE_FAILURE.failAtMs), () => kit.driver.failNode(failing));
    kit.timers.after(kit.scaled(NODE_FAILURE.pressureAtMs), () =>
      kit.driver.setNodePressure(pressured, 'memory', true),
    );
    kit.timers.after(kit.scaled(NODE_FAILURE.pressureAtMs + NODE_FAILURE.pressureForMs), () =>
      kit.driver.setNodePressure(pressured, 'memory', false),
    );
    kit.timers.after(kit.scaled(NODE_FAILURE.recoverAtMs), () => kit.driver.recoverNode(failing));
  },
};
