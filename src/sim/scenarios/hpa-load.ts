// `hpa-load`: the php-apache example (Deployment with requests 100m / limits 200m CPU, a
// Service, an autoscaling/v2 HPA keeping average CPU at 50% with 1–4 replicas). 30 s in, a
// load generator starts (a busybox pod looping wget) and drives CPU up: the HPA scales to 4
// (capped: ScalingLimited TooManyReplicas while each pod still runs ~70%). Four minutes later
// the load stops; after the 5-minute scale-down stabilisation the HPA goes back to 1.
import { baseCluster } from './base.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

export const HPA_LOAD = {
  namespace: 'default',
  name: 'php-apache',
  image: 'docker.io/yuyiyu/google-containers.hpa-example:latest',
  generator: 'load-generator',
  /** Total CPU the load generator causes (millicores). */
  loadMilli: 280,
  loadAtMs: 30_000,
  loadForMs: 4 * 60_000,
} as const;

export function phpApache(kit: ScenarioKit): void {
  kit.behaviour(HPA_LOAD.image, { logs: 'apache', usage: { cpuMilli: 1, memoryBytes: 11 * 2 ** 20 } });
  kit.deployment({
    namespace: HPA_LOAD.namespace,
    name: HPA_LOAD.name,
    labels: { app: HPA_LOAD.name },
    containers: [{ name: HPA_LOAD.name, image: HPA_LOAD.image, cpu: '100m', limitCpu: '200m', port: 80 }],
  });
  kit.service({ namespace: HPA_LOAD.namespace, name: HPA_LOAD.name, ports: [{ port: 80 }] });
  kit.hpa({
    namespace: HPA_LOAD.namespace,
    name: HPA_LOAD.name,
    target: HPA_LOAD.name,
    min: 1,
    max: 4,
    cpuPercent: 50,
  });
}

/** Starts the load: the generator pod appears and the php-apache pods get busy. */
export function startLoad(kit: ScenarioKit, milli: number = HPA_LOAD.loadMilli): void {
  if (!kit.ctx.cache.get('pods', HPA_LOAD.namespace, HPA_LOAD.generator)) {
    kit.create('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: HPA_LOAD.generator,
        namespace: HPA_LOAD.namespace,
        labels: { run: HPA_LOAD.generator },
      },
      spec: {
        restartPolicy: 'Never',
        containers: [
          kit.container({
            name: HPA_LOAD.generator,
            image: 'docker.io/library/busybox:1.37',
            command: ['/bin/sh', '-c', `while sleep 0.01; do wget -q -O- http://${HPA_LOAD.name}; done`],
          }),
        ],
      },
    });
  }
  kit.driver.setLoad(HPA_LOAD.namespace, { name: HPA_LOAD.name }, milli);
}

export function stopLoad(kit: ScenarioKit): void {
  kit.driver.setLoad(HPA_LOAD.namespace, { name: HPA_LOAD.name }, 0);
  if (kit.ctx.cache.get('pods', HPA_LOAD.namespace, HPA_LOAD.generator)) {
    kit.ctx.store.delete('pods', HPA_LOAD.namespace, HPA_LOAD.generator);
  }
}

export const hpaLoad: Scenario = {
  name: 'hpa-load',
  summary: 'php-apache under load: the HPA scales 1 → 4, then back to 1 once the load stops',
  setup(kit) {
    baseCluster(kit, { workers: 3 });
    phpApache(kit);
  },
  run(kit) {
    kit.timers.after(kit.scaled(HPA_LOAD.loadAtMs), () => startLoad(kit));
    kit.timers.after(kit.scaled(HPA_LOAD.loadAtMs + HPA_LOAD.loadForMs), () => stopLoad(kit));
  },
};
