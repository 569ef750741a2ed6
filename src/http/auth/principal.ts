// Who is making a request, as the auth middleware established it, and what role they act in.
// Handlers read it with `c.get('principal')`; it is absent only on open paths.
export type PrincipalRole = 'viewer' | 'admin' | 'ingest';

export interface Principal {
  readonly name: string;
  readonly role: PrincipalRole;
  /**
   * `session`: a browser signed in with a cookie. `token`: an `Authorization: Bearer` token.
   * `open`: `http.auth.mode: none` (loopback only), where everyone is an admin.
   */
  readonly via: 'session' | 'token' | 'open';
  /** What forms and scripts must send back on changes (sessions and open mode). */
  readonly csrfToken?: string | undefined;
}

declare module 'hono' {
  interface ContextVariableMap {
    principal: Principal;
  }
}

export function isAdmin(p: Principal | undefined): boolean {
  return p?.role === 'admin';
}
