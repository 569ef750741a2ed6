// Random secrets for sessions and tokens, their SHA-256 digests (what the database keeps), and
// a comparison that takes the same time whatever the input.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url, after a prefix that says what it is (`lk_api_…`). */
export function randomToken(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time string equality (for CSRF tokens). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(sha256Hex(a), 'hex');
  const y = Buffer.from(sha256Hex(b), 'hex');
  return timingSafeEqual(x, y) && a.length === b.length;
}

/** Prefixes of the secrets Lookout hands out, so secret scanners and people can tell them apart. */
export const TOKEN_PREFIX = { api: 'lk_api_', bootstrap: 'lk_boot_', session: '' } as const;
