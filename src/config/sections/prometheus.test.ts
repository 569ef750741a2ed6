import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../../test/support/tmp.js';
import { ConfigError } from '../../lib/errors.js';
import { parseConfig } from '../load.js';
import { prometheusSchema } from './prometheus.js';

function issues(input: unknown): string[] {
  const result = prometheusSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('prometheus config', () => {
  it('fills defaults and keeps the URL secret', () => {
    const p = prometheusSchema.parse({ url: 'http://user:s3cret-pass@prometheus:9090' });
    expect(p).toMatchObject({
      timeout: 30_000,
      method: 'POST',
      scrape_interval: 30_000,
      evaluation_interval: 60_000,
      resend_delay: 60_000,
      series_labels: {},
      rule_files: [],
      tls_config: { insecure_skip_verify: false },
    });
    expect(String(p.url)).not.toContain('s3cret-pass');
    expect(p.url.reveal()).toContain('s3cret-pass');
  });

  it('wants exactly one way to authenticate and readable credential files', () => {
    const dir = tempDir();
    try {
      const token = join(dir.path, 'token');
      writeFileSync(token, 't');
      expect(issues({ url: 'http://p:9090', bearer_token_file: token })).toEqual([]);
      expect(
        issues({
          url: 'http://p:9090',
          bearer_token_file: token,
          basic_auth: { username: 'u', password: 'p' },
        }),
      ).toEqual(['basic_auth: set either bearer_token_file or basic_auth, not both']);
      expect(issues({ url: 'http://p:9090', basic_auth: { username: 'u' } })).toEqual([
        'basic_auth.password: set either password or password_file',
      ]);
      expect(issues({ url: 'http://p:9090', bearer_token_file: join(dir.path, 'nope') })[0]).toMatch(
        /^bearer_token_file: cannot read .*nope.* \(ENOENT\)$/,
      );
      expect(issues({ url: 'not a url' })).toEqual(['url: is not a valid URL']);
      expect(issues({ url: 'http://p:9090', series_labels: { 'bad-label': 'x' } })).toEqual([
        'series_labels.bad-label: must be a Prometheus label name',
      ]);
    } finally {
      dir.remove();
    }
  });

  it('checks rule files when the config loads, under clusters[].prometheus', () => {
    const dir = tempDir();
    try {
      const kubeconfig = join(dir.path, 'kubeconfig');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\n');
      const rules = join(dir.path, 'rules.yml');
      writeFileSync(rules, 'groups: [ { name: g, rules: [ { record: r, expr: up } ] } ]');
      const text = [
        'clusters:',
        `  - name: prod`,
        `    kubeconfig: ${kubeconfig}`,
        '    prometheus:',
        '      url: http://prometheus:9090',
        `      rule_files: [${rules}]`,
      ].join('\n');
      let error: unknown;
      try {
        parseConfig(text, { env: {} });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).issues).toEqual([
        {
          path: 'clusters[0].prometheus.rule_files[0]',
          message: expect.stringContaining('recording rule "r" is not supported') as string,
        },
      ]);
    } finally {
      dir.remove();
    }
  });
});
