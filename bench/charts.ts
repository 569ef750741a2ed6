// Chart render time per query (target: under 150 ms per chart, PNG included): renders each
// query's sample result (six hours, up to 14 series, 241 points each) repeatedly and prints
// p50/p95 of the whole render, its two halves (SVG by ECharts, PNG by resvg) and the CPU
// time it took (wall time on a shared machine includes waiting for a core).
// Run alone: npx tsx bench/charts.ts [iterations]; `npm run bench` runs it with the rest.
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ChartRenderer } from '../src/charts/chart-renderer.js';
import { QUERY_NAMES } from '../src/domain/query.js';
import { sampleResult } from '../test/charts/samples.js';
import type { BenchResult } from './report.js';

const TARGET_MS = 150;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

export async function chartsBench(iterations = 30): Promise<BenchResult[]> {
  const renderer = new ChartRenderer();
  const rows: string[][] = [];
  let worstP95 = 0;
  let worstCpu = 0;
  let worstName = '';
  for (const name of QUERY_NAMES) {
    const result = sampleResult(name);
    // Warm-up: JIT, font loading, ECharts' first layout.
    for (let i = 0; i < 3; i++) await renderer.render(result);
    const total: number[] = [];
    const svg: number[] = [];
    const png: number[] = [];
    const cpu: number[] = [];
    let bytes = 0;
    let size = '';
    for (let i = 0; i < iterations; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const drawn = renderer.svg(result);
      const t1 = performance.now();
      const image = await renderer.rasterise(drawn);
      const t2 = performance.now();
      const used = process.cpuUsage(c0);
      // CPU time of all threads (resvg renders on the libuv pool): what the chart itself costs,
      // whatever else the machine is doing.
      cpu.push((used.user + used.system) / 1000);
      svg.push(t1 - t0);
      png.push(t2 - t1);
      total.push(t2 - t0);
      bytes = image.png.length;
      size = `${image.width}×${image.height}`;
    }
    const p95 = percentile(total, 95);
    if (p95 > worstP95) {
      worstP95 = p95;
      worstName = name;
    }
    worstCpu = Math.max(worstCpu, percentile(cpu, 50));
    rows.push([
      name,
      result.kind,
      percentile(total, 50).toFixed(1),
      p95.toFixed(1),
      percentile(svg, 50).toFixed(1),
      percentile(png, 50).toFixed(1),
      percentile(cpu, 50).toFixed(1),
      size,
      `${Math.round(bytes / 1024)} KiB`,
    ]);
  }
  const header = ['query', 'kind', 'p50 ms', 'p95 ms', 'svg p50', 'png p50', 'cpu p50', 'pixels', 'size'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  // Other work on the machine inflates every number; say how busy it was.
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  console.log(`chart render, ${iterations} iterations per query (target p95 < ${TARGET_MS} ms)`);
  console.log(`machine: ${cpus().length} CPUs, load average ${load}`);
  console.log(line(header));
  for (const row of rows) console.log(line(row));
  console.log(`worst p95: ${worstP95.toFixed(1)} ms — ${worstP95 < TARGET_MS ? 'within' : 'OVER'} target`);
  return [
    {
      name: 'Chart PNG render, worst query p95',
      value: Math.round(worstP95 * 10) / 10,
      unit: 'ms',
      target: `< ${TARGET_MS} ms`,
      pass: worstP95 < TARGET_MS,
      detail: `${QUERY_NAMES.length} queries × ${iterations} renders (six hours, up to 14 series); worst is ${worstName}; CPU p50 at most ${worstCpu.toFixed(1)} ms; load average ${load}`,
    },
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await chartsBench(Number(process.argv[2] ?? 30));
}
