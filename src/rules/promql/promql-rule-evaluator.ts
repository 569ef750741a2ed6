// Evaluates Prometheus alerting rules against a Prometheus on each group's interval and hands
// the alerts due to a sink: pending → firing after `for`, resolved when the series go away,
// firing alerts re-sent every resend delay. One loop per group, stopped by an AbortSignal.
import { setTimeout as sleep } from 'node:timers/promises';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { PrometheusConfig } from '../../config/sections/prometheus.js';
import type { Alert, Labels } from '../../domain/alert.js';
import { errorMessage } from '../../lib/errors.js';
import type { PromAnswer } from '../../metrics/prometheus/prometheus-client.js';
import { createPrometheusClient } from '../../metrics/prometheus/prometheus-source.js';
import type { Logger } from '../../telemetry/logger.js';
import { AlertRuleState, type ActiveAlert, type RuleSample } from './alert-rule-state.js';
import { loadRuleFiles, type RuleGroup } from './rule-file.js';

/** Where alerts go: the alerting pipeline's intake. A rejection is retried at the next evaluation. */
export type AlertSink = (alerts: Alert[]) => Promise<void>;

/** Runs one instant query; the Prometheus client is one. */
export interface InstantQuerier {
  query(expr: string, timeMs: number, signal?: AbortSignal): Promise<PromAnswer>;
}

export interface PromqlRuleEvaluatorOptions {
  readonly groups: readonly RuleGroup[];
  readonly querier: InstantQuerier;
  readonly sink: AlertSink;
  readonly log: Logger;
  /** The cluster whose Prometheus this is; alerts carry it as the `cluster` label. */
  readonly cluster: string;
  /** Interval of groups that set none. */
  readonly evaluationIntervalMs: number;
  readonly resendDelayMs: number;
  /** Base URL for alerts' generatorURL (the Prometheus graph page); credentials must not be in it. */
  readonly externalURL?: string;
  readonly registry?: Registry;
  readonly now?: () => number;
}

export interface RuleSnapshot {
  readonly group: string;
  readonly alert: string;
  readonly expr: string;
  readonly health: 'unknown' | 'ok' | 'err';
  readonly lastError: string | undefined;
  readonly lastEvaluation: number | undefined;
  readonly alerts: readonly {
    readonly labels: Labels;
    readonly annotations: Labels;
    readonly state: 'pending' | 'firing' | 'inactive';
    readonly activeAt: number;
    readonly value: number;
  }[];
}

interface RuleRuntime {
  readonly state: AlertRuleState;
  health: 'unknown' | 'ok' | 'err';
  lastError: string | undefined;
  lastEvaluation: number | undefined;
}

interface GroupRuntime {
  readonly group: RuleGroup;
  readonly intervalMs: number;
  readonly rules: RuleRuntime[];
}

export class PromqlRuleEvaluator {
  readonly #o: PromqlRuleEvaluatorOptions;
  readonly #groups: GroupRuntime[];
  readonly #now: () => number;
  readonly #metrics: EvaluatorMetrics | undefined;

  constructor(options: PromqlRuleEvaluatorOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const externalLabels = { cluster: options.cluster };
    this.#groups = options.groups.map((group) => ({
      group,
      intervalMs: group.intervalMs ?? options.evaluationIntervalMs,
      rules: group.rules.map((rule) => ({
        state: new AlertRuleState(rule, {
          externalLabels,
          externalURL: options.externalURL ?? '',
          limit: group.limit,
        }),
        health: 'unknown',
        lastError: undefined,
        lastEvaluation: undefined,
      })),
    }));
    this.#metrics = options.registry ? evaluatorMetrics(options.registry) : undefined;
  }

  /** Evaluates every group on its interval until `signal` aborts. Never rejects. */
  async run(signal: AbortSignal): Promise<void> {
    await Promise.all(this.#groups.map((g) => this.#loop(g, signal)));
  }

  /** Evaluates one group once at `ts` and sends what is due. Exposed for tests and `lookout rules`. */
  async evaluateGroup(name: string, ts: number, signal?: AbortSignal): Promise<void> {
    const group = this.#groups.find((g) => g.group.name === name);
    if (!group) throw new Error(`no rule group "${name}"`);
    await this.#evaluate(group, ts, signal);
  }

  /** Every rule and its alerts, like Prometheus' /api/v1/rules. */
  snapshot(): RuleSnapshot[] {
    return this.#groups.flatMap((g) =>
      g.rules.map((r) => ({
        group: g.group.name,
        alert: r.state.rule.alert,
        expr: r.state.rule.expr,
        health: r.health,
        lastError: r.lastError,
        lastEvaluation: r.lastEvaluation,
        alerts: r.state.alerts.map((a) => ({
          labels: a.labels,
          annotations: a.annotations,
          state: a.state,
          activeAt: a.activeAt,
          value: a.value,
        })),
      })),
    );
  }

  async #loop(group: GroupRuntime, signal: AbortSignal): Promise<void> {
    let next = this.#now();
    while (!signal.aborted) {
      const wait = next - this.#now();
      if (wait > 0) {
        try {
          await sleep(wait, undefined, { signal });
        } catch {
          return; // aborted
        }
      }
      await this.#evaluate(group, next, signal);
      next += group.intervalMs;
      const now = this.#now();
      if (next <= now) {
        // Evaluation overran one or more intervals: skip them rather than pile up.
        const missed = Math.floor((now - next) / group.intervalMs) + 1;
        this.#metrics?.missed.inc({ cluster: this.#o.cluster, group: group.group.name }, missed);
        next += missed * group.intervalMs;
      }
    }
  }

  async #evaluate(group: GroupRuntime, ts: number, signal?: AbortSignal): Promise<void> {
    const labels = { cluster: this.#o.cluster, group: group.group.name };
    const queryTime = ts - group.group.queryOffsetMs;
    for (const rule of group.rules) {
      if (signal?.aborted) return;
      this.#metrics?.evaluations.inc(labels);
      try {
        const answer = await this.#o.querier.query(rule.state.rule.expr, queryTime, signal);
        rule.state.apply(samplesOf(answer), ts);
        rule.health = 'ok';
        rule.lastError = undefined;
      } catch (error) {
        if (signal?.aborted) return;
        // State stays as it was: a Prometheus hiccup neither fires nor resolves anything.
        this.#metrics?.failures.inc(labels);
        rule.health = 'err';
        rule.lastError = errorMessage(error);
        this.#o.log.warn(
          { group: group.group.name, alert: rule.state.rule.alert, err: rule.lastError },
          'PromQL rule evaluation failed',
        );
      }
      rule.lastEvaluation = ts;
    }
    await this.#send(group, ts);
    this.#updateGauges();
  }

  async #send(group: GroupRuntime, ts: number): Promise<void> {
    const due: { rule: RuleRuntime; alert: ActiveAlert; toSend: Alert }[] = [];
    for (const rule of group.rules) {
      for (const d of rule.state.due(ts, this.#o.resendDelayMs, group.intervalMs)) due.push({ rule, ...d });
    }
    if (due.length === 0) return;
    try {
      await this.#o.sink(due.map((d) => d.toSend));
    } catch (error) {
      this.#metrics?.sendFailures.inc({ cluster: this.#o.cluster, group: group.group.name });
      this.#o.log.warn(
        { group: group.group.name, alerts: due.length, err: errorMessage(error) },
        'alert sink refused PromQL alerts; they are sent again at the next evaluation',
      );
      return;
    }
    for (const rule of group.rules) {
      const mine = due.filter((d) => d.rule === rule).map((d) => d.alert);
      if (mine.length > 0) rule.state.markSent(mine, ts, this.#o.resendDelayMs, group.intervalMs);
    }
  }

  #updateGauges(): void {
    if (!this.#metrics) return;
    const counts = { pending: 0, firing: 0 };
    for (const g of this.#groups) {
      for (const r of g.rules) {
        for (const a of r.state.alerts) if (a.state !== 'inactive') counts[a.state]++;
      }
    }
    for (const [state, n] of Object.entries(counts))
      this.#metrics.alerts.set({ cluster: this.#o.cluster, state }, n);
  }
}

