// `oom`: a report builder whose working set grows until it hits its 256Mi memory limit, about
// a minute after each start: the kernel kills it (OOMKilled, exit 137, an OOMKilling event on
// the node), the kubelet restarts it with back-off, and metrics show memory climbing to the
// limit each time. A neighbour runs close to its own limit without ever crossing it.
import { baseCluster } from './base.js';
import type { ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

export const OOM = {
  namespace: 'analytics',
  leaky: { name: 'report-builder', image: 'ghcr.io/acme/report-builder:3.1.0', limit: '256Mi' },
  tight: { name: 'ingest', image: 'ghcr.io/acme/ingest:5.2.0', limit: '512Mi' },
} as const;

export function oomWorkloads(kit: ScenarioKit): void {
  const ns = OOM.namespace;
  kit.namespace(ns, { team: 'data' });
  // From about half the limit to the limit in 50–60 s.
  kit.behaviour(OOM.leaky.image, { logs: 'java', memoryLeakBytesPerSecond: 2.4 * 2 ** 20 });
  kit.behaviour(OOM.tight.image, { logs: 'python', usage: { memoryBytes: 440 * 2 ** 20 } });
  kit.deployment({
    namespace: ns,
    name: OOM.leaky.name,
    replicas: 2,
    settled: false,
    containers: [
      {
        name: 'builder',
        image: OOM.leaky.image,
        cpu: '200m',
        memory: '128Mi',
        limitMemory: OOM.leaky.limit,
        port: 8080,
      },
    ],
  });
  kit.deployment({
    namespace: ns,
    name: OOM.tight.name,
    containers: [
      {
        name: 'ingest',
        image: OOM.tight.image,
        cpu: '100m',
        memory: '384Mi',
        limitMemory: OOM.tight.limit,
        port: 8080,
      },
    ],
  });
}

export const oom: Scenario = {
  name: 'oom',
  summary: 'a container that grows to its memory limit and is OOMKilled, again and again',
  setup(kit) {
    baseCluster(kit, { workers: 2 });
    oomWorkloads(kit);
  },
};
