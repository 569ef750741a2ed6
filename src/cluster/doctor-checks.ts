// `lookout doctor` lines for clusters: can Lookout reach each API server, which version it runs,
// and may it list what it watches (pods, events, nodes)?
import type { Config } from '../config/index.js';
import { errorMessage } from '../lib/errors.js';
import { KubeClient } from './kube-client.js';

/** The shape `src/cli/doctor.ts` runs (structural, so the cluster area does not import the CLI). */
export interface ClusterCheck {
  readonly name: string;
  run(): Promise<{ readonly ok: boolean; readonly detail: string }>;
}

/** What Lookout lists and watches cluster-wide; a missing permission is named. */
const LISTED: ReadonlyArray<readonly [string, string]> = [
  ['pods', '/api/v1/pods'],
  ['events', '/api/v1/events'],
  ['nodes', '/api/v1/nodes'],
];

export function clusterChecks(config: Config): ClusterCheck[] {
  return config.clusters.map((cluster) => ({
    name: `cluster ${cluster.name}`,
    async run() {
      let client: KubeClient;
      try {
        client = KubeClient.fromConfig(cluster, { requestTimeoutMs: 10_000 });
      } catch (error) {
        return { ok: false, detail: errorMessage(error) };
      }
      try {
        const version = await client.getJson<{ gitVersion?: string }>(
          '/version',
          {},
          AbortSignal.timeout(10_000),
        );
        const refused: string[] = [];
        for (const [what, path] of LISTED) {
          try {
            await client.getJson(path, { limit: 1 }, AbortSignal.timeout(10_000));
          } catch (error) {
            refused.push(`${what} (${errorMessage(error)})`);
          }
        }
        const where = `${client.server} (Kubernetes ${version.gitVersion ?? 'unknown version'})`;
        return refused.length === 0
          ? { ok: true, detail: `${where}: may list pods, events and nodes` }
          : { ok: false, detail: `${where}: cannot list ${refused.join(', ')}` };
      } catch (error) {
        return { ok: false, detail: `cannot reach the API server: ${errorMessage(error)}` };
      }
    },
  }));
}
