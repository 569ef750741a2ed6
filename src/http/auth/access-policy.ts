// What each role may do: viewers read, admins read and change, ingest tokens only push alerts.
// A few readable areas (chat users, the audit log, API tokens) are for admins alone.
import type { Principal } from './principal.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths (prefixes) only admins may read. */
const ADMIN_ONLY = ['/api/v1/chat/', '/api/v1/audit', '/api/v1/auth/tokens', '/ui/users', '/ui/access'];

/** What an `ingest` token may call: the two ways alerts come in. */
const INGEST = new Set(['POST /api/v2/alerts', 'POST /api/v1/intake/alertmanager']);

/** Changes any signed-in user may make to their own sign-in. */
const OWN = new Set(['POST /ui/logout']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

function under(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`);
}

/** Undefined when allowed; otherwise why not, in words for the user. */
export function denial(who: Principal, method: string, path: string): string | undefined {
  const m = method.toUpperCase();
  if (who.role === 'admin') return undefined;
  if (who.role === 'ingest') {
    return INGEST.has(`${m} ${path}`)
      ? undefined
      : `the token "${who.name}" may only push alerts (POST /api/v2/alerts, POST /api/v1/intake/alertmanager)`;
  }
  if (OWN.has(`${m} ${path}`)) return undefined;
  if (ADMIN_ONLY.some((p) => under(path, p))) return `only admins may see this; ${who.name} is a viewer`;
  if (!isSafeMethod(m)) return `${who.name} is a viewer and may only read; an admin can make this change`;
  return undefined;
}