/** A vector's samples; a scalar is one sample with no labels (as Prometheus treats it). */
function samplesOf(answer: PromAnswer): RuleSample[] {
  if (answer.resultType !== 'vector' && answer.resultType !== 'scalar') {
    throw new Error(`rule result is a ${answer.resultType}, not a vector or scalar`);
  }
  return answer.series.map((s) => ({ labels: s.labels, value: s.points[0]?.[1] ?? NaN }));
}

interface EvaluatorMetrics {
  readonly evaluations: Counter<'cluster' | 'group'>;
  readonly failures: Counter<'cluster' | 'group'>;
  readonly sendFailures: Counter<'cluster' | 'group'>;
  readonly missed: Counter<'cluster' | 'group'>;
  readonly alerts: Gauge<'cluster' | 'state'>;
}

/** The evaluator's metrics, shared by every evaluator on the same registry. */
function evaluatorMetrics(registry: Registry): EvaluatorMetrics {
  const counter = (name: string, help: string): Counter<'cluster' | 'group'> =>
    (registry.getSingleMetric(name) as Counter<'cluster' | 'group'> | undefined) ??
    new Counter({ name, help, labelNames: ['cluster', 'group'], registers: [registry] });
  return {
    evaluations: counter('lookout_promql_rule_evaluations_total', 'PromQL alerting rule evaluations.'),
    failures: counter(
      'lookout_promql_rule_evaluation_failures_total',
      'PromQL alerting rule evaluations that failed.',
    ),
    sendFailures: counter(
      'lookout_promql_rule_send_failures_total',
      'Batches of PromQL alerts the alert sink refused.',
    ),
    missed: counter(
      'lookout_promql_rule_group_iterations_missed_total',
      'Rule group evaluations skipped because one overran.',
    ),
    alerts:
      (registry.getSingleMetric('lookout_promql_alerts') as Gauge<'cluster' | 'state'> | undefined) ??
      new Gauge({
        name: 'lookout_promql_alerts',
        help: 'PromQL alerts by state (pending, firing).',
        labelNames: ['cluster', 'state'],
        registers: [registry],
      }),
  };
}

/**
 * Builds the evaluator for one cluster's `prometheus:` config, or undefined when it lists no
 * rule files. Throws `ConfigError` when a rule file is invalid.
 */
export function createPromqlRuleEvaluator(
  config: PrometheusConfig,
  options: {
    readonly cluster: string;
    readonly sink: AlertSink;
    readonly log: Logger;
    readonly registry?: Registry;
  },
): { evaluator: PromqlRuleEvaluator; close(): void } | undefined {
  if (config.rule_files.length === 0) return undefined;
  const groups = loadRuleFiles(config.rule_files);
  const log = options.log.child({ component: 'promql-rules', cluster: options.cluster });
  const client = createPrometheusClient(config, log);
  const evaluator = new PromqlRuleEvaluator({
    groups,
    querier: client,
    sink: options.sink,
    log,
    cluster: options.cluster,
    evaluationIntervalMs: config.evaluation_interval,
    resendDelayMs: config.resend_delay,
    externalURL: stripCredentials(config.url.reveal()),
    ...(options.registry ? { registry: options.registry } : {}),
  });
  return { evaluator, close: () => client.close() };
}

function stripCredentials(url: string): string {
  const u = new URL(url);
  u.username = '';
  u.password = '';
  // Query parameters may carry tokens; a link to the graph page needs none.
  u.search = '';
  return u.toString();
}
