// The autoscaler on the seed's php-apache example: load → 4 replicas (capped at max, CPU still
// over target) → load gone → after the 5-minute stabilisation, back to 1 — plus the tolerance
// band, and metrics.k8s.io objects that move with load and stay within the limits.
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/sim/clock.js';
import { SimCluster } from '../../src/sim/cluster.js';
import type { KubeObject } from '../../src/sim/object-store.js';
import { HPA_LOAD } from '../../src/sim/scenarios/hpa-load.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire objects are inspected loosely
type Json = any;

type Obj = KubeObject & { spec: Json; status?: Json };

const hpa = (c: SimCluster): Obj =>
  c.store.get('autoscaling/horizontalpodautoscalers', 'default', 'php-apache') as Obj;
const replicas = (c: SimCluster): number =>
  (c.store.get('apps/deployments', 'default', 'php-apache') as Obj).spec.replicas;
const reasons = (h: Obj): string[] =>
  h.status.conditions.map((x: Json) => `${x.type}=${x.status}/${x.reason}`);

describe('simulated horizontal pod autoscaler', () => {
  it('plays the php-apache example out: 1 → 4 under load (TooManyReplicas), back to 1 five minutes after it stops', async () => {
    const clock = new ManualClock();
    const c = new SimCluster({ scenario: 'hpa-load', clock });
    await c.start();
    const t0 = clock.now();
    clock.advanceTo(t0 + HPA_LOAD.loadAtMs - 1_000);
    expect(replicas(c)).toBe(1);
    expect(hpa(c).status.currentMetrics[0].resource.current.averageUtilization).toBeLessThan(10);
    expect(c.store.get('pods', 'default', HPA_LOAD.generator)).toBeUndefined();

    clock.advanceUntil(() => replicas(c) === 4, { stepMs: 1_000, maxMs: 60_000 });
    expect(clock.now() - t0 - HPA_LOAD.loadAtMs).toBeLessThanOrEqual(16_000);
    expect(c.store.get('pods', 'default', HPA_LOAD.generator)).toBeDefined();
    const up = c.store
      .list('events', { namespace: 'default' })
      .items.find((e: Json) => e.reason === 'SuccessfulRescale') as Json;
    expect(up).toMatchObject({
      message: 'New size: 4; reason: cpu resource utilization (percentage of request) above target',
      source: { component: 'horizontal-pod-autoscaler' },
      involvedObject: { kind: 'HorizontalPodAutoscaler', name: 'php-apache' },
    });
    clock.advance(60_000);
    const loaded = hpa(c);
    expect(loaded.status).toMatchObject({ currentReplicas: 4, desiredReplicas: 4 });
    const utilization = loaded.status.currentMetrics[0].resource.current.averageUtilization;
    expect(utilization).toBeGreaterThan(55);
    expect(utilization).toBeLessThan(90);
    expect(reasons(loaded)).toEqual([
      'AbleToScale=True/ReadyForNewScale',
      'ScalingActive=True/ValidMetricFound',
      'ScalingLimited=True/TooManyReplicas',
    ]);
    // No pod runs over its 200m limit even though the load is 280m.
    for (const m of c.metrics
      .podMetrics('default')
      .filter((x) => x.metadata.name?.startsWith('php-apache'))) {
      const cpu = Number(String((m as Json).containers[0].usage.cpu).replace('n', '')) / 1e6;
      expect(cpu).toBeLessThanOrEqual(200);
    }

    const loadEnds = t0 + HPA_LOAD.loadAtMs + HPA_LOAD.loadForMs;
    clock.advanceTo(loadEnds + 60_000);
    expect(replicas(c)).toBe(4);
    expect(reasons(hpa(c))[0]).toBe('AbleToScale=True/ScaleDownStabilized');
    clock.advanceTo(loadEnds + 4 * 60_000);
    expect(replicas(c)).toBe(4);
    clock.advanceUntil(() => replicas(c) === 1, { stepMs: 5_000, maxMs: 3 * 60_000 });
    expect(clock.now() - loadEnds).toBeGreaterThanOrEqual(5 * 60_000);
    const downs = c.store
      .list('events', { namespace: 'default' })
      .items.filter((e: Json) => e.reason === 'SuccessfulRescale')
      .map((e: Json) => e.message);
    expect(downs).toContain('New size: 1; reason: All metrics below target');
    clock.advanceUntil(
      () =>
        (c.store.list('pods', { namespace: 'default' }).items as Obj[]).filter(
          (p) => p.metadata.labels?.app === 'php-apache',
        ).length === 1,
      { stepMs: 1_000, maxMs: 120_000 },
    );
    expect(c.store.get('pods', 'default', HPA_LOAD.generator)).toBeUndefined();
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });

  it('does not scale while utilisation stays within 10% of the target', async () => {
    const clock = new ManualClock();
    const c = new SimCluster({ scenario: 'steady', clock });
    await c.start();
    c.driver.setBehaviour('ghcr.io/acme/steady-api:1.0.0', { usage: { cpuMilli: 1 } });
    c.kit.deployment({
      namespace: 'default',
      name: 'steady-api',
      replicas: 2,
      containers: [{ name: 'api', image: 'ghcr.io/acme/steady-api:1.0.0', cpu: '100m', limitCpu: '500m' }],
    });
    c.kit.hpa({
      namespace: 'default',
      name: 'steady-api',
      target: 'steady-api',
      min: 1,
      max: 10,
      cpuPercent: 50,
    });
    // 105m over two pods: ~52% each, within the tolerance band around 50%.
    c.driver.setLoad('default', { name: 'steady-api' }, 105);
    clock.advance(5 * 60_000);
    const h = c.store.get('autoscaling/horizontalpodautoscalers', 'default', 'steady-api') as Obj;
    expect((c.store.get('apps/deployments', 'default', 'steady-api') as Obj).spec.replicas).toBe(2);
    expect(h.status.desiredReplicas).toBe(2);
    // 300m: ~151% per pod would want 7 replicas, but one step may at most reach
    // max(2 × 2, 2 + 4) = 6 — where each pod runs ~51%, inside the band, so it stays there.
    c.driver.setLoad('default', { name: 'steady-api' }, 300);
    clock.advance(60_000);
    expect((c.store.get('apps/deployments', 'default', 'steady-api') as Obj).spec.replicas).toBe(6);
    const limited = c.store
      .list('events', { namespace: 'default' })
      .items.filter((e: Json) => e.reason === 'SuccessfulRescale' && e.involvedObject.name === 'steady-api');
    expect(limited.map((e: Json) => e.message)).toEqual([
      'New size: 6; reason: cpu resource utilization (percentage of request) above target',
    ]);
    expect(c.stats().failures).toBe(0);
    await c.stop();
  });
});
