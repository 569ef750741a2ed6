// What simulated containers write to stdout: start-up banners, steady traffic lines, and the
// last words of a crash (a stack trace in the app's language), per kind of image — so that
// `kubectl logs --previous` and Lookout's crash reports show something believable.
import { hashUnit } from '../../random.js';

export interface LineContext {
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly image: string;
  readonly podIP: string;
  /** A stable number for this container instance (varies details between instances). */
  readonly seed: number;
}

export interface LogProfile {
  readonly name: string;
  startup(ctx: LineContext, ts: number): string[];
  /** Steady output: one line every `everyMs` (unscaled), or silence. */
  readonly periodic?: { readonly everyMs: number; line(ctx: LineContext, i: number, ts: number): string };
  /** Last words of a process that fails by itself (non-zero exit). */
  crash(ctx: LineContext, ts: number, exitCode: number): string[];
  /** What it prints on SIGTERM. */
  shutdown(ctx: LineContext, ts: number): string[];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
const iso = (ts: number): string => new Date(ts).toISOString();

function clf(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function pgTime(ts: number): string {
  return iso(ts).replace('T', ' ').replace('Z', ' UTC');
}

function redisTime(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

function pick<T>(items: readonly T[], seed: number, i: number): T {
  return items[Math.floor(hashUnit(seed, i) * items.length)]!;
}

function clientIp(seed: number, i: number): string {
  return `10.244.${Math.floor(hashUnit(seed, i * 7) * 4)}.${1 + Math.floor(hashUnit(seed, i * 13) * 250)}`;
}

const PATHS = [
  '/',
  '/api/orders',
  '/api/cart',
  '/api/users/me',
  '/healthz',
  '/static/app.js',
  '/api/search?q=shoes',
];

const accessLog = (name: string, agent: string): LogProfile => ({
  name,
  startup: (_ctx, ts) =>
    name === 'nginx'
      ? [
          '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
          '/docker-entrypoint.sh: Configuration complete; ready for start up',
          `${iso(ts).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [notice] 1#1: nginx/1.25.4`,
          `${iso(ts).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [notice] 1#1: start worker processes`,
        ]
      : [
          "AH00558: apache2: Could not reliably determine the server's fully qualified domain name, using 10.244.1.7. Set the 'ServerName' directive globally to suppress this message",
          `[${new Date(ts).toUTCString()}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.10 (Debian) PHP/5.6.14 configured -- resuming normal operations`,
        ],
  periodic: {
    everyMs: 4000,
    line: (ctx, i, ts) => {
      const path = pick(PATHS, ctx.seed, i);
      const status = hashUnit(ctx.seed, i + 99) < 0.03 ? 500 : 200;
      const size = 200 + Math.floor(hashUnit(ctx.seed, i + 7) * 5000);
      const ua = path === '/healthz' ? 'kube-probe/1.31' : agent;
      return `${clientIp(ctx.seed, i)} - - [${clf(ts)}] "GET ${path} HTTP/1.1" ${status} ${size} "-" "${ua}"`;
    },
  },
  crash: (_ctx, ts) => [
    `${iso(ts).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [emerg] 1#1: bind() to 0.0.0.0:80 failed (98: Address in use)`,
  ],
  shutdown: (_ctx, ts) => [
    `${iso(ts).slice(0, 19).replace('T', ' ').replace(/-/g, '/')} [notice] 1#1: signal 3 (SIGQUIT) received, shutting down`,
  ],
});

const postgres: LogProfile = {
  name: 'postgres',
  startup: (_ctx, ts) => [
    `${pgTime(ts)} [1] LOG:  starting PostgreSQL 16.2 on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit`,
    `${pgTime(ts)} [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432`,
    `${pgTime(ts)} [1] LOG:  database system is ready to accept connections`,
  ],
  periodic: {
    everyMs: 60_000,
    line: (ctx, i, ts) =>
      `${pgTime(ts)} [${27 + (i % 40)}] LOG:  checkpoint complete: wrote ${Math.floor(hashUnit(ctx.seed, i) * 900)} buffers (${(hashUnit(ctx.seed, i + 1) * 5).toFixed(1)}%); 0 WAL file(s) added, 0 removed, 1 recycled`,
  },
  crash: (_ctx, ts) => [
    `${pgTime(ts)} [1] FATAL:  could not open file "global/pg_filenode.map": Permission denied`,
    `${pgTime(ts)} [1] LOG:  database system is shut down`,
  ],
  shutdown: (_ctx, ts) => [
    `${pgTime(ts)} [1] LOG:  received fast shutdown request`,
    `${pgTime(ts)} [1] LOG:  database system is shut down`,
  ],
};

const redis: LogProfile = {
  name: 'redis',
  startup: (_ctx, ts) => [
    `1:C ${redisTime(ts)} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo`,
    `1:M ${redisTime(ts)} * Running mode=standalone, port=6379.`,
    `1:M ${redisTime(ts)} * Ready to accept connections tcp`,
  ],
  periodic: {
    everyMs: 300_000,
    line: (ctx, i, ts) =>
      `1:M ${redisTime(ts)} * ${10 + Math.floor(hashUnit(ctx.seed, i) * 90)} changes in 300 seconds. Saving...`,
  },
  crash: (_ctx, ts) => [
    `1:M ${redisTime(ts)} # Can't handle RDB format version 12`,
    `1:M ${redisTime(ts)} # Fatal error loading the DB: Invalid argument. Exiting.`,
  ],
  shutdown: (_ctx, ts) => [
    `1:signal-handler (${Math.floor(ts / 1000)}) Received SIGTERM scheduling shutdown...`,
    `1:M ${redisTime(ts)} # Redis is now ready to exit, bye bye...`,
  ],
};

const OPS = ['handled request', 'order created', 'cache refreshed', 'payment authorised', 'queue drained'];

function jsonApp(language: 'java' | 'node' | 'python' | 'go'): LogProfile {
  return {
    name: language,
    startup: (ctx, ts) => [
      JSON.stringify({
        level: 'info',
        ts: iso(ts),
        msg: 'starting',
        service: ctx.container,
        version: '1.8.0',
      }),
      JSON.stringify({
        level: 'info',
        ts: iso(ts + 40),
        msg: 'connected to database',
        host: `postgres.${ctx.namespace}.svc:5432`,
      }),
      JSON.stringify({ level: 'info', ts: iso(ts + 80), msg: 'listening', addr: ':8080' }),
    ],
    periodic: {
      everyMs: 5000,
      line: (ctx, i, ts) =>
        JSON.stringify({
          level: hashUnit(ctx.seed, i + 5) < 0.04 ? 'warn' : 'info',
          ts: iso(ts),
          msg: pick(OPS, ctx.seed, i),
          path: pick(PATHS, ctx.seed, i + 3),
          status: 200,
          duration_ms: 2 + Math.floor(hashUnit(ctx.seed, i + 11) * 120),
        }),
    },
    crash: (ctx, ts, exitCode) => crashTrace(language, ctx, ts, exitCode),
    shutdown: (_ctx, ts) => [
      JSON.stringify({ level: 'info', ts: iso(ts), msg: 'received SIGTERM, draining connections' }),
    ],
  };
}

function crashTrace(language: string, ctx: LineContext, ts: number, exitCode: number): string[] {
  const dbHost = `postgres.${ctx.namespace}.svc.cluster.local`;
  switch (language) {
    case 'java':
      return [
        JSON.stringify({ level: 'error', ts: iso(ts), msg: 'application run failed' }),
        `Exception in thread "main" java.lang.IllegalStateException: Failed to obtain JDBC connection from ${dbHost}:5432`,
        '\tat com.acme.orders.db.ConnectionPool.acquire(ConnectionPool.java:118)',
        '\tat com.acme.orders.OrderService.<init>(OrderService.java:42)',
        '\tat com.acme.orders.Application.main(Application.java:27)',
        'Caused by: org.postgresql.util.PSQLException: Connection to postgres:5432 refused. Check that the hostname and port are correct and that the postmaster is accepting TCP/IP connections.',
        '\t... 3 more',
      ];
    case 'node':
      return [
        'node:internal/process/promises:289',
        '            triggerUncaughtException(err, true /* fromPromise */);',
        '            ^',
        '',
        `Error: connect ECONNREFUSED 10.96.${ctx.seed % 250}.${(ctx.seed >> 8) % 250}:6379`,
        '    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1555:16) {',
        "  errno: -111,\n  code: 'ECONNREFUSED',\n  syscall: 'connect'\n}",
        '',
        'Node.js v20.11.1',
      ];
    case 'python':
      return [
        'Traceback (most recent call last):',
        '  File "/app/main.py", line 58, in <module>',
        '    app = create_app(settings)',
        '  File "/app/service/factory.py", line 21, in create_app',
        '    settings.require("PAYMENT_API_KEY")',
        '  File "/app/service/config.py", line 44, in require',
        '    raise KeyError(f"missing required setting {name}")',
        "KeyError: 'missing required setting PAYMENT_API_KEY'",
      ];
    default:
      return [
        `time=${iso(ts)} level=ERROR msg="unexpected nil in response" exit=${exitCode}`,
        'panic: runtime error: invalid memory address or nil pointer dereference',
        `[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x${(0x6a0000 + (ctx.seed % 0xffff)).toString(16)}]`,
        '',
        'goroutine 1 [running]:',
        'main.(*worker).process(0xc0001a4000, {0x0, 0x0})',
        '\t/src/cmd/worker/main.go:88 +0x5c',
        'main.main()',
        '\t/src/cmd/worker/main.go:41 +0x1f7',
      ];
  }
}

const silent: LogProfile = {
  name: 'silent',
  startup: () => [],
  crash: () => [],
  shutdown: () => [],
};

export const LOG_PROFILES: Readonly<Record<string, LogProfile>> = {
  nginx: accessLog('nginx', 'Mozilla/5.0 (X11; Linux x86_64)'),
  apache: accessLog('apache', 'Wget'),
  postgres,
  redis,
  java: jsonApp('java'),
  node: jsonApp('node'),
  python: jsonApp('python'),
  go: jsonApp('go'),
  silent,
};

/** The profile that fits an image best, by name; unknown images get a stable language. */
export function profileForImage(image: string, seed: number): LogProfile {
  const i = image.toLowerCase();
  if (i.includes('nginx')) return LOG_PROFILES.nginx!;
  if (i.includes('httpd') || i.includes('php') || i.includes('hpa-example')) return LOG_PROFILES.apache!;
  if (i.includes('postgres')) return LOG_PROFILES.postgres!;
  if (i.includes('redis')) return LOG_PROFILES.redis!;
  if (/busybox|alpine|ubuntu|debian|curl|pause|kube-proxy|coredns|fluent|node-exporter/.test(i))
    return LOG_PROFILES.silent!;
  return LOG_PROFILES[pick(['java', 'node', 'python', 'go'], seed, 0)]!;
}
