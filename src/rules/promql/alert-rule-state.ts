// The alerts of one PromQL alerting rule across evaluations, with Prometheus' semantics:
// a new result is pending, fires once it held for `for`, resolves when its series is gone,
// and is sent again every resend delay while firing. Pure: no I/O, time passed in.
import { fingerprint, type Alert, type Labels } from '../../domain/alert.js';
import type { AlertingRule } from './rule-file.js';

export type AlertState = 'pending' | 'firing' | 'inactive';

/** One sample of the rule's expression result. */
export interface RuleSample {
  readonly labels: Labels;
  readonly value: number;
}

export interface ActiveAlert {
  readonly labels: Labels;
  annotations: Labels;
  state: AlertState;
  value: number;
  readonly activeAt: number;
  firedAt: number | undefined;
  resolvedAt: number | undefined;
  lastSentAt: number | undefined;
  /** When the series last stopped matching while firing (for `keep_firing_for`). */
  keepFiringSince: number | undefined;
  validUntil: number | undefined;
}

export interface RuleStateOptions {
  /** Labels added to every alert that does not have them (Lookout adds `cluster`). */
  readonly externalLabels: Labels;
  readonly externalURL: string;
  /** Alerts allowed at once for this rule (the group's `limit`); 0: no limit. */
  readonly limit?: number;
}

/** A resolved alert is kept (and re-sent as resolved) this long, as Prometheus does. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

export class RuleEvaluationError extends Error {}

export class AlertRuleState {
  readonly rule: AlertingRule;
  readonly #opts: RuleStateOptions;
  readonly #active = new Map<string, ActiveAlert>();

  constructor(rule: AlertingRule, options: RuleStateOptions) {
    this.rule = rule;
    this.#opts = options;
  }

  /** Every alert the rule holds, resolved ones included until they age out. */
  get alerts(): readonly ActiveAlert[] {
    return [...this.#active.values()];
  }

  /**
   * Applies one evaluation's result at time `ts`. Throws {@link RuleEvaluationError}, leaving
   * the state as it was, when two samples end up with the same labels or the limit is passed.
   */
  apply(samples: readonly RuleSample[], ts: number): void {
    const incoming = new Map<string, { labels: Labels; annotations: Labels; value: number }>();
    for (const sample of samples) {
      const seriesLabels: Record<string, string> = { ...sample.labels };
      delete seriesLabels.__name__;
      const data = {
        labels: seriesLabels,
        value: sample.value,
        externalLabels: this.#opts.externalLabels,
        externalURL: this.#opts.externalURL,
      };
      const labels: Record<string, string> = { ...seriesLabels };
      for (const [name, template] of Object.entries(this.rule.labels)) labels[name] = template.render(data);
      labels.alertname = this.rule.alert;
      for (const [name, value] of Object.entries(this.#opts.externalLabels)) labels[name] ??= value;
      // An empty label value means "no label", as in Prometheus.
      for (const name of Object.keys(labels)) if (labels[name] === '') delete labels[name];
      const annotations: Record<string, string> = {};
      for (const [name, template] of Object.entries(this.rule.annotations))
        annotations[name] = template.render(data);
      const fp = fingerprint(labels);
      if (incoming.has(fp)) {
        throw new RuleEvaluationError(
          'vector contains metrics with the same labelset after applying alert labels',
        );
      }
      incoming.set(fp, { labels, annotations, value: sample.value });
    }
    const limit = this.#opts.limit ?? 0;
    if (limit > 0 && incoming.size > limit) {
      this.#active.clear();
      throw new RuleEvaluationError(`exceeded limit of ${limit} with ${incoming.size} alerts`);
    }

    for (const [fp, next] of incoming) {
      const current = this.#active.get(fp);
      if (current && current.state !== 'inactive') {
        current.value = next.value;
        current.annotations = next.annotations;
        current.keepFiringSince = undefined;
        continue;
      }
      this.#active.set(fp, {
        labels: next.labels,
        annotations: next.annotations,
        state: 'pending',
        value: next.value,
        activeAt: ts,
        firedAt: undefined,
        resolvedAt: undefined,
        lastSentAt: undefined,
        keepFiringSince: undefined,
        validUntil: undefined,
      });
    }

    for (const [fp, alert] of this.#active) {
      if (!incoming.has(fp)) {
        if (alert.state === 'firing' && this.rule.keepFiringForMs > 0) {
          alert.keepFiringSince ??= ts;
          if (ts - alert.keepFiringSince < this.rule.keepFiringForMs) continue;
        }
        if (
          alert.state === 'pending' ||
          (alert.resolvedAt !== undefined && ts - alert.resolvedAt > RESOLVED_RETENTION_MS)
        ) {
          this.#active.delete(fp);
          continue;
        }
        if (alert.state !== 'inactive') {
          alert.state = 'inactive';
          alert.resolvedAt = ts;
        }
        continue;
      }
      if (alert.state === 'pending' && ts - alert.activeAt >= this.rule.forMs) {
        alert.state = 'firing';
        alert.firedAt = ts;
      }
    }
  }

  /**
   * The alerts due to be sent at `ts`: those not sent within `resendDelayMs` (firing, or
   * resolved within the retention), and those resolved since they were last sent. Firing alerts end at a horizon (4 × the larger of the
   * interval and the resend delay) so a receiver resolves them if evaluation stops.
   */
  due(ts: number, resendDelayMs: number, intervalMs: number): { alert: ActiveAlert; toSend: Alert }[] {
    const out: { alert: ActiveAlert; toSend: Alert }[] = [];
    for (const alert of this.#active.values()) {
      if (alert.state === 'pending') continue;
      const resolvedSinceSent =
        alert.resolvedAt !== undefined &&
        (alert.lastSentAt === undefined || alert.resolvedAt > alert.lastSentAt);
      const resendDue = alert.lastSentAt === undefined || alert.lastSentAt + resendDelayMs < ts;
      // Resolved alerts are sent again too, until they age out: a receiver that missed the
      // first resolution still hears of it.
      if (!resolvedSinceSent && !resendDue) continue;
      const validUntil = ts + 4 * Math.max(intervalMs, resendDelayMs);
      out.push({
        alert,
        toSend: {
          labels: alert.labels,
          annotations: alert.annotations,
          startsAt: alert.firedAt ?? alert.activeAt,
          endsAt: alert.resolvedAt ?? validUntil,
          updatedAt: ts,
          generatorURL: this.#opts.externalURL
            ? generatorUrl(this.#opts.externalURL, this.rule.expr)
            : undefined,
        },
      });
    }
    return out;
  }

  /** Records that `alerts` reached the sink at `ts`. */
  markSent(alerts: readonly ActiveAlert[], ts: number, resendDelayMs: number, intervalMs: number): void {
    for (const alert of alerts) {
      alert.lastSentAt = ts;
      alert.validUntil = ts + 4 * Math.max(intervalMs, resendDelayMs);
    }
  }
}

/** Prometheus' link to an expression in its graph page. */
export function generatorUrl(base: string, expr: string): string {
  const root = base.endsWith('/') ? base.slice(0, -1) : base;
  return `${root}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=1`;
}
