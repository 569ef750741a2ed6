// `clusters[].prometheus:` — an existing Prometheus that holds this cluster's metrics: how to
// reach it, how its series are labelled, and the PromQL alert rule files to evaluate against it.
import { accessSync, constants } from 'node:fs';
import { z } from 'zod';
import { checkRuleFile } from '../../rules/promql/rule-file.js';
import { duration, obj, secret, secretUrl } from '../schema-kit.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const basicAuthSchema = obj({
  username: z.string().min(1),
  /** The password itself; or `password_file`. */
  password: secret().optional(),
  /** A file holding the password, read again when it changes. */
  password_file: z.string().min(1).optional(),
}).superRefine((auth, ctx) => {
  if ((auth.password === undefined) === (auth.password_file === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['password'], message: 'set either password or password_file' });
  }
  if (auth.password_file !== undefined) checkReadable(auth.password_file, ctx, 'password_file');
});

const tlsSchema = obj({
  /** CA certificate(s) (PEM) to trust for an https URL, in addition to the system's. */
  ca_file: z.string().min(1).optional(),
  /** Accept any server certificate. For tests only. */
  insecure_skip_verify: z.boolean().default(false),
});

export const prometheusSchema = obj({
  /** Base URL of the Prometheus HTTP API, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
  url: secretUrl(),
  /** A file holding a bearer token (a service account token), read again when it changes. */
  bearer_token_file: z.string().min(1).optional(),
  basic_auth: basicAuthSchema.optional(),
  tls_config: tlsSchema.prefault({}),
  /** How long one query may take, end to end. */
  timeout: duration().prefault('30s'),
  /** `POST` (form body; long queries fit) or `GET`. */
  method: z.enum(['POST', 'GET']).default('POST'),
  /** The scrape interval of the series Lookout queries; rate() windows are at least 4× this. */
  scrape_interval: duration().prefault('30s'),
  /**
   * A label on node-exporter series that holds the Kubernetes node name (set by relabelling).
   * Without it, Lookout joins `node_uname_info`'s `nodename` on `instance`.
   */
  node_label: z.string().regex(LABEL_NAME, 'must be a Prometheus label name').optional(),
  /** Label matchers added to every selector, e.g. `{ cluster: prod }` when one Prometheus holds several clusters. */
  series_labels: z
    .record(z.string(), z.string())
    .superRefine((labels, ctx) => {
      for (const key of Object.keys(labels)) {
        if (!LABEL_NAME.test(key))
          ctx.addIssue({ code: 'custom', path: [key], message: 'must be a Prometheus label name' });
      }
    })
    .default({}),
  /** Prometheus rule files (`groups[].rules[]` with `alert`) evaluated against this Prometheus. */
  rule_files: z.array(z.string().min(1)).default([]),
  /** How often rule groups without their own `interval` are evaluated. */
  evaluation_interval: duration().prefault('1m'),
  /** How often a firing alert is sent again while it keeps firing (Prometheus' `--rules.alert.resend-delay`). */
  resend_delay: duration().prefault('1m'),
}).superRefine((p, ctx) => {
  if (p.bearer_token_file !== undefined && p.basic_auth !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['basic_auth'],
      message: 'set either bearer_token_file or basic_auth, not both',
    });
  }
  if (p.bearer_token_file !== undefined) checkReadable(p.bearer_token_file, ctx, 'bearer_token_file');
  if (p.tls_config.ca_file !== undefined) checkReadable(p.tls_config.ca_file, ctx, 'tls_config', 'ca_file');
  if (p.timeout <= 0) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'must be more than 0s' });
  if (p.scrape_interval < 1000) {
    ctx.addIssue({ code: 'custom', path: ['scrape_interval'], message: 'must be at least 1s' });
  }
  if (p.evaluation_interval < 1000) {
    ctx.addIssue({ code: 'custom', path: ['evaluation_interval'], message: 'must be at least 1s' });
  }
  p.rule_files.forEach((file, i) => {
    for (const problem of checkRuleFile(file)) {
      ctx.addIssue({ code: 'custom', path: ['rule_files', i], message: problem });
    }
  });
});

function checkReadable(path: string, ctx: z.RefinementCtx, ...at: string[]): void {
  try {
    accessSync(path, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    ctx.addIssue({ code: 'custom', path: at, message: `cannot read ${JSON.stringify(path)} (${code})` });
  }
}

export type PrometheusConfig = z.output<typeof prometheusSchema>;
