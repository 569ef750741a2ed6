// Benchmark P1: a container crash in the simulated cluster → the Telegram request reaching the
// local Bot API server, with the previous container's log fetched first and group_wait 0s.
// The cluster runs in its own process; Lookout and the Telegram server in this one.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../src/config/index.js';
import { createLookout } from '../src/main.js';
import { silentLogger } from '../src/telemetry/logger.js';
import { FakeTelegram } from '../test/fakes/telegram-server.js';
import { tempDir } from '../test/support/tmp.js';
import type { BenchResult } from './report.js';

const CONTROL = fileURLToPath(new URL('./support/sim-control.ts', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const now = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function crashLatency(samples = 36): Promise<BenchResult[]> {
  const dir = tempDir('lookout-bench-latency-');
  const kubeconfig = join(dir.path, 'kubeconfig');
  const child = spawn(process.execPath, ['--import', 'tsx', CONTROL, kubeconfig], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const next = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
  const ready = await next();
  const pods = ready.split(' ')[2]!.split(',');
  const telegram = await FakeTelegram.start({ now });
  const received: number[] = [];
  const config = parseConfig(
    [
      `storage: { url: "sqlite:${join(dir.path, 'lookout.db')}" }`,
      'http: { listen: "127.0.0.1:0", auth: { mode: none } }',
      `clusters: [ { name: bench, kubeconfig: "${kubeconfig}" } ]`,
      'alerting:',
      '  route: { receiver: tg, group_by: ["..."], group_wait: 0s, group_interval: 5m, repeat_interval: 4h }',
      `  receivers: [ { name: tg, telegram_configs: [ { bot_token: "123456:bench-token", chat_id: 424242, api_url: "${telegram.url}" } ] } ]`,
    ].join('\n'),
    { env: {} },
  );
  const lookout = await createLookout({ config, log: silentLogger() });
  const stages = new Map<string, Record<string, number>>();
  if (process.env.LOOKOUT_BENCH_STAGES) {
    lookout.pipeline.ingest.onUpdate((updates) => {
      for (const u of updates) for (const c of u.crashes) stages.set(c.pod, { recorded: now() });
    });
    lookout.pipeline.crashLogs.onComplete((c) => {
      const s = stages.get(c.pod);
      if (s) s.logs = now();
    });
  }
  await lookout.start();
  try {
    while ((await fetch(`${lookout.url}/readyz`)).status !== 200) await sleep(50);
    await sleep(1000);
    const latencies: number[] = [];
    const kubelet: number[] = [];
    for (let i = 0; i < samples; i++) {
      const pod = pods[i % pods.length]!;
      const [ns, name] = pod.split('/');
      const before = telegram.calls.length;
      child.stdin.write(`crash ${ns} ${name}\n`);
      const answer = await next();
      if (!answer.startsWith('crashed')) continue;
      const crashedAt = Number(answer.split(' ')[1]);
      const visibleAt = Number(answer.split(' ')[2]);
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const call = telegram.calls
          .slice(before)
          .find(
            (c) =>
              c.method === 'sendMessage' &&
              (typeof c.params.text === 'string' ? c.params.text : '').includes(name!),
          );
        if (call) {
          received.push(call.at);
          latencies.push(call.at - visibleAt);
          kubelet.push(visibleAt - crashedAt);
          const st = stages.get(name!);
          if (st)
            console.error(
              `${name}: recorded +${(st.recorded! - visibleAt).toFixed(1)} logs +${((st.logs ?? NaN) - visibleAt).toFixed(1)} sent +${(call.at - visibleAt).toFixed(1)}`,
            );
          break;
        }
        await new Promise((r) => setImmediate(r));
      }
      // Telegram allows about one message per second in a chat (Lookout honours it): space the
      // crashes so every message is measured unthrottled.
      await sleep(2000);
    }
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    return [
      {
        name: 'Crash → Telegram request, p50 (P1)',
        value: Math.round(p50 * 10) / 10,
        unit: 'ms',
        target: '< 30 ms',
        pass: p50 < 30,
        detail: `${latencies.length} crashes of different pods, timed from the moment the API server published the terminated container (median kubelet delay before that: ${percentile(
          [...kubelet].sort((a, b) => a - b),
          50,
        ).toFixed(
          0,
        )} ms); watch event, previous-log fetch, crash record, rule, routing (group_wait 0s), outbox, dispatcher, sendMessage; min ${latencies[0]?.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
      },
      {
        name: 'Crash → Telegram request, p99 (P1)',
        value: Math.round(p99 * 10) / 10,
        unit: 'ms',
        target: '< 100 ms',
        pass: p99 < 100,
      },
    ];
  } finally {
    await lookout.stop();
    await telegram.close();
    child.kill();
    dir.remove();
  }
}
