// Alert intake throughput: Debian's Alertmanager 0.25 and Lookout (intake + routing + grouping,
// written through to the store) take the same stream of unique alerts over HTTP, in the same run.
// Lookout is `lookout serve` from the compiled build with the launcher's flags, as production runs
// it (no clusters, sign-in off on loopback, as Alertmanager has none).
// Usage: npm run build && npx tsx bench/alerting-intake.ts [--seconds 5] [--postgres]; or call
// alertingIntakeBench() (`npm run bench` builds first).
//
// The driver posts with node:http over keep-alive connections (one per concurrent sender).
// Each mode runs in rounds that alternate which server goes first (A B, B A, B A, A B), and the
// rounds are summed: a slow moment of the machine, or the alerts earlier rounds left in both
// servers, weighs on both alike instead of on whichever ran second.
// It used to post with fetch(), which costs about five times the CPU per request here: on two
// cores it capped both servers at about 3,500 requests/s with 16 senders, and the comparison
// measured the driver rather than the servers.
import { Agent, request } from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './report.js';
import { launcherNodeFlags } from './support/node-flags.js';

const ENTRY = fileURLToPath(new URL('../dist/cli/index.js', import.meta.url));

const ALERTING = `
route:
  receiver: blackhole
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: blackhole
`;

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

/** A port nothing listens on now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitReady(url: string, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${what} exited`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startAlertmanager(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const file = join(dir, 'alertmanager.yml');
  writeFileSync(file, ALERTING);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${file}`,
      `--storage.path=${join(dir, 'am')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      `--web.external-url=${url}/`,
    ],
    { stdio: 'ignore' },
  );
  await waitReady(`${url}/-/ready`, child, 'Alertmanager');
  return { url, child };
}

async function startLookout(dir: string, storageUrl: string): Promise<{ url: string; child: ChildProcess }> {
  if (!existsSync(ENTRY))
    throw new Error('run `npm run build` first: the benchmark measures the compiled build');
  const port = await freePort();
  const file = join(dir, 'lookout.yaml');
  const alerting = ALERTING.trim()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  writeFileSync(
    file,
    `clusters: []\nstorage:\n  url: ${storageUrl}\nhttp:\n  listen: 127.0.0.1:${port}\n  auth:\n    mode: none\n` +
      `alerting:\n${alerting}\n`,
  );
  const child = spawn(process.execPath, [...launcherNodeFlags(), ENTRY, 'serve', '--config', file], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, LOOKOUT_LOG_LEVEL: 'warn' },
  });
  const url = `http://127.0.0.1:${port}`;
  await waitReady(`${url}/readyz`, child, 'Lookout');
  return { url, child };
}

let serial = 0;
function alertBatch(n: number, run: string): string {
  const alerts = [];
  for (let i = 0; i < n; i++) {
    serial++;
    alerts.push({
      labels: { alertname: 'BenchAlert', run, instance: `host-${serial}`, job: 'bench', severity: 'warning' },
      annotations: { summary: `alert number ${serial}` },
    });
  }
  return JSON.stringify(alerts);
}

interface Result {
  readonly alerts: number;
  readonly seconds: number;
  /** Milliseconds per POST. */
  readonly latencies: number[];
  /** CPU seconds the server process used (user + system), from /proc. */
  readonly cpuSeconds: number;
}

const EMPTY: Result = { alerts: 0, seconds: 0, latencies: [], cpuSeconds: 0 };

function sum(a: Result, b: Result): Result {
  return {
    alerts: a.alerts + b.alerts,
    seconds: a.seconds + b.seconds,
    latencies: [...a.latencies, ...b.latencies],
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
  };
}

function quantile(r: Result, p: number): number {
  const sorted = [...r.latencies].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** CPU seconds a process has used so far. On a shared machine this is steadier than wall time. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

/** POSTs a body of alerts; resolves with the answer's status once its body has been read. */
function postAlerts(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: '/api/v2/alerts',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
        res.once('error', reject);
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function drive(
  url: string,
  pid: number | undefined,
  opts: { perPost: number; concurrency: number; seconds?: number; total?: number; run: string },
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: opts.concurrency });
  const target = new URL(url);
  const latencies: number[] = [];
  const cpuBefore = cpuSeconds(pid);
  let sent = 0;
  const start = performance.now();
  const deadline = opts.seconds === undefined ? Infinity : start + opts.seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline && (opts.total === undefined || sent < opts.total)) {
      const body = alertBatch(opts.perPost, opts.run);
      sent += opts.perPost;
      const t = performance.now();
      const status = await postAlerts(agent, target, body);
      if (status !== 200) throw new Error(`${url} answered ${status}`);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  agent.destroy();
  const seconds = (performance.now() - start) / 1000;
  // Let the server finish writing behind before reading its CPU time.
  await new Promise((r) => setTimeout(r, 200));
  return { alerts: sent, seconds, latencies, cpuSeconds: cpuSeconds(pid) - cpuBefore };
}

/** Rounds per mode; the order alternates A B, B A, B A, A B. */
const ROUNDS = 4;

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

