// The deploy conversation's answers and its order of questions: template → app name →
// (cluster) → namespace → replicas → confirm. Pure: the chat handlers store and show it.

export type Step = 'template' | 'app' | 'cluster' | 'namespace' | 'replicas' | 'confirm';

export interface DeployAnswers {
  readonly template?: string;
  readonly app?: string;
  readonly cluster?: string;
  readonly namespace?: string;
  readonly replicas?: number;
  /** What the current question's buttons offer; buttons carry an index into it (Telegram allows 64 bytes). */
  readonly offered?: readonly string[];
}

/** The first question without an answer; `confirm` once everything is known. */
export function nextStep(a: DeployAnswers, askCluster: boolean): Step {
  if (a.template === undefined) return 'template';
  if (a.app === undefined) return 'app';
  if (askCluster && a.cluster === undefined) return 'cluster';
  if (a.namespace === undefined) return 'namespace';
  if (a.replicas === undefined) return 'replicas';
  return 'confirm';
}

/** Step numbers for "step 2 of 4". */
export function stepNumber(step: Step, askCluster: boolean): { readonly n: number; readonly of: number } {
  const order: Step[] = askCluster
    ? ['template', 'app', 'cluster', 'namespace', 'replicas']
    : ['template', 'app', 'namespace', 'replicas'];
  const i = order.indexOf(step);
  return { n: i < 0 ? order.length : i + 1, of: order.length };
}

/** Reads the replicas answer: a whole number from 1 to `max`, or why not. */
export function parseReplicas(
  text: string,
  max: number,
): { readonly value: number } | { readonly problem: string } {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { problem: `"${t}" is not a number; send a whole number from 1 to ${max}` };
  const n = Number(t);
  if (n < 1 || n > max) return { problem: `${n} is out of range; replicas must be from 1 to ${max}` };
  return { value: n };
}

/** A copy of the answers without `keys` (a changed cluster drops the namespace, a taken name the name). */
export function without(a: DeployAnswers, ...keys: ReadonlyArray<keyof DeployAnswers>): DeployAnswers {
  const out: { -readonly [K in keyof DeployAnswers]: DeployAnswers[K] } = { ...a };
  for (const k of keys) delete out[k];
  return out;
}

/** Reads stored JSON back into answers, dropping anything of the wrong type. */
export function answersFrom(value: unknown): DeployAnswers {
  const v = (value ?? {}) as Record<string, unknown>;
  const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
  return {
    ...(str(v.template) !== undefined ? { template: str(v.template) } : {}),
    ...(str(v.app) !== undefined ? { app: str(v.app) } : {}),
    ...(str(v.cluster) !== undefined ? { cluster: str(v.cluster) } : {}),
    ...(str(v.namespace) !== undefined ? { namespace: str(v.namespace) } : {}),
    ...(typeof v.replicas === 'number' ? { replicas: v.replicas } : {}),
    ...(Array.isArray(v.offered)
      ? { offered: v.offered.filter((x): x is string => typeof x === 'string') }
      : {}),
  };
}
