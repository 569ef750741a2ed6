// PromQL alert rules from a Prometheus rule file, evaluated by Lookout against real Prometheus:
// an alert goes pending, fires after `for` with templated annotations, and resolves when the
// fixture heals; a broken expression marks its rule unhealthy without touching the others.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusSchema } from '../../src/config/sections/prometheus.js';
import type { Alert } from '../../src/domain/alert.js';
import {
  createPromqlRuleEvaluator,
  type PromqlRuleEvaluator,
} from '../../src/rules/promql/promql-rule-evaluator.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startKsmExporter, type FixtureState, type KsmExporter } from '../fixtures/ksm-exporter.js';
import { poll, startRealPrometheus, type RealPrometheus } from '../metrics/real-prometheus.js';
import { tempDir } from '../support/tmp.js';

function state(crashing: boolean): FixtureState {
  return {
    nodes: [{ name: 'node-a', cpu: 2, memory: 4 * 1024 ** 3 }],
    pods: [
      {
        namespace: 'payments',
        name: 'api-2',
        node: 'node-a',
        phase: 'Running',
        containers: [{ name: 'api', ...(crashing ? { waitingReason: 'CrashLoopBackOff' } : {}) }],
      },
    ],
    hpas: [],
  };
}

const RULES = `
groups:
  - name: pods
    interval: 1s
    rules:
      - alert: ContainerWaitingCrashLoop
        expr: kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"} == 1
        for: 3s
        labels:
          severity: critical
          team: '{{ $labels.namespace }}-oncall'
        annotations:
          summary: "{{ $labels.namespace }}/{{ $labels.pod }} container {{ $labels.container }} in CrashLoopBackOff"
          value: "{{ $value | printf \\"%.1f\\" }}"
      - alert: Broken
        expr: sum(
`;

let exporter: KsmExporter;
let prom: RealPrometheus;
const dir = tempDir('lookout-rules-');
let evaluator: PromqlRuleEvaluator;
let close: () => void;
const batches: { at: number; alerts: Alert[] }[] = [];
const stop = new AbortController();
let running: Promise<void>;
const registry = new Registry();

beforeAll(async () => {
  exporter = await startKsmExporter(state(false));
  prom = await startRealPrometheus({ fixtureTargets: [`127.0.0.1:${exporter.port}`] });
  await prom.waitFor('kube_pod_status_phase');
  const rulesPath = join(dir.path, 'rules.yml');
  writeFileSync(rulesPath, RULES);
  const config = prometheusSchema.parse({
    url: prom.url,
    rule_files: [rulesPath],
    evaluation_interval: '1s',
    resend_delay: '1m',
    timeout: '5s',
  });
  const built = createPromqlRuleEvaluator(config, {
    cluster: 'test',
    log: silentLogger(),
    registry,
    sink: (alerts) => {
      batches.push({ at: Date.now(), alerts });
      return Promise.resolve();
    },
  })!;
  evaluator = built.evaluator;
  close = () => built.close();
  running = evaluator.run(stop.signal);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await running;
  close?.();
  await prom?.stop();
  await exporter?.close();
  dir.remove();
});

function crashRule() {
  return evaluator.snapshot().find((r) => r.alert === 'ContainerWaitingCrashLoop')!;
}

