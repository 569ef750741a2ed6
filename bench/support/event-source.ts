// A simulated API server in its own process that emits bursts of Events on command, for the
// ingest benchmark. Reads commands on stdin: `burst <n> <bumps>` creates n Events, each bumped
// <bumps> times; answers `done <ms>` on stdout. Prints `ready <kubeconfig path>` at start.
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { installAdmission } from '../../src/sim/admission/index.js';
import { ObjectStore, rfc3339 } from '../../src/sim/object-store.js';
import { RESOURCE_TYPES } from '../../src/sim/resources.js';
import { startSimServer } from '../../src/sim/server/index.js';

const kubeconfigPath = process.argv[2]!;
const store = new ObjectStore(RESOURCE_TYPES, { historyLimit: 2_000_000 });
installAdmission(store);
for (const ns of ['default', 'bench']) store.create('namespaces', { metadata: { name: ns } });
const server = await startSimServer({
  store,
  logs: { lines: () => undefined, follow: (_a, _b, _c, _d, end) => (end(), () => undefined) },
  metrics: { nodeMetrics: () => [], podMetrics: () => [] },
});
writeFileSync(kubeconfigPath, server.kubeconfig());
let serial = 0;
const reasons = ['BackOff', 'Unhealthy', 'FailedScheduling', 'Pulling', 'Killing'];
process.stdout.write(`ready ${kubeconfigPath}\n`);
for await (const line of createInterface({ input: process.stdin })) {
  const [cmd, n, bumps] = line.split(' ');
  if (cmd !== 'burst') continue;
  const t0 = performance.now();
  for (let i = 0; i < Number(n); i++) {
    const name = `pod-${serial % 5000}.${(serial++).toString(16)}`;
    const now = rfc3339(Date.now());
    store.create('events', {
      metadata: { name, namespace: 'bench' },
      involvedObject: {
        kind: 'Pod',
        name: name.split('.')[0],
        namespace: 'bench',
        uid: `uid-${serial % 5000}`,
      },
      reason: reasons[serial % reasons.length],
      message: `Back-off restarting failed container app in pod ${name} (attempt ${serial})`,
      type: serial % 3 === 0 ? 'Normal' : 'Warning',
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kubelet', host: `node-${serial % 10}` },
    });
    for (let b = 0; b < Number(bumps); b++) {
      store.mutate('events', 'bench', name, (e) => {
        e.count = (e.count as number) + 1;
      });
    }
    if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
  }
  process.stdout.write(`done ${Math.round(performance.now() - t0)}\n`);
}
