// The `lookout doctor` check for built-in metrics: does each cluster without a Prometheus serve
// metrics.k8s.io (is metrics-server installed)? Without it, usage charts and `top` stay empty.
import { KubeClient } from '../../cluster/kube-client.js';
import { metricsApiMissing, readResourceMetrics } from '../../cluster/metrics-api.js';
import type { Config } from '../../config/index.js';
import { errorMessage } from '../../lib/errors.js';

/** The shape of a doctor check (`src/cli/doctor.ts`). */
export interface MetricsApiCheck {
  readonly name: string;
  run(): Promise<{ readonly ok: boolean; readonly detail: string }>;
}

export function metricsApiChecks(config: Config): MetricsApiCheck[] {
  if (!config.collect.metrics.enabled) return [];
  return config.clusters
    .filter((c) => !c.prometheus)
    .map((cluster) => ({
      name: `metrics API of cluster ${cluster.name}`,
      async run() {
        let client: KubeClient;
        try {
          client = KubeClient.fromConfig(cluster, { requestTimeoutMs: 10_000 });
        } catch (error) {
          return { ok: false, detail: errorMessage(error) };
        }
        try {
          const reading = await readResourceMetrics(client, {
            namespaces: cluster.namespaces.include,
            signal: AbortSignal.timeout(15_000),
          });
          return {
            ok: true,
            detail: `metrics.k8s.io answers: usage of ${reading.nodes.length} nodes and ${reading.pods.length} pods`,
          };
        } catch (error) {
          if (metricsApiMissing(error))
            return {
              ok: false,
              detail: `the cluster serves no metrics.k8s.io (${errorMessage(error)}): install metrics-server for node and container usage, or set clusters[].prometheus`,
            };
          return { ok: false, detail: `reading metrics.k8s.io failed: ${errorMessage(error)}` };
        }
      },
    }));
}