describe('PromQL alert rules against real Prometheus', () => {
  it('goes pending, fires after `for`, and resolves when the series disappears', async () => {
    expect(crashRule().alerts).toEqual([]);
    const brokeAt = Date.now();
    exporter.set(state(true));

    await poll(() => crashRule().alerts[0]?.state === 'pending', 20_000, 'a pending alert');
    const pending = crashRule().alerts[0]!;
    // Nothing leaves while pending.
    expect(batches).toEqual([]);

    await poll(() => batches.length > 0, 20_000, 'the firing alert to reach the sink');
    const fired = batches[0]!.alerts;
    expect(fired).toHaveLength(1);
    const alert = fired[0]!;
    expect(alert.labels).toMatchObject({
      alertname: 'ContainerWaitingCrashLoop',
      cluster: 'test',
      severity: 'critical',
      team: 'payments-oncall',
      namespace: 'payments',
      pod: 'api-2',
      container: 'api',
      reason: 'CrashLoopBackOff',
      job: 'fixture',
    });
    expect(alert.labels).not.toHaveProperty('__name__');
    expect(alert.annotations).toEqual({
      summary: 'payments/api-2 container api in CrashLoopBackOff',
      value: '1.0',
    });
    // Prometheus' `for`: fired no sooner than 3 s after it first matched.
    expect(alert.startsAt - pending.activeAt).toBeGreaterThanOrEqual(3000);
    expect(alert.startsAt).toBeGreaterThanOrEqual(brokeAt);
    // Firing alerts end at a horizon in the future (4 × the resend delay) until resolved.
    expect(alert.endsAt).toBeGreaterThan(Date.now() + 60_000);
    expect(alert.generatorURL).toContain(`${prom.url}/graph?g0.expr=`);

    // Re-sent only after the resend delay (1m), not on every evaluation.
    await new Promise((r) => setTimeout(r, 2500));
    expect(batches).toHaveLength(1);

    exporter.set(state(false));
    await poll(() => batches.length > 1, 20_000, 'the resolved alert to reach the sink');
    const resolved = batches[1]!.alerts;
    expect(resolved).toHaveLength(1);
    expect(resolved[0]!.labels).toEqual(alert.labels);
    expect(resolved[0]!.startsAt).toBe(alert.startsAt);
    expect(resolved[0]!.endsAt).toBeLessThanOrEqual(batches[1]!.at);
    expect(crashRule().alerts[0]!.state).toBe('inactive');
  });

  it('marks a rule whose expression Prometheus rejects unhealthy, and keeps evaluating the others', async () => {
    const broken = evaluator.snapshot().find((r) => r.alert === 'Broken')!;
    expect(broken.health).toBe('err');
    expect(broken.lastError).toContain('bad_data');
    expect(crashRule().health).toBe('ok');
    const failures = await registry.getSingleMetricAsString('lookout_promql_rule_evaluation_failures_total');
    expect(failures).toMatch(
      /lookout_promql_rule_evaluation_failures_total\{cluster="test",group="pods"\} [1-9]/,
    );
  });

  it('sends again what the sink refused, at the next evaluation, and then waits for the resend delay', async () => {
    const path = join(dir.path, 'always.yml');
    writeFileSync(
      path,
      'groups: [ { name: always, rules: [ { alert: Always, expr: "vector(1)", labels: { severity: info } } ] } ]',
    );
    const config = prometheusSchema.parse({ url: prom.url, rule_files: [path], resend_delay: '1m' });
    const calls: Alert[][] = [];
    let refuse = true;
    const built = createPromqlRuleEvaluator(config, {
      cluster: 'test',
      log: silentLogger(),
      sink: (alerts) => {
        calls.push(alerts);
        if (refuse) {
          refuse = false;
          return Promise.reject(new Error('intake unavailable'));
        }
        return Promise.resolve();
      },
    })!;
    try {
      const t0 = Date.now();
      await built.evaluator.evaluateGroup('always', t0);
      await built.evaluator.evaluateGroup('always', t0 + 1000);
      await built.evaluator.evaluateGroup('always', t0 + 2000);
      expect(calls).toHaveLength(2);
      expect(calls[1]).toEqual(
        calls[0]!.map((a) => ({ ...a, updatedAt: t0 + 1000, endsAt: t0 + 1000 + 4 * 60_000 })),
      );
      expect(calls[0]![0]!.labels).toEqual({ alertname: 'Always', severity: 'info', cluster: 'test' });
      await built.evaluator.evaluateGroup('always', t0 + 62_000);
      expect(calls).toHaveLength(3);
    } finally {
      built.close();
    }
  });
});
