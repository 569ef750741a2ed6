// Inhibition as Alertmanager applies it: a target alert is muted while a firing source alert
// has equal values for the `equal` labels (missing on both sides counts as equal); an alert
// matching both sides cannot inhibit another that also matches both sides.
import type { Labels } from '../domain/alert.js';
import { matchesAll, newMatcher, parseMatchers, type Matcher } from './matcher.js';

export interface InhibitRuleSpec {
  readonly source_match?: Readonly<Record<string, string>> | undefined;
  readonly source_match_re?: Readonly<Record<string, string>> | undefined;
  readonly source_matchers?: readonly string[] | undefined;
  readonly target_match?: Readonly<Record<string, string>> | undefined;
  readonly target_match_re?: Readonly<Record<string, string>> | undefined;
  readonly target_matchers?: readonly string[] | undefined;
  readonly equal?: readonly string[] | undefined;
}

/** What the inhibitor needs to know of an alert. */
export interface InhibitSource {
  readonly fingerprint: string;
  readonly labels: Labels;
  /** Epoch ms; the alert is resolved from then on. */
  readonly endsAt: number;
}

function matchersOf(
  match: Readonly<Record<string, string>> | undefined,
  matchRe: Readonly<Record<string, string>> | undefined,
  lines: readonly string[] | undefined,
): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(match ?? {})) out.push(newMatcher('=', name, value));
  for (const [name, value] of Object.entries(matchRe ?? {}))
    out.push(newMatcher('=~', name, `^(?:${value})$`));
  for (const line of lines ?? []) out.push(...parseMatchers(line));
  return out;
}

class Rule {
  readonly source: readonly Matcher[];
  readonly target: readonly Matcher[];
  readonly equal: readonly string[];
  /** Source alerts bucketed by their `equal` label values. */
  readonly #cache = new Map<string, Map<string, InhibitSource>>();

  constructor(spec: InhibitRuleSpec) {
    this.source = matchersOf(spec.source_match, spec.source_match_re, spec.source_matchers);
    this.target = matchersOf(spec.target_match, spec.target_match_re, spec.target_matchers);
    this.equal = [...new Set(spec.equal ?? [])];
  }

  bucketOf(labels: Labels): string {
    if (this.equal.length === 0) return '';
    return JSON.stringify(this.equal.map((n) => labels[n] ?? ''));
  }

  observe(alert: InhibitSource): void {
    if (!matchesAll(this.source, alert.labels)) return;
    const key = this.bucketOf(alert.labels);
    let bucket = this.#cache.get(key);
    if (!bucket) {
      bucket = new Map<string, InhibitSource>();
      this.#cache.set(key, bucket);
    }
    bucket.set(alert.fingerprint, alert);
  }

  forget(alert: Pick<InhibitSource, 'fingerprint' | 'labels'>): void {
    const key = this.bucketOf(alert.labels);
    const bucket = this.#cache.get(key);
    if (!bucket) return;
    bucket.delete(alert.fingerprint);
    if (bucket.size === 0) this.#cache.delete(key);
  }

  inhibitor(labels: Labels, now: number): string | undefined {
    if (!matchesAll(this.target, labels)) return undefined;
    const bucket = this.#cache.get(this.bucketOf(labels));
    if (!bucket) return undefined;
    const excludeTwoSided = matchesAll(this.source, labels);
    for (const source of bucket.values()) {
      if (source.endsAt <= now) continue;
      if (excludeTwoSided && matchesAll(this.target, source.labels)) continue;
      return source.fingerprint;
    }
    return undefined;
  }
}

export class Inhibitor {
  readonly #rules: readonly Rule[];

  constructor(specs: readonly InhibitRuleSpec[]) {
    this.#rules = specs.map((s) => new Rule(s));
  }

  /** Records (or updates) an alert as a possible source. */
  observe(alert: InhibitSource): void {
    for (const rule of this.#rules) rule.observe(alert);
  }

  /** Forgets an alert that is gone for good. */
  forget(alert: Pick<InhibitSource, 'fingerprint' | 'labels'>): void {
    for (const rule of this.#rules) rule.forget(alert);
  }

  /** The fingerprint of an alert that inhibits these labels at `now`, or undefined. */
  inhibitedBy(labels: Labels, now: number): string | undefined {
    for (const rule of this.#rules) {
      const fp = rule.inhibitor(labels, now);
      if (fp !== undefined) return fp;
    }
    return undefined;
  }
}
