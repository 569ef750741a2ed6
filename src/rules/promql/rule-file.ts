// Reads Prometheus rule files (`groups[].rules[]`) into alerting rules with parsed templates.
// Every problem is reported with its place in the file; recording rules are refused by name.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../../lib/errors.js';
import { parseDuration } from '../../lib/duration.js';
import { AlertTemplate, TemplateError } from './alert-template.js';

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  /** How long the condition must hold before the alert fires (`for`). */
  readonly forMs: number;
  /** How long the alert keeps firing after the condition stops (`keep_firing_for`). */
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, AlertTemplate>>;
  readonly annotations: Readonly<Record<string, AlertTemplate>>;
}

export interface RuleGroup {
  readonly name: string;
  /** The file the group came from. */
  readonly file: string;
  /** The group's own `interval`; undefined uses the configured evaluation interval. */
  readonly intervalMs: number | undefined;
  /** At most this many alerts per rule (`limit`); 0 means no limit. */
  readonly limit: number;
  /** Evaluate this long in the past (`query_offset`), for data that arrives late. */
  readonly queryOffsetMs: number;
  readonly rules: readonly AlertingRule[];
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const scalarText = z
  .union([z.string(), z.number(), z.boolean()], { error: 'must be text' })
  .transform((v) => String(v));

const durationText = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(String(v));
  if (ms === undefined) {
    ctx.addIssue({
      code: 'custom',
      message: `${JSON.stringify(v)} is not a duration (examples: 30s, 5m, 1h)`,
    });
    return z.NEVER;
  }
  return ms;
});

const labelMap = z.record(z.string(), scalarText).superRefine((map, ctx) => {
  for (const key of Object.keys(map)) {
    if (!LABEL_NAME.test(key))
      ctx.addIssue({ code: 'custom', path: [key], message: 'is not a valid label name' });
  }
});

const ruleSchema = z.strictObject({
  alert: z.string().min(1, 'must not be empty').optional(),
  record: z.string().optional(),
  expr: scalarText,
  for: durationText.optional(),
  keep_firing_for: durationText.optional(),
  labels: labelMap.optional(),
  annotations: labelMap.optional(),
});

const groupSchema = z.strictObject({
  name: z.string({ error: 'is required' }).min(1, 'must not be empty'),
  interval: durationText.optional(),
  query_offset: durationText.optional(),
  limit: z.number().int().min(0).optional(),
  labels: labelMap.optional(),
  rules: z.array(ruleSchema).default([]),
});

const fileSchema = z.strictObject({ groups: z.array(groupSchema).default([]) });

export interface ParsedRuleFile {
  readonly groups: readonly RuleGroup[];
  /** Every problem found, each with its place (`groups[0].rules[1]: …`); empty when valid. */
  readonly problems: readonly string[];
}

/** Parses the text of one rule file. Never throws: problems are returned. */
export function parseRuleFile(text: string, file: string): ParsedRuleFile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  if (doc.errors.length > 0) {
    return {
      groups: [],
      problems: doc.errors.map((e) => {
        const { line, col } = lines.linePos(e.pos[0]);
        return `line ${line}, column ${col}: ${e.message.split('\n')[0]}`;
      }),
    };
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = fileSchema.safeParse(data, { reportInput: true });
  if (!parsed.success) {
    return { groups: [], problems: parsed.error.issues.map((i) => `${formatPath(i.path)}: ${describe(i)}`) };
  }
  const problems: string[] = [];
  const groups: RuleGroup[] = [];
  const names = new Set<string>();
  parsed.data.groups.forEach((g, gi) => {
    const where = `groups[${gi}]`;
    if (names.has(g.name)) problems.push(`${where}: group name "${g.name}" is used twice in this file`);
    names.add(g.name);
    if (g.interval !== undefined && g.interval < 1000)
      problems.push(`${where}.interval: must be at least 1s`);
    const rules: AlertingRule[] = [];
    g.rules.forEach((r, ri) => {
      const at = `${where}.rules[${ri}]`;
      if (r.record !== undefined) {
        problems.push(
          `${at}: recording rule "${r.record}" is not supported; Lookout evaluates alerting rules only (keep recording rules in Prometheus)`,
        );
        return;
      }
      if (r.alert === undefined) {
        problems.push(`${at}: needs "alert" (the alert's name)`);
        return;
      }
      if (r.expr.trim() === '') {
        problems.push(`${at}.expr: must not be empty`);
        return;
      }
      const labels = compileAll({ ...g.labels, ...r.labels }, `${at}.labels`, problems);
      const annotations = compileAll(r.annotations ?? {}, `${at}.annotations`, problems);
      rules.push({
        alert: r.alert,
        expr: r.expr,
        forMs: r.for ?? 0,
        keepFiringForMs: r.keep_firing_for ?? 0,
        labels,
        annotations,
      });
    });
    groups.push({
      name: g.name,
      file,
      intervalMs: g.interval,
      limit: g.limit ?? 0,
      queryOffsetMs: g.query_offset ?? 0,
      rules,
    });
  });
  return { groups, problems };
}

function compileAll(
  map: Readonly<Record<string, string>>,
  where: string,
  problems: string[],
): Record<string, AlertTemplate> {
  const out: Record<string, AlertTemplate> = {};
  for (const [key, source] of Object.entries(map)) {
    try {
      out[key] = AlertTemplate.parse(source);
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push(`${where}.${key}: template: ${error.message}`);
    }
  }
  return out;
}

/**
 * The files a `rule_files` entry names. As in Prometheus, the last path segment may hold
 * `*` and `?` wildcards (`/etc/lookout/rules/*.yml`); a pattern matching nothing is no error.
 */
export function expandRuleFiles(pattern: string): string[] {
  const name = basename(pattern);
  if (!/[*?]/.test(name)) return [pattern];
  const dir = dirname(pattern);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => re.test(e))
    .sort()
    .map((e) => join(dir, e));
}

/** The problems of the rule files a `rule_files` entry names (unreadable, invalid); empty when fine. */
export function checkRuleFile(pattern: string): string[] {
  const problems: string[] = [];
  for (const path of expandRuleFiles(pattern)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      problems.push(`cannot read ${JSON.stringify(path)} (${code})`);
      continue;
    }
    problems.push(...parseRuleFile(text, path).problems.map((p) => `${path}: ${p}`));
  }
  return problems;
}

/** Loads the rule files `patterns` name; throws {@link ConfigError} listing every problem in every file. */
export function loadRuleFiles(patterns: readonly string[]): RuleGroup[] {
  const groups: RuleGroup[] = [];
  const issues: { path: string; message: string }[] = [];
  for (const path of patterns.flatMap(expandRuleFiles)) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      issues.push({ path, message: `cannot read rule file (${code})` });
      continue;
    }
    const parsed = parseRuleFile(text, path);
    for (const problem of parsed.problems) issues.push({ path, message: problem });
    groups.push(...parsed.groups);
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return groups;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    out += typeof segment === 'number' ? `[${segment}]` : out ? `.${String(segment)}` : String(segment);
  }
  return out || '(file)';
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const recording = issue.keys.includes('record');
    return recording ? 'recording rules are not supported' : `unknown key(s): ${issue.keys.join(', ')}`;
  }
  const missing = 'input' in issue && issue.input === undefined;
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && missing) return 'is required';
  if (issue.code === 'invalid_type')
    return `must be ${issue.expected === 'array' ? 'a list' : issue.expected}`;
  return issue.message;
}
