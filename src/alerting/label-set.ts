// Label sets as Alertmanager 0.25 prints and orders them: group labels in group keys, the order
// of alerts in a notification, and which label names are valid.
import type { Labels } from '../domain/alert.js';
import { compareGoStrings, goQuote } from './go-format.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Prometheus' label name rule: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME.test(name);
}

/**
 * `{a="1", b="2"}` as Alertmanager 0.25 writes a label set: each `name="value"` pair quoted the Go
 * way, the pairs sorted as strings (so `a0=…` sorts before `a=…`), joined by ", ".
 */
export function labelSetString(labels: Labels): string {
  const pairs = Object.keys(labels).map((name) => `${name}=${goQuote(labels[name]!)}`);
  pairs.sort(compareGoStrings);
  return `{${pairs.join(', ')}}`;
}

/** Prometheus' `LabelSet.Before`: fewer labels first, then by sorted names and their values. */
export function labelSetBefore(a: Labels, b: Labels): boolean {
  const aNames = Object.keys(a);
  const bNames = Object.keys(b);
  if (aNames.length !== bNames.length) return aNames.length < bNames.length;
  const names = [...aNames, ...bNames].sort(compareGoStrings);
  for (const name of names) {
    const av = a[name];
    if (av === undefined) return true;
    const bv = b[name];
    if (bv === undefined) return false;
    const c = compareGoStrings(av, bv);
    if (c !== 0) return c < 0;
  }
  return false;
}

/**
 * Alertmanager's order of alerts in a notification (`types.AlertSlice`): by `job`, then
 * `instance` (alerts that have them first), then by label set.
 */
export function compareAlertLabels(a: Labels, b: Labels): number {
  for (const key of ['job', 'instance']) {
    const av = a[key];
    const bv = b[key];
    if (av === undefined && bv === undefined) continue;
    if (av === undefined) return 1;
    if (bv === undefined) return -1;
    if (av !== bv) return compareGoStrings(av, bv);
  }
  if (labelSetBefore(a, b)) return -1;
  if (labelSetBefore(b, a)) return 1;
  return 0;
}

/** Labels whose value is the same in every set (Alertmanager's commonLabels/commonAnnotations). */
export function commonLabels(sets: readonly Labels[]): Record<string, string> {
  const first = sets[0];
  if (!first) return {};
  const common: Record<string, string> = { ...first };
  for (let i = 1; i < sets.length; i++) {
    const set = sets[i]!;
    for (const name of Object.keys(common)) {
      if (set[name] !== common[name]) delete common[name];
    }
  }
  return common;
}
