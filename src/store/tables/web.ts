// The web UI's access records: sign-in sessions and API tokens (the bootstrap admin token is
// the one token row with slot "bootstrap"). Secrets are stored only as SHA-256 hashes.
import type { Generated } from 'kysely';

export interface WebSessionTable {
  /** SHA-256 (hex) of the session cookie's value. */
  id_hash: string;
  user_name: string;
  /** `viewer` or `admin` when the session began; config accounts are re-checked on each request. */
  role: string;
  /** How the user signed in: `password` (an http.auth.users account) or `token`. */
  method: string;
  /** The token forms and scripts of this session send back (CSRF protection). */
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string | null;
}

export interface WebApiTokenTable {
  id: Generated<number>;
  name: string;
  /** `viewer`, `admin` or `ingest` (may only push alerts). */
  role: string;
  /** SHA-256 (hex) of the token. */
  token_hash: string;
  /** `bootstrap` for the bootstrap admin token; null for tokens admins create. */
  slot: string | null;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

export interface WebTables {
  web_sessions: WebSessionTable;
  web_api_tokens: WebApiTokenTable;
}
