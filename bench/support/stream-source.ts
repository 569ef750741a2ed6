// A minimal API server in its own process that serves a pre-serialised watch stream of Events,
// so the ingest benchmark measures Lookout rather than the producer. Every other collection
// lists empty and watches quietly. Prints `ready <kubeconfig path>` when listening.
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [kubeconfigPath, eventsArg, bumpsArg] = process.argv.slice(2);
const events = Number(eventsArg);
const bumps = Number(bumpsArg);
const reasons = ['BackOff', 'Unhealthy', 'FailedScheduling', 'Pulling', 'Killing'];
const lines: string[] = [];
let rv = 100;
const start = Date.now();
for (let i = 0; i < events; i++) {
  const pod = `pod-${i % 5000}`;
  const ts = new Date(start + i).toISOString().replace(/\.\d+Z$/, 'Z');
  const base = {
    kind: 'Event',
    apiVersion: 'v1',
    metadata: {
      name: `${pod}.${i.toString(16)}`,
      namespace: 'bench',
      uid: `00000000-0000-4000-8000-${i.toString().padStart(12, '0')}`,
      creationTimestamp: ts,
    },
    involvedObject: {
      kind: 'Pod',
      name: pod,
      namespace: 'bench',
      uid: `pod-uid-${i % 5000}`,
      fieldPath: 'spec.containers{app}',
    },
    reason: reasons[i % reasons.length],
    message: `Back-off restarting failed container app in pod ${pod}_bench(pod-uid-${i % 5000})`,
    type: i % 3 === 0 ? 'Normal' : 'Warning',
    source: { component: 'kubelet', host: `node-${i % 10}` },
    firstTimestamp: ts,
    reportingComponent: 'kubelet',
    reportingInstance: `node-${i % 10}`,
  };
  for (let c = 1; c <= 1 + bumps; c++) {
    rv++;
    const object = {
      ...base,
      metadata: { ...base.metadata, resourceVersion: String(rv) },
      count: c,
      lastTimestamp: ts,
    };
    lines.push(JSON.stringify({ type: c === 1 ? 'ADDED' : 'MODIFIED', object }));
  }
}
const body = Buffer.from(lines.join('\n') + '\n');

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  res.setHeader('content-type', 'application/json');
  if (url.searchParams.get('watch') !== 'true') {
    res.end(
      JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: '100' }, items: [] }),
    );
    return;
  }
  res.writeHead(200);
  if (url.pathname === '/api/v1/events' && url.searchParams.get('resourceVersion') === '100') res.write(body);
  // Keep every watch open and quiet; the client ends it.
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  writeFileSync(
    kubeconfigPath!,
    `apiVersion: v1\nkind: Config\nclusters: [{ name: b, cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: b, context: { cluster: b, user: u } }]\ncurrent-context: b\n`,
  );
  process.stdout.write(`ready ${lines.length}\n`);
});
