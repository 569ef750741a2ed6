// The dead-letter API: list notifications Lookout gave up on, and put one back in the queue.
// GET /api/v1/notifications/dead, POST /api/v1/notifications/{id}/resend.
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { HttpMount } from '../http/app.js';
import { ApiError } from '../http/errors.js';
import type { Database } from '../store/database.js';
import { getOutboxRow, listDeadLetters, resendDeadLetter } from '../store/repos/outbox-repo.js';

export interface DeadLetterRoutesOptions {
  readonly db: Kysely<Database>;
  readonly now: () => number;
  /** Called after a resend so the dispatcher sends it at once. */
  readonly wake?: () => void;
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new ApiError(400, 'bad_request', `${name} must be a positive integer`);
  }
  return Number(value);
}

export function deadLetterRoutes(options: DeadLetterRoutesOptions): HttpMount {
  return (app: Hono) => {
    app.get('/api/v1/notifications/dead', async (c) => {
      const limit = positiveInt(c.req.query('limit'), 'limit');
      const before = positiveInt(c.req.query('before'), 'before');
      const receiver = c.req.query('receiver') || undefined;
      const letters = await listDeadLetters(options.db, { receiver, limit, beforeId: before });
      return c.json({
        dead_letters: letters.map((d) => ({
          id: d.id,
          receiver: d.receiver,
          integration: d.integration,
          integration_index: d.integrationIndex,
          group_key: d.groupKey,
          idempotency_key: d.idempotencyKey,
          status: d.status,
          alerts: d.alerts,
          attempts: d.attempts,
          last_error: d.lastError,
          created_at: new Date(d.createdAt).toISOString(),
          dead_at: d.deadAt === null ? null : new Date(d.deadAt).toISOString(),
        })),
      });
    });

    app.post('/api/v1/notifications/:id/resend', async (c) => {
      const id = positiveInt(c.req.param('id'), 'id')!;
      const resent = await resendDeadLetter(options.db, id, options.now());
      if (!resent) {
        const row = await getOutboxRow(options.db, id);
        if (!row) throw new ApiError(404, 'not_found', `no notification ${id}`);
        throw new ApiError(409, 'conflict', `notification ${id} is ${row.status}, not a dead letter`);
      }
      options.wake?.();
      return c.json({ id, status: 'pending' });
    });
  };
}
