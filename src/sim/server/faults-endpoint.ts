// `GET|POST|DELETE /_sim/faults`: the fault injector over HTTP, for `lookout sim` users and for
// tests in other processes. One JSON action per POST; errors as `{ "error": { code, message } }`.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FaultInjector } from '../faults.js';
import { readBody, send } from './http-util.js';

const paths = z.array(z.string().min(1)).optional();

const Action = z.discriminatedUnion('action', [
  z.object({ action: z.literal('close-watches') }),
  z.object({
    action: z.literal('fail-watches'),
    count: z.number().int().min(0),
    form: z.enum(['event', 'http']).optional(),
  }),
  z.object({
    action: z.literal('fail-requests'),
    seconds: z.number().positive(),
    status: z.number().int().min(500).max(599).optional(),
    retryAfterSeconds: z.number().int().min(0).optional(),
    paths,
  }),
  z.object({ action: z.literal('latency'), ms: z.number().min(0), paths }),
  z.object({ action: z.literal('stall-watches'), seconds: z.number().positive().optional(), paths }),
  z.object({ action: z.literal('revoke-token') }),
  z.object({ action: z.literal('reissue-token'), token: z.string().min(1).optional() }),
  z.object({ action: z.literal('clear') }),
]);

export type FaultAction = z.infer<typeof Action>;

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  send(res, status, { error: { code, message } });
}

/** Applies one action; returns what the response reports besides the state. */
export function applyFaultAction(faults: FaultInjector, action: FaultAction): Record<string, unknown> {
  switch (action.action) {
    case 'close-watches':
      return { closed: faults.closeWatches() };
    case 'fail-watches':
      faults.failWatches(action.count, action.form ? { form: action.form } : {});
      return {};
    case 'fail-requests':
      faults.failRequests(action);
      return {};
    case 'latency':
      faults.addLatency(action);
      return {};
    case 'stall-watches':
      return { stalled: faults.stallWatches(action) };
    case 'revoke-token':
      faults.revokeToken();
      return {};
    case 'reissue-token':
      // The token itself is not echoed: callers that chose it know it, others read the kubeconfig.
      faults.reissueToken(action.token);
      return {};
    case 'clear':
      faults.clear();
      return {};
  }
}

export async function handleFaultsRequest(
  req: IncomingMessage,
  res: ServerResponse,
  faults: FaultInjector,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (method === 'GET') return send(res, 200, faults.state());
  if (method === 'DELETE') {
    faults.clear();
    return send(res, 200, faults.state());
  }
  if (method !== 'POST') return fail(res, 405, 'method_not_allowed', 'use GET, POST or DELETE');
  let parsed: unknown;
  try {
    parsed = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return fail(res, 400, 'bad_request', 'the body must be a JSON object with an "action"');
  }
  const result = Action.safeParse(parsed);
  if (!result.success) {
    const message = result.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
    return fail(res, 400, 'invalid_action', message);
  }
  const extra = applyFaultAction(faults, result.data);
  send(res, 200, { ...extra, state: faults.state() });
}
