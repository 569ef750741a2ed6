// A simulated cluster (`steady`) behind its API server in its own process, for latency
// benchmarks. Prints `ready <kubeconfig path> <pods>`; on stdin `crash <ns> <pod>` it crashes
// the pod's container and answers `crashed <epoch ms with fractions>` (or `busy`).
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { SimCluster } from '../../src/sim/cluster.js';
import { startSimServer } from '../../src/sim/server/index.js';

const kubeconfigPath = process.argv[2]!;
const cluster = new SimCluster({ scenario: 'steady', seed: 3 });
await cluster.start();
const server = await startSimServer({ store: cluster.store, logs: cluster.logs, metrics: cluster.metrics });
writeFileSync(kubeconfigPath, server.kubeconfig());
const now = (): number => performance.timeOrigin + performance.now();
const running = cluster.store
  .list('pods')
  .items.filter(
    (p) => (p.status as { phase?: string }).phase === 'Running' && p.metadata.namespace !== 'kube-system',
  )
  .map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
process.stdout.write(`ready ${kubeconfigPath} ${running.join(',')}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, ns, pod] = line.split(' ');
  if (cmd !== 'crash') continue;
  const at = now();
  // When the API server publishes the pod with the terminated container (what a watch sees).
  const visible = new Promise<number>((resolve) => {
    const stop = cluster.store.onChange((event) => {
      if (event.resource !== 'pods' || event.object.metadata.name !== pod || event.type !== 'MODIFIED')
        return;
      const statuses =
        (
          event.object.status as {
            containerStatuses?: Array<{
              state?: Record<string, unknown>;
              lastState?: Record<string, unknown>;
            }>;
          }
        )?.containerStatuses ?? [];
      if (statuses.some((c) => c.state?.terminated || (c.state?.waiting && c.lastState?.terminated))) {
        stop();
        resolve(now());
      }
    });
  });
  const ok = cluster.driver.crash(ns!, pod!, { exitCode: 1 });
  if (!ok) {
    process.stdout.write('busy\n');
    continue;
  }
  process.stdout.write(`crashed ${at} ${await visible}\n`);
}