/** One mode, in {@link ROUNDS} rounds that alternate which server goes first; summed per server. */
async function alternate(
  am: Server,
  lookout: Server,
  mode: { perPost: number; concurrency: number; seconds?: number; total?: number },
): Promise<{ alertmanager: Result; lookout: Result }> {
  const round = {
    ...mode,
    ...(mode.seconds !== undefined ? { seconds: mode.seconds / ROUNDS } : {}),
    ...(mode.total !== undefined ? { total: mode.total / ROUNDS } : {}),
  };
  const totals = { am: EMPTY, lookout: EMPTY };
  for (let r = 0; r < ROUNDS; r++) {
    const amFirst = r % 4 === 0 || r % 4 === 3;
    for (const which of amFirst ? (['am', 'lookout'] as const) : (['lookout', 'am'] as const)) {
      const target = which === 'am' ? am : lookout;
      const run = `${which}-${mode.perPost}-${mode.concurrency}-${r}`;
      totals[which] = sum(totals[which], await drive(target.url, target.child.pid, { ...round, run }));
    }
  }
  return { alertmanager: totals.am, lookout: totals.lookout };
}

interface ModeResult {
  readonly mode: string;
  readonly alertmanager: Result;
  readonly lookout: Result;
}

async function compare(options: {
  seconds: number;
  postgres: boolean;
}): Promise<{ storage: string; modes: ModeResult[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'lookout-bench-'));
  let storageUrl = `sqlite:${join(dir, 'lookout.db')}`;
  let dropDb: (() => Promise<void>) | undefined;
  if (options.postgres) {
    const { createTempDatabase } = await import('../test/support/postgres.js');
    const db = await createTempDatabase('lookout_bench');
    storageUrl = db.url;
    dropDb = () => db.drop();
  }
  const am = await startAlertmanager(dir);
  const lookout = await startLookout(dir, storageUrl);
  const modes = [
    { name: '1 alert per POST, sequential', perPost: 1, concurrency: 1, seconds: options.seconds },
    { name: '1 alert per POST, 16 concurrent', perPost: 1, concurrency: 16, seconds: options.seconds },
    { name: '100 alerts per POST, sequential', perPost: 100, concurrency: 1, total: 40_000 },
  ];
  const out: ModeResult[] = [];
  try {
    // Warm both up (connections, JIT) before measuring.
    for (const target of [am, lookout]) {
      await drive(target.url, target.child.pid, { perPost: 10, concurrency: 1, total: 500, run: 'warmup' });
    }
    for (const mode of modes) {
      const { alertmanager, lookout: lookoutResult } = await alternate(am, lookout, mode);
      out.push({ mode: mode.name, alertmanager, lookout: lookoutResult });
    }
  } finally {
    am.child.kill('SIGTERM');
    lookout.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 500));
    rmSync(dir, { recursive: true, force: true });
    await dropDb?.();
  }
  return { storage: storageUrl.startsWith('sqlite:') ? 'SQLite' : 'PostgreSQL', modes: out };
}

const rate = (r: Result) => Math.round(r.alerts / r.seconds);
const perCpu = (r: Result) => Math.round(r.alerts / r.cpuSeconds);

/** P5: Lookout's alert intake throughput against Alertmanager 0.25's, same stream, same run. */
export async function alertingIntakeBench(
  options: { seconds?: number; postgres?: boolean } = {},
): Promise<BenchResult[]> {
  const { storage, modes } = await compare({
    seconds: options.seconds ?? 5,
    postgres: options.postgres ?? false,
  });
  return modes.map(({ mode, alertmanager: a, lookout: l }) => ({
    name: `alert intake (${storage}), ${mode}: Lookout / Alertmanager 0.25`,
    value: Number((rate(l) / rate(a)).toFixed(2)),
    unit: '×',
    target: '≥ 1',
    pass: rate(l) >= rate(a),
    detail:
      `Alertmanager ${rate(a)}/s (p50 ${quantile(a, 0.5).toFixed(2)} ms, ${perCpu(a)}/CPU-s), ` +
      `Lookout ${rate(l)}/s (p50 ${quantile(l, 0.5).toFixed(2)} ms, ${perCpu(l)}/CPU-s); ` +
      `same unique alerts, posted with node:http over keep-alive connections, ${ROUNDS} alternating rounds; ` +
      'Lookout is `lookout serve` from the compiled build',
  }));
}

async function main(): Promise<void> {
  const { storage, modes } = await compare({
    seconds: Number(flag('--seconds') ?? 5),
    postgres: args.includes('--postgres'),
  });
  const rows = modes.map(({ mode, alertmanager: a, lookout: l }) => [
    mode,
    `${rate(a)}/s (p50 ${quantile(a, 0.5).toFixed(2)} ms, p99 ${quantile(a, 0.99).toFixed(1)} ms; ${perCpu(a)}/CPU-s)`,
    `${rate(l)}/s (p50 ${quantile(l, 0.5).toFixed(2)} ms, p99 ${quantile(l, 0.99).toFixed(1)} ms; ${perCpu(l)}/CPU-s)`,
    `${(rate(l) / rate(a)).toFixed(2)}× (${(perCpu(l) / perCpu(a)).toFixed(2)}× per CPU-s)`,
  ]);
  console.log(`alert intake + routing + grouping, unique alerts, Alertmanager 0.25 vs Lookout (${storage})`);
  console.log(
    '(alerts/s is wall time; alerts per CPU-second of the server process is steadier on a busy machine)',
  );
  const headers = ['mode', 'Alertmanager 0.25', `Lookout (${storage})`, 'Lookout / AM'];
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  for (const line of [headers, ...rows]) console.log(line.map((c, i) => c.padEnd(widths[i]!)).join('  '));
}

// Run only when executed as a script, not when imported by the bench runner.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
