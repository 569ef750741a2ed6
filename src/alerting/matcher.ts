// Label matchers in Alertmanager's syntax (`name="value"`, `!=`, `=~`, `!~`; regexes anchored):
// parsing exactly as Alertmanager 0.25's `pkg/labels` does, matching, and printing back.
import type { Labels } from '../domain/alert.js';
import { compareGoStrings, goQuote } from './go-format.js';
import { compileAnchored, RegexSyntaxError, type StringTest } from './regex.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

export interface Matcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
  /** Whether a label value (empty when the label is missing) satisfies the matcher. */
  readonly matches: StringTest;
}

/** A matcher that cannot be parsed or whose regex does not compile. */
export class MatcherError extends Error {}

/** Builds a matcher; regex values are compiled anchored (`^(?:value)$`) with Go's RE2 syntax. */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  let matches: StringTest;
  switch (type) {
    case '=':
      matches = (v) => v === value;
      break;
    case '!=':
      matches = (v) => v !== value;
      break;
    case '=~':
    case '!~': {
      let test: StringTest;
      try {
        test = compileAnchored(value);
      } catch (error) {
        if (error instanceof RegexSyntaxError) throw new MatcherError(error.message);
        throw error;
      }
      matches = type === '=~' ? test : (v) => !test(v);
      break;
    }
  }
  return { name, type, value, matches };
}

// '=~' must come before '=' so that the '~' is not taken as part of the value.
const MATCHER_RE = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*([\s\S]*?)\s*$/;

/** Parses one matcher such as `severity=~"critical|warning"` (the quotes are optional). */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new MatcherError(`bad matcher format: ${text}`);
  const [, name, op, raw] = m as unknown as [string, string, MatchType, string];
  let rawValue = raw;
  let expectTrailingQuote = false;
  if (rawValue.startsWith('"')) {
    rawValue = rawValue.slice(1);
    expectTrailingQuote = true;
  }
  let value = '';
  let escaped = false;
  const chars = [...rawValue];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (escaped) {
      escaped = false;
      if (ch === 'n') value += '\n';
      else if (ch === '"' || ch === '\\') value += ch;
      else value += `\\${ch}`; // a spurious escape keeps its backslash
      continue;
    }
    if (ch === '\\') {
      if (i < chars.length - 1) escaped = true;
      else value += '\\';
      continue;
    }
    if (ch === '"') {
      if (!expectTrailingQuote || i < chars.length - 1) {
        throw new MatcherError(`matcher value contains unescaped double quote: ${raw}`);
      }
      expectTrailingQuote = false;
      continue;
    }
    value += ch;
  }
  if (expectTrailingQuote) throw new MatcherError(`matcher value contains unescaped double quote: ${raw}`);
  return newMatcher(op, name, value);
}

/**
 * Parses a comma-separated list such as `{foo="bar", dings!=bums}`; braces are optional and
 * commas inside double quotes do not separate.
 */
export function parseMatchers(text: string): Matcher[] {
  let s = text;
  if (s.startsWith('{')) s = s.slice(1);
  if (s.endsWith('}')) s = s.slice(0, -1);
  const tokens: string[] = [];
  let token = '';
  let insideQuotes = false;
  let escaped = false;
  for (const ch of s) {
    if (ch === ',' && !insideQuotes) {
      tokens.push(token);
      token = '';
      continue;
    }
    if (ch === '"') {
      if (!escaped) insideQuotes = !insideQuotes;
      else escaped = false;
    } else if (ch === '\\') escaped = !escaped;
    else escaped = false;
    token += ch;
  }
  const last = token.trim();
  if (last !== '') tokens.push(last);
  return tokens.map((t) => parseMatcher(t));
}

/** `name="value"` with the value quoted as Go's `%q` does (how Alertmanager prints matchers). */
export function matcherString(m: Pick<Matcher, 'name' | 'type' | 'value'>): string {
  return `${m.name}${m.type}${goQuote(m.value)}`;
}

/** `{a="1",b=~"x"}`: a matcher list as Alertmanager prints it in route keys. */
export function matchersString(ms: readonly Matcher[]): string {
  return `{${ms.map(matcherString).join(',')}}`;
}

/** Alertmanager's matcher order: by name, then value, then type. */
export function compareMatchers(a: Matcher, b: Matcher): number {
  return (
    compareGoStrings(a.name, b.name) ||
    compareGoStrings(a.value, b.value) ||
    TYPE_ORDER[a.type] - TYPE_ORDER[b.type]
  );
}

/** Whether every matcher holds; a missing label counts as the empty string. */
export function matchesAll(matchers: readonly Matcher[], labels: Labels): boolean {
  for (const m of matchers) {
    if (!m.matches(labels[m.name] ?? '')) return false;
  }
  return true;
}
