// pino logging: JSON lines to stderr (or pretty for humans), one child logger per component,
// secrets redacted twice — by key (redact paths) and by value (the scrubber on every line).
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type { SecretScrubber } from '../lib/secret.js';

export type { Logger } from 'pino';
export type LogFormat = 'json' | 'pretty';
export const LOG_LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

export interface LoggerOptions {
  readonly level?: LevelWithSilent;
  readonly format?: LogFormat;
  /** Known secret values; any log line containing one has it replaced by `<redacted>`. */
  readonly scrubber?: SecretScrubber;
  /** Where lines go; default stderr. Tests pass a collecting stream. */
  readonly destination?: NodeJS.WritableStream;
}

/** Keys whose values never reach a log line, wherever they appear. */
export const REDACT_PATHS = [
  'token',
  'bot_token',
  'password',
  'secret',
  'authorization',
  'api_url',
  '*.token',
  '*.bot_token',
  '*.password',
  '*.secret',
  '*.authorization',
  '*.api_url',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
];

export function createLogger(options: LoggerOptions = {}): Logger {
  const scrubber = options.scrubber;
  const target = options.destination ?? process.stderr;
  const format = options.format ?? 'json';
  let destination: NodeJS.WritableStream = target;
  if (format === 'pretty') {
    // pino-pretty as a stream in this thread: simple, and the scrubber still sees every line.
    destination = createPrettyStream(target);
  }
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: 'lookout' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '<redacted>' },
      formatters: { level: (label) => ({ level: label }) },
      hooks: scrubber ? { streamWrite: (line: string) => scrubber.scrub(line) } : {},
    },
    destination,
  );
}

function createPrettyStream(target: NodeJS.WritableStream): NodeJS.WritableStream {
  // pino-pretty is loaded lazily: only people who ask for pretty output pay for it.
  let pretty: NodeJS.WritableStream | undefined;
  const pending: string[] = [];
  const load = import('pino-pretty').then((mod) => {
    pretty = mod.default({
      destination: target as never,
      colorize: false,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
    });
    for (const line of pending.splice(0)) pretty.write(line);
  });
  load.catch(() => undefined);
  return new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = chunk.toString();
      if (pretty) pretty.write(line);
      else pending.push(line);
      done();
    },
  });
}

/** A logger that drops everything: for tests and for commands that print their own output. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
