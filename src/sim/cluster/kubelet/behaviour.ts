// How a simulated container behaves once started: how long it takes to become ready, whether
// and when it exits (and with what), whether it leaks memory towards its limit, whether its
// probes start failing, and what it logs. Scenarios register behaviours per image; a
// `sh -c` script with echo/sleep/exit is interpreted, as users write them in test pods.
import type { IContainer } from 'kubernetes-models/v1/Container';
import { normalizeImage } from './images.js';
import { LOG_PROFILES, profileForImage, type LogProfile } from './log-profiles.js';

/** A range of unscaled milliseconds; a value is drawn per container instance. */
export type MsRange = readonly [number, number];

export interface Behaviour {
  /** From Started until the app would pass a readiness check. */
  readonly startupMs: MsRange;
  /** The process exits by itself. */
  readonly exit?: {
    readonly afterMs: MsRange;
    readonly code: number;
    /** Extra lines printed just before exiting (besides the profile's crash trace). */
    readonly lastWords?: readonly string[];
  };
  /** Working set grows this fast until the memory limit, then the kernel kills it (OOMKilled). */
  readonly memoryLeakBytesPerSecond?: number;
  /** The liveness probe starts failing this long after start (needs a livenessProbe). */
  readonly livenessFailsAfterMs?: MsRange;
  /** The readiness probe fails on and off (needs a readinessProbe). */
  readonly readinessFlap?: { readonly upMs: MsRange; readonly downMs: MsRange };
  /** Typical usage when idle; defaults derive from requests. */
  readonly usage?: { readonly cpuMilli?: number; readonly memoryBytes?: number };
  /** Time to shut down on SIGTERM. */
  readonly shutdownMs?: MsRange;
  readonly logs: LogProfile;
  /** Lines the script echoes, in order, with the delay (ms) before each. */
  readonly script?: ReadonlyArray<{ readonly delayMs: number; readonly text: string }>;
}

export type BehaviourSpec = Partial<Omit<Behaviour, 'logs'>> & {
  logs?: LogProfile | keyof typeof LOG_PROFILES;
};

const DEFAULT_STARTUP: MsRange = [800, 2500];
const QUICK_COMMANDS = new Set([
  'true',
  'cat',
  'ls',
  'date',
  'env',
  'printenv',
  'printf',
  'cd',
  'export',
  'set',
  'mkdir',
  'touch',
  'rm',
]);

/** Behaviours by image, with what a command line implies when nothing is registered. */
export class BehaviourCatalog {
  readonly #byImage = new Map<string, BehaviourSpec>();

  set(image: string, spec: BehaviourSpec): void {
    this.#byImage.set(normalizeImage(image), spec);
  }

  clear(image: string): void {
    this.#byImage.delete(normalizeImage(image));
  }

  /** The behaviour of `container`; `seed` picks a log style for unknown images. */
  forContainer(container: IContainer, seed: number): Behaviour {
    const registered = this.#byImage.get(normalizeImage(container.image ?? ''));
    const fromCommand = interpretCommand([...(container.command ?? []), ...(container.args ?? [])]);
    const base: Behaviour = {
      startupMs: DEFAULT_STARTUP,
      logs: profileForImage(container.image ?? '', seed),
      ...fromCommand,
    };
    if (!registered) return base;
    const { logs, ...rest } = registered;
    return {
      ...base,
      ...rest,
      logs: typeof logs === 'string' ? (LOG_PROFILES[logs] ?? base.logs) : (logs ?? base.logs),
    };
  }
}

/**
 * What a command line does, for the commands test pods use: `sh -c "echo x; sleep 5; exit 3"`,
 * `sleep 3600`, `false`, `true`. Anything else runs until stopped.
 */
export function interpretCommand(argv: readonly string[]): Partial<Behaviour> {
  if (argv.length === 0) return {};
  const program = (argv[0] ?? '').split('/').pop() ?? '';
  if (['sh', 'bash', 'ash', 'dash'].includes(program) && argv.includes('-c')) {
    const script = argv[argv.indexOf('-c') + 1] ?? '';
    return interpretScript(script);
  }
  if (program === 'sleep') return finite(seconds(argv[1]), 0, []);
  if (program === 'false') return finite(0, 1, []);
  if (program === 'true') return finite(0, 0, []);
  return {};
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined || text === 'infinity') return undefined;
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(text);
  if (!m) return undefined;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

function finite(
  secondsToRun: number | undefined,
  code: number,
  lines: Array<{ delayMs: number; text: string }>,
): Partial<Behaviour> {
  const base: Partial<Behaviour> = { startupMs: [0, 0], logs: LOG_PROFILES.silent!, script: lines };
  if (secondsToRun === undefined) return base;
  const ms = Math.max(50, secondsToRun * 1000);
  return { ...base, exit: { afterMs: [ms, ms], code } };
}

function interpretScript(script: string): Partial<Behaviour> {
  if (/\bwhile\b|\buntil\b|tail\s+-f|sleep\s+infinity/.test(script)) {
    // A loop: runs until stopped, echoing its first echo once per `sleep` of the loop.
    const echo = /echo\s+(["']?)(.*?)\1\s*(?:;|&&|$|\n)/.exec(script)?.[2];
    const period = seconds(/sleep\s+(\S+?)\s*(?:;|&&|$|\n)/.exec(script)?.[1]) ?? 1;
    const logs: LogProfile = {
      name: 'script',
      startup: () => [],
      ...(echo !== undefined ? { periodic: { everyMs: period * 1000, line: () => echo } } : {}),
      crash: () => [],
      shutdown: () => [],
    };
    return { startupMs: [0, 0], logs };
  }
  const lines: Array<{ delayMs: number; text: string }> = [];
  let elapsed = 0;
  let pendingDelay = 0;
  let code = 0;
  let exited = false;
  let server = false;
  for (const raw of script.split(/;|&&|\n/)) {
    const stmt = raw.trim();
    if (!stmt) continue;
    const [cmd, ...rest] = stmt.split(/\s+/);
    if (cmd === 'echo') {
      lines.push({ delayMs: pendingDelay, text: rest.join(' ').replace(/^(["'])(.*)\1$/, '$2') });
      pendingDelay = 0;
    } else if (cmd === 'sleep') {
      const s = seconds(rest[0]) ?? 0;
      elapsed += s * 1000;
      pendingDelay += s * 1000;
    } else if (cmd === 'exit') {
      code = Number(rest[0] ?? 0) || 0;
      exited = true;
      break;
    } else if (cmd === 'false') {
      code = 1;
      exited = true;
      break;
    } else if (!QUICK_COMMANDS.has(cmd ?? '')) {
      server = true; // something we do not know: assume it serves until stopped
    }
  }
  if (server && !exited) return { startupMs: [0, 0], logs: LOG_PROFILES.silent!, script: lines };
  return finite(elapsed / 1000, code, lines);
}
