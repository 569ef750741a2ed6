// `storage:` — where Lookout keeps its history: embedded SQLite (default) or PostgreSQL.
import { z } from 'zod';
import { Secret } from '../../lib/secret.js';
import { obj } from '../schema-kit.js';

export const DEFAULT_STORAGE_URL = 'sqlite:./lookout-data/lookout.db';

const storageUrl = z.string().transform((value, ctx) => {
  if (value.startsWith('sqlite:')) {
    if (value.length === 'sqlite:'.length) {
      ctx.addIssue({
        code: 'custom',
        message: 'sqlite: needs a file path (example: sqlite:./lookout-data/lookout.db)',
      });
      return z.NEVER;
    }
    return new Secret(value, value);
  }
  if (/^postgres(ql)?:\/\//.test(value) && URL.canParse(value)) return Secret.fromUrl(value);
  ctx.addIssue({
    code: 'custom',
    message: `${JSON.stringify(value.replace(/:[^:@/]*@/, ':<redacted>@'))} is not a storage URL (examples: sqlite:./lookout-data/lookout.db, postgres://user:password@host:5432/lookout)`,
  });
  return z.NEVER;
});

export const storageSchema = obj({
  /** `sqlite:<path>` or `postgres://user:password@host:port/db`. */
  url: storageUrl.prefault(DEFAULT_STORAGE_URL),
  /** Connections in the PostgreSQL pool (ignored for SQLite, which uses one connection). */
  pool_size: z.number().int().min(1).max(100).default(10),
});

export type StorageConfig = z.output<typeof storageSchema>;
