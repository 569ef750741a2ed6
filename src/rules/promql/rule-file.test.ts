import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { tempDir } from '../../../test/support/tmp.js';
import { checkRuleFile, expandRuleFiles, loadRuleFiles, parseRuleFile } from './rule-file.js';

const GOOD = `
groups:
  - name: nodes
    interval: 30s
    limit: 10
    rules:
      - alert: NodeMemoryLow
        expr: node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes < 0.1
        for: 15m
        keep_firing_for: 5m
        labels: { severity: warning, port: 9100 }
        annotations:
          summary: "{{ $labels.instance }} has {{ $value | humanizePercentage }} left"
`;

describe('Prometheus rule files', () => {
  it('reads alerting rules with their durations, labels and templates', () => {
    const { groups, problems } = parseRuleFile(GOOD, 'nodes.yml');
    expect(problems).toEqual([]);
    expect(groups).toHaveLength(1);
    const [group] = groups;
    expect(group).toMatchObject({
      name: 'nodes',
      file: 'nodes.yml',
      intervalMs: 30_000,
      limit: 10,
      queryOffsetMs: 0,
    });
    const rule = group!.rules[0]!;
    expect(rule).toMatchObject({ alert: 'NodeMemoryLow', forMs: 900_000, keepFiringForMs: 300_000 });
    expect(Object.keys(rule.labels)).toEqual(['severity', 'port']);
    expect(rule.labels.port!.source).toBe('9100');
    expect(
      rule.annotations.summary!.render({
        labels: { instance: 'n1' },
        value: 0.05,
        externalLabels: {},
        externalURL: '',
      }),
    ).toBe('n1 has 5% left');
  });

  it('refuses recording rules by name and says what to do instead', () => {
    const { problems } = parseRuleFile(
      'groups: [ { name: g, rules: [ { record: "job:up:sum", expr: "sum(up)" } ] } ]',
      'r.yml',
    );
    expect(problems).toEqual([
      'groups[0].rules[0]: recording rule "job:up:sum" is not supported; Lookout evaluates alerting rules only (keep recording rules in Prometheus)',
    ]);
  });

  it('reports every problem with its place in the file', () => {
    const { problems } = parseRuleFile(
      `
groups:
  - name: a
    rules:
      - alert: X
        expr: up == 0
        for: soon
      - alert: Y
        expr: up
        labels: { "bad-name": x }
      - expr: up
      - alert: Z
        expr: up
        annotations: { summary: "{{ if true }}x{{ end }}" }
      - alert: W
        exp: up
  - name: a
    rules: []
`,
      'r.yml',
    );
    expect(problems).toEqual([
      'groups[0].rules[0].for: "soon" is not a duration (examples: 30s, 5m, 1h)',
      'groups[0].rules[1].labels.bad-name: is not a valid label name',
      'groups[0].rules[4].expr: is required',
      'groups[0].rules[4]: unknown key(s): exp',
    ]);
    // Structural problems come first; once the shape is right, the rules themselves are checked.
    const second = parseRuleFile(
      `
groups:
  - name: a
    rules:
      - expr: up
      - alert: Z
        expr: up
        annotations: { summary: "{{ if true }}x{{ end }}" }
  - name: a
    rules: []
`,
      'r.yml',
    ).problems;
    expect(second).toEqual([
      'groups[0].rules[0]: needs "alert" (the alert\'s name)',
      'groups[0].rules[1].annotations.summary: template: "{{ if }}" is not supported in Lookout\'s alert templates (only printing a value, optionally through functions)',
      'groups[1]: group name "a" is used twice in this file',
    ]);
  });

  it('reports YAML syntax errors with line and column', () => {
    const { problems } = parseRuleFile('groups:\n  - name: a\n   rules: [', 'r.yml');
    expect(problems[0]).toMatch(/^line \d+, column \d+: /);
  });

  it('loads files, and fails with a ConfigError naming each file and problem', () => {
    const dir = tempDir();
    try {
      const good = join(dir.path, 'good.yml');
      const bad = join(dir.path, 'bad.yml');
      writeFileSync(good, GOOD);
      writeFileSync(bad, 'groups: [ { name: g, rules: [ { record: r, expr: up } ] } ]');
      expect(loadRuleFiles([good])).toHaveLength(1);
      // Wildcards in the file name, as Prometheus' rule_files allow.
      expect(expandRuleFiles(join(dir.path, '*.yml'))).toEqual([bad, good]);
      expect(expandRuleFiles(join(dir.path, 'g?od.y*'))).toEqual([good]);
      expect(expandRuleFiles(join(dir.path, '*.txt'))).toEqual([]);
      expect(checkRuleFile(join(dir.path, '*.yml'))).toHaveLength(1);
      expect(checkRuleFile(good)).toEqual([]);
      expect(checkRuleFile(join(dir.path, 'missing.yml'))[0]).toMatch(
        /cannot read .*missing\.yml.*\(ENOENT\)/,
      );
      const error = (() => {
        try {
          loadRuleFiles([good, bad]);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        { path: bad, message: expect.stringContaining('recording rule "r" is not supported') as string },
      ]);
    } finally {
      dir.remove();
    }
  });
});
