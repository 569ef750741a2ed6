// Building blocks for the configuration schema: strict objects, durations, secrets and
// listen addresses, each with an error message that says what was expected.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { formatDuration, parseDuration } from '../lib/duration.js';
import { Secret } from '../lib/secret.js';

/**
 * Schemas whose parsed value is not what the user wrote (a duration in ms, a host/port pair):
 * `config print` turns the value back into the user's notation with the registered function.
 */
export const printers = new WeakMap<z.ZodType, (value: never) => unknown>();

/** A strict object: unknown keys are errors (reported with a "did you mean" hint). */
export function obj<T extends z.core.$ZodLooseShape>(shape: T): z.ZodObject<T, z.core.$strict> {
  return z.strictObject(shape);
}

/** A duration such as `30s`, `5m`, `1h30m`, parsed to milliseconds. */
export function duration(): z.ZodType<number, string> {
  const schema = z.unknown().transform((value, ctx) => {
    const ms = typeof value === 'string' ? parseDuration(value) : undefined;
    if (ms === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a duration (examples: 30s, 5m, 1h)`,
      });
      return z.NEVER;
    }
    return ms;
  }) as unknown as z.ZodType<number, string>;
  printers.set(schema, (ms: number) => formatDuration(ms));
  return schema;
}

/** A secret string (token, password). Parsed into a {@link Secret} that never prints itself. */
export function secret(): z.ZodType<Secret, string> {
  return z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .transform((s) => new Secret(s));
}

/** A URL that may carry credentials (a webhook URL, a database URL). */
export function secretUrl(): z.ZodType<Secret, string> {
  return z
    .string({ error: 'must be a URL' })
    .refine((s) => URL.canParse(s), { message: 'is not a valid URL' })
    .transform((s) => Secret.fromUrl(s));
}

/** Reads a secret from a file, as Alertmanager's `*_file` options do. Trailing newlines are dropped. */
export function readSecretFile(path: string, ctx: z.RefinementCtx, key: string): Secret | undefined {
  try {
    const text = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (text === '') {
      ctx.addIssue({ code: 'custom', path: [key], message: `file ${JSON.stringify(path)} is empty` });
      return undefined;
    }
    return new Secret(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.addIssue({ code: 'custom', path: [key], message: `cannot read ${JSON.stringify(path)} (${code})` });
    return undefined;
  }
}

/** `host:port` for a listening socket; port 0 picks a free one. */
export function listenAddress(): z.ZodType<{ host: string; port: number }, string> {
  const schema = z.string().transform((value, ctx) => {
    const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(value);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port > 65535) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value)} is not a listen address (examples: 127.0.0.1:8080, 0.0.0.0:8080, [::1]:8080)`,
      });
      return z.NEVER;
    }
    return { host: match[1] ?? (match[2] || '0.0.0.0'), port };
  }) as unknown as z.ZodType<{ host: string; port: number }, string>;
  printers.set(
    schema,
    (v: { host: string; port: number }) => `${v.host.includes(':') ? `[${v.host}]` : v.host}:${v.port}`,
  );
  return schema;
}

/** A Kubernetes-style name: lower-case letters, digits and '-', starting and ending alphanumeric. */
export function dnsLabel(): z.ZodString {
  return z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and "-" (like a-b-1)');
}
