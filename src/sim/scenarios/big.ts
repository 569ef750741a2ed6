// `big`: 1,000 nodes and about 10,000 pods — three control-plane nodes, 997 workers, kube-proxy
// and the CNI on every node, and 20 team namespaces of 40 Deployments × 10 replicas with a
// Service each — all settled, for scale and memory tests of everything that watches it.
import { baseCluster } from './base.js';
import type { Scenario } from './scenario.js';

export const BIG = {
  nodes: 1000,
  controlPlanes: 3,
  namespaces: 20,
  deploymentsPerNamespace: 40,
  replicas: 10,
} as const;

const IMAGES = [
  'ghcr.io/acme/api:3.2.1',
  'ghcr.io/acme/worker:1.9.0',
  'docker.io/library/nginx:1.27.3',
  'ghcr.io/acme/search:0.22.4',
  'docker.io/library/redis:7.4.1',
];

export const big: Scenario = {
  name: 'big',
  summary: '1,000 nodes and ~10,000 pods, all healthy (scale and memory tests)',
  setup(kit) {
    baseCluster(kit, {
      workers: BIG.nodes - BIG.controlPlanes,
      controlPlanes: BIG.controlPlanes,
      cpu: 8,
      memoryGi: 32,
      numbered: true,
    });
    for (let n = 0; n < BIG.namespaces; n++) {
      const ns = `team-${String(n + 1).padStart(2, '0')}`;
      kit.namespace(ns, { team: ns });
      for (let d = 0; d < BIG.deploymentsPerNamespace; d++) {
        const name = `svc-${String(d + 1).padStart(3, '0')}`;
        const image = IMAGES[(n + d) % IMAGES.length]!;
        kit.deployment({
          namespace: ns,
          name,
          replicas: BIG.replicas,
          containers: [{ name: 'app', image, cpu: '50m', memory: '64Mi', limitMemory: '256Mi', port: 8080 }],
        });
        kit.service({ namespace: ns, name, ports: [{ name: 'http', port: 80, targetPort: 8080 }] });
      }
    }
  },
};
