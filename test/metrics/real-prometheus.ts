// Starts Debian's real Prometheus and node-exporter on loopback for a test file: temp config and
// TSDB, free ports, fast scrapes. Stops exactly the processes it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errorMessage } from '../../src/lib/errors.js';
import { freePort } from '../support/ports.js';
import { tempDir } from '../support/tmp.js';

export interface RealPrometheus {
  readonly url: string;
  /** The node name node-exporter reports (`node_uname_info{nodename}`): this host's name. */
  readonly nodename: string;
  /** Instant query straight to the HTTP API (at `timeMs`, default now), for cross-checks. */
  query(
    expr: string,
    timeMs?: number,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]>;
  /** Waits until `expr` returns at least `count` series (or `timeoutMs` passes). */
  waitFor(expr: string, count?: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface RealPrometheusOptions {
  /** host:port of extra targets scraped with honor_labels (the fixture exporter). */
  readonly fixtureTargets?: readonly string[];
  readonly scrapeIntervalSeconds?: number;
  /** Basic auth on Prometheus' own web server (web.config.file); the harness uses it too. */
  readonly basicAuth?: { readonly username: string; readonly password: string; readonly bcryptHash: string };
}

export async function startRealPrometheus(options: RealPrometheusOptions): Promise<RealPrometheus> {
  const dir = tempDir('lookout-prom-');
  const processes: ChildProcess[] = [];
  const interval = options.scrapeIntervalSeconds ?? 1;
  const nodename = hostname();
  try {
    const nodePort = await freePort();
    const nodeExporter = spawnLogged(
      'prometheus-node-exporter',
      [`--web.listen-address=127.0.0.1:${nodePort}`, '--no-collector.systemd'],
      dir.path,
      'node-exporter',
    );
    processes.push(nodeExporter);
    const promPort = await freePort();
    const config = [
      'global:',
      `  scrape_interval: ${interval}s`,
      `  scrape_timeout: ${interval}s`,
      `  evaluation_interval: ${interval}s`,
      'scrape_configs:',
      '  - job_name: node',
      `    static_configs: [ { targets: ['127.0.0.1:${nodePort}'] } ]`,
      // The relabelled node name lets tests check the node_label convention as well.
      `    relabel_configs: [ { target_label: kubernetes_node, replacement: '${nodename}' } ]`,
      ...(options.fixtureTargets?.length
        ? [
            '  - job_name: fixture',
            '    honor_labels: true',
            `    static_configs: [ { targets: [${options.fixtureTargets.map((t) => `'${t}'`).join(', ')}] } ]`,
          ]
        : []),
      '',
    ].join('\n');
    const configPath = join(dir.path, 'prometheus.yml');
    writeFileSync(configPath, config);
    const extraArgs: string[] = [];
    const headers: Record<string, string> = {};
    if (options.basicAuth) {
      const webConfig = join(dir.path, 'web.yml');
      writeFileSync(
        webConfig,
        `basic_auth_users:\n  ${options.basicAuth.username}: '${options.basicAuth.bcryptHash}'\n`,
      );
      extraArgs.push(`--web.config.file=${webConfig}`);
      headers.Authorization = `Basic ${Buffer.from(`${options.basicAuth.username}:${options.basicAuth.password}`).toString('base64')}`;
    }
    const url = `http://127.0.0.1:${promPort}`;
    processes.push(
      spawnLogged(
        'prometheus',
        [
          `--config.file=${configPath}`,
          `--storage.tsdb.path=${join(dir.path, 'data')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          `--web.external-url=${url}/`,
          '--log.level=warn',
          ...extraArgs,
        ],
        dir.path,
        'prometheus',
      ),
    );
    await poll(async () => (await fetch(`${url}/-/ready`, { headers })).ok, 20_000, 'Prometheus to be ready');
    const query = async (
      expr: string,
      timeMs?: number,
    ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> => {
      const params = new URLSearchParams({ query: expr });
      if (timeMs !== undefined) params.set('time', String(timeMs / 1000));
      const response = await fetch(`${url}/api/v1/query?${params}`, { headers });
      const body = (await response.json()) as { status: string; data: { result: never[] }; error?: string };
      if (body.status !== 'success') throw new Error(`query failed: ${body.error}`);
      return body.data.result;
    };
    return {
      url,
      nodename,
      query,
      waitFor: (expr, count = 1, timeoutMs = 30_000) =>
        poll(async () => (await query(expr)).length >= count, timeoutMs, `${count} series of ${expr}`),
      stop: async () => {
        await Promise.all(processes.map(stopProcess));
        dir.remove();
      },
    };
  } catch (error) {
    await Promise.all(processes.map(stopProcess));
    dir.remove();
    throw error;
  }
}

function spawnLogged(command: string, args: string[], cwd: string, name: string): ChildProcess {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && signal === null) {
      console.error(`${name} exited with ${code}: ${stderr}`);
    }
  });
  return child;
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function poll(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${errorMessage(last)})` : ''}`,
  );
}
