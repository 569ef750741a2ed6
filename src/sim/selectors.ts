// Label and field selectors in the API server's string syntax.
import { badRequest } from './status-error.js';

export type LabelRequirement =
  | { readonly key: string; readonly op: 'in' | 'notin'; readonly values: readonly string[] }
  | { readonly key: string; readonly op: 'exists' | '!exists' }
  | { readonly key: string; readonly op: 'gt' | 'lt'; readonly value: number };

export type LabelSelector = readonly LabelRequirement[];

/** Parses `app=web,tier in (a,b),!canary,env!=prod`. Throws a 400 Status on bad syntax. */
export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || text.trim() === '') return [];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((raw) => parseRequirement(raw.trim(), text));
}

const KEY = String.raw`[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?`;

function parseRequirement(raw: string, whole: string): LabelRequirement {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^!\\s*(${KEY})$`).exec(raw))) return { key: m[1]!, op: '!exists' };
  if ((m = new RegExp(`^(${KEY})$`).exec(raw))) return { key: m[1]!, op: 'exists' };
  if ((m = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`).exec(raw))) {
    const values = m[4]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return { key: m[1]!, op: m[3] as 'in' | 'notin', values };
  }
  if ((m = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`).exec(raw))) {
    return { key: m[1]!, op: m[3] === '!=' ? 'notin' : 'in', values: [m[4]!] };
  }
  if ((m = new RegExp(`^(${KEY})\\s*(>|<)\\s*(-?\\d+)$`).exec(raw))) {
    return { key: m[1]!, op: m[3] === '>' ? 'gt' : 'lt', value: Number(m[4]) };
  }
  throw badRequest(`unable to parse requirement: found '${raw}' in label selector "${whole}"`);
}

export function matchesLabels(
  selector: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const value = l[r.key];
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(value!);
      case 'notin':
        return !has || !r.values.includes(value!);
      case 'gt':
        return has && Number(value) > r.value;
      case 'lt':
        return has && Number(value) < r.value;
    }
  });
}

/** A `LabelSelector` object (matchLabels + matchExpressions), as workloads carry it. */
export interface LabelSelectorObject {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{ key: string; operator: string; values?: readonly string[] }>;
}

export function selectorFromObject(selector: LabelSelectorObject | undefined): LabelSelector {
  if (!selector) return [];
  const reqs: LabelRequirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({
    key,
    op: 'in',
    values: [value],
  }));
  for (const e of selector.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: '!exists' });
  }
  return reqs;
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

/** Parses `metadata.name=x,spec.nodeName!=y` (values may escape `\,` `\=` `\\`). */
export function parseFieldSelector(text: string | undefined): FieldRequirement[] {
  if (!text || text.trim() === '') return [];
  const reqs: FieldRequirement[] = [];
  let current = '';
  const parts: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && i + 1 < text.length) {
      current += ch + text[++i]!;
    } else if (ch === ',') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  for (const part of parts) {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/s.exec(part.trim());
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${part}'`);
    reqs.push({ field: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.replace(/\\(.)/g, '$1') });
  }
  return reqs;
}

/** Reads a dotted path (`involvedObject.name`) from an object as the API server compares it: a string. */
export function fieldValue(obj: unknown, path: string): string {
  let current: unknown = obj;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object') return '';
    current = (current as Record<string, unknown>)[segment];
  }
  if (current === undefined || current === null) return '';
  if (typeof current === 'string') return current;
  if (typeof current === 'number' || typeof current === 'boolean') return String(current);
  return JSON.stringify(current);
}

export function matchesFields(reqs: readonly FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.op === '='));
}
