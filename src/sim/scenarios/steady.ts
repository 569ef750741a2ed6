// `steady`: a healthy three-node cluster with about forty pods in five namespaces — a shop
// (web, APIs, PostgreSQL, Redis), monitoring, an ingress controller and a few things in
// default — all Running and Ready. Nothing fails; logs flow and usage wanders.
import { baseCluster, type BaseCluster } from './base.js';
import { DAY, HOUR, type ScenarioKit } from './kit.js';
import type { Scenario } from './scenario.js';

/** The shop and friends on top of a base cluster (shared by steady, mixed and others). */
export function steadyWorkloads(kit: ScenarioKit): void {
  kit.namespace('shop', { team: 'shop' }, 20 * DAY);
  kit.namespace('monitoring', {}, 30 * DAY);
  kit.namespace('ingress-nginx', {}, 30 * DAY);

  kit.behaviour('ghcr.io/acme/cart:2.3.0', { logs: 'node' });
  kit.behaviour('ghcr.io/acme/checkout:1.8.2', { logs: 'java' });
  kit.behaviour('ghcr.io/acme/payments:4.0.1', { logs: 'go' });
  kit.behaviour('ghcr.io/acme/catalog:1.12.0', { logs: 'python' });
  kit.behaviour('ghcr.io/acme/notifications:0.7.4', { logs: 'node' });

  const shop = 'shop';
  kit.deployment({
    namespace: shop,
    name: 'frontend',
    replicas: 4,
    containers: [
      {
        name: 'nginx',
        image: 'docker.io/library/nginx:1.27.3',
        cpu: '100m',
        memory: '64Mi',
        limitMemory: '128Mi',
        port: 80,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'cart',
    replicas: 2,
    containers: [
      {
        name: 'cart',
        image: 'ghcr.io/acme/cart:2.3.0',
        cpu: '150m',
        memory: '192Mi',
        limitMemory: '384Mi',
        port: 8080,
        readiness: true,
        liveness: true,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'checkout',
    replicas: 2,
    containers: [
      {
        name: 'checkout',
        image: 'ghcr.io/acme/checkout:1.8.2',
        cpu: '250m',
        memory: '512Mi',
        limitMemory: '768Mi',
        port: 8080,
        readiness: true,
        liveness: true,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'payments',
    replicas: 2,
    containers: [
      {
        name: 'payments',
        image: 'ghcr.io/acme/payments:4.0.1',
        cpu: '200m',
        memory: '128Mi',
        limitCpu: '1',
        limitMemory: '256Mi',
        port: 8080,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'catalog',
    replicas: 2,
    containers: [
      {
        name: 'catalog',
        image: 'ghcr.io/acme/catalog:1.12.0',
        cpu: '100m',
        memory: '256Mi',
        limitMemory: '512Mi',
        port: 8000,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'notifications',
    replicas: 2,
    containers: [
      {
        name: 'notifications',
        image: 'ghcr.io/acme/notifications:0.7.4',
        cpu: '50m',
        memory: '96Mi',
        limitMemory: '192Mi',
        port: 8080,
      },
    ],
  });
  kit.deployment({
    namespace: shop,
    name: 'redis',
    containers: [
      {
        name: 'redis',
        image: 'docker.io/library/redis:7.4.1',
        cpu: '100m',
        memory: '128Mi',
        limitMemory: '256Mi',
        port: 6379,
      },
    ],
  });
  kit.statefulSet({
    namespace: shop,
    name: 'postgres',
    storage: '10Gi',
    containers: [
      {
        name: 'postgres',
        image: 'docker.io/library/postgres:16.6',
        cpu: '250m',
        memory: '512Mi',
        limitMemory: '1Gi',
        port: 5432,
        readiness: true,
      },
    ],
  });
  for (const [name, port] of [
    ['frontend', 80],
    ['cart', 8080],
    ['checkout', 8080],
    ['payments', 8080],
    ['catalog', 8000],
    ['notifications', 8080],
    ['redis', 6379],
    ['postgres', 5432],
  ] as const) {
    kit.service({ namespace: shop, name, ports: [{ name: 'http', port, targetPort: port }] });
  }

  kit.daemonSet({
    namespace: 'monitoring',
    name: 'node-exporter',
    hostNetwork: true,
    tolerations: [{ operator: 'Exists' }],
    containers: [
      {
        name: 'node-exporter',
        image: 'quay.io/prometheus/node-exporter:v1.8.2',
        cpu: '50m',
        memory: '32Mi',
        limitMemory: '64Mi',
        port: 9100,
      },
    ],
  });
  kit.statefulSet({
    namespace: 'monitoring',
    name: 'prometheus',
    storage: '50Gi',
    containers: [
      {
        name: 'prometheus',
        image: 'quay.io/prometheus/prometheus:v2.55.1',
        cpu: '500m',
        memory: '1Gi',
        limitMemory: '2Gi',
        port: 9090,
        readiness: true,
      },
    ],
  });
  kit.deployment({
    namespace: 'monitoring',
    name: 'grafana',
    containers: [
      {
        name: 'grafana',
        image: 'docker.io/grafana/grafana:11.3.1',
        cpu: '100m',
        memory: '128Mi',
        limitMemory: '256Mi',
        port: 3000,
        readiness: true,
      },
    ],
  });
  kit.service({ namespace: 'monitoring', name: 'prometheus', ports: [{ name: 'web', port: 9090 }] });
  kit.service({
    namespace: 'monitoring',
    name: 'grafana',
    ports: [{ name: 'http', port: 80, targetPort: 3000 }],
  });

  kit.deployment({
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    labels: { 'app.kubernetes.io/name': 'ingress-nginx' },
    containers: [
      {
        name: 'controller',
        image: 'registry.k8s.io/ingress-nginx/controller:v1.12.0',
        cpu: '100m',
        memory: '90Mi',
        port: 80,
        readiness: true,
        liveness: true,
      },
    ],
  });
  kit.service({
    namespace: 'ingress-nginx',
    name: 'ingress-nginx-controller',
    selector: { app: 'ingress-nginx-controller' },
    type: 'NodePort',
    ports: [
      { name: 'http', port: 80, nodePort: 30080 },
      { name: 'https', port: 443, nodePort: 30443 },
    ],
  });

  kit.deployment({
    namespace: 'default',
    name: 'hello',
    replicas: 2,
    containers: [
      { name: 'hello', image: 'docker.io/library/nginx:1.27.3', cpu: '50m', memory: '32Mi', port: 80 },
    ],
  });
  kit.service({ namespace: 'default', name: 'hello', ports: [{ port: 80 }] });
  kit.completedJob('default', 'db-backup-29174400', 'docker.io/library/postgres:16.6', 7 * HOUR);
}

export const steady: Scenario = {
  name: 'steady',
  summary: '3 nodes, ~40 pods in 5 namespaces, all healthy',
  setup(kit) {
    setupSteady(kit);
  },
};

export function setupSteady(kit: ScenarioKit): BaseCluster {
  const base = baseCluster(kit, { workers: 2 });
  steadyWorkloads(kit);
  return base;
}
