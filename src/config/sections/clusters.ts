// `clusters:` — the Kubernetes clusters Lookout watches. Each has a unique name that every
// stored record carries.
import { z } from 'zod';
import { dnsLabel, obj } from '../schema-kit.js';
import { prometheusSchema } from './prometheus.js';

const namespaceFilter = obj({
  /** Watch only these namespaces (empty: all). */
  include: z.array(z.string().min(1)).default([]),
  /** Never watch these namespaces. */
  exclude: z.array(z.string().min(1)).default([]),
});

export const clusterSchema = obj({
  name: dnsLabel(),
  /** Path to a kubeconfig file. */
  kubeconfig: z.string().min(1).optional(),
  /** Context in the kubeconfig; default: its current-context. */
  context: z.string().min(1).optional(),
  /** Use the service account Lookout runs under inside the cluster. */
  in_cluster: z.boolean().default(false),
  namespaces: namespaceFilter.prefault({}),
  /** An existing Prometheus holding this cluster's metrics (queries, charts, PromQL rules). */
  prometheus: prometheusSchema.optional(),
}).superRefine((c, ctx) => {
  if (c.in_cluster && c.kubeconfig) {
    ctx.addIssue({
      code: 'custom',
      path: ['in_cluster'],
      message: 'set either kubeconfig or in_cluster: true, not both',
    });
  } else if (!c.in_cluster && !c.kubeconfig) {
    ctx.addIssue({ code: 'custom', path: ['kubeconfig'], message: 'is required (or set in_cluster: true)' });
  }
  if (c.context && c.in_cluster) {
    ctx.addIssue({ code: 'custom', path: ['context'], message: 'only applies with kubeconfig' });
  }
});

export const clustersSchema = z
  .array(clusterSchema)
  .default([])
  .superRefine((clusters, ctx) => {
    const seen = new Map<string, number>();
    clusters.forEach((c, i) => {
      const first = seen.get(c.name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `"${c.name}" is already used by clusters[${first}]`,
        });
      } else {
        seen.set(c.name, i);
      }
    });
  });

export type ClusterConfig = z.output<typeof clusterSchema>;
