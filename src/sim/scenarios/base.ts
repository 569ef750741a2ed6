// The part every scenario's cluster shares: a control-plane node and workers, the system
// namespaces and Services, the control plane's static pods, kube-proxy and the CNI on every
// node, CoreDNS and metrics-server — all settled, as in a cluster that has run for weeks.
import type { NodeObject } from '../cluster/kinds.js';
import { DAY, type ScenarioKit } from './kit.js';

export interface BaseOptions {
  readonly workers: number;
  readonly controlPlanes?: number;
  readonly cpu?: number;
  readonly memoryGi?: number;
  /** Node names: `worker-1` … by default, `node-0001` … with `numbered`. */
  readonly numbered?: boolean;
}

export interface BaseCluster {
  readonly controlPlanes: NodeObject[];
  readonly workers: NodeObject[];
}

const SYSTEM_CRITICAL = [{ operator: 'Exists' as const }];

export function baseCluster(kit: ScenarioKit, options: BaseOptions): BaseCluster {
  const cpCount = options.controlPlanes ?? 1;
  const controlPlanes: NodeObject[] = [];
  const workers: NodeObject[] = [];
  for (let i = 1; i <= cpCount; i++) {
    const name = cpCount === 1 ? 'control-plane' : `control-plane-${i}`;
    controlPlanes.push(
      kit.node({ name, controlPlane: true, cpu: 4, memoryGi: 8, ageMs: 45 * DAY, instanceType: 'm5.large' }),
    );
  }
  const width = String(options.workers).length < 4 ? 4 : String(options.workers).length;
  for (let i = 1; i <= options.workers; i++) {
    const name = options.numbered ? `node-${String(i).padStart(width, '0')}` : `worker-${i}`;
    workers.push(
      kit.node({
        name,
        cpu: options.cpu ?? 4,
        memoryGi: options.memoryGi ?? 16,
        ageMs: 44 * DAY - i * 60_000,
      }),
    );
  }
  const apiIp =
    controlPlanes[0]?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '172.18.0.2';
  kit.systemBasics(apiIp);
  for (const cp of controlPlanes) kit.controlPlanePods(cp);
  const version = kit.ctx.kubernetesVersion;
  kit.daemonSet({
    namespace: 'kube-system',
    name: 'kube-proxy',
    labels: { 'k8s-app': 'kube-proxy' },
    hostNetwork: true,
    tolerations: SYSTEM_CRITICAL,
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'kube-proxy',
    containers: [
      {
        name: 'kube-proxy',
        image: `registry.k8s.io/kube-proxy:${version}`,
        command: ['/usr/local/bin/kube-proxy', '--config=/var/lib/kube-proxy/config.conf'],
      },
    ],
  });
  kit.daemonSet({
    namespace: 'kube-system',
    name: 'calico-node',
    labels: { 'k8s-app': 'calico-node' },
    hostNetwork: true,
    tolerations: SYSTEM_CRITICAL,
    priorityClassName: 'system-node-critical',
    serviceAccountName: 'calico-node',
    containers: [{ name: 'calico-node', image: 'docker.io/calico/node:v3.29.1', cpu: '250m' }],
  });
  kit.deployment({
    namespace: 'kube-system',
    name: 'coredns',
    replicas: 2,
    labels: { 'k8s-app': 'kube-dns' },
    ageMs: 45 * DAY,
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: 'coredns',
    tolerations: [
      { key: 'CriticalAddonsOnly', operator: 'Exists' },
      { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' },
    ],
    containers: [
      {
        name: 'coredns',
        image: 'registry.k8s.io/coredns/coredns:v1.11.3',
        cpu: '100m',
        memory: '70Mi',
        limitMemory: '170Mi',
        port: 8181,
        readiness: true,
        args: ['-conf', '/etc/coredns/Corefile'],
      },
    ],
  });
  kit.service({
    namespace: 'kube-system',
    name: 'kube-dns',
    selector: { 'k8s-app': 'kube-dns' },
    clusterIP: '10.96.0.10',
    ports: [
      { name: 'dns', port: 53 },
      { name: 'metrics', port: 9153 },
    ],
    ageMs: 45 * DAY,
  });
  kit.deployment({
    namespace: 'kube-system',
    name: 'metrics-server',
    labels: { 'k8s-app': 'metrics-server' },
    ageMs: 44 * DAY,
    priorityClassName: 'system-cluster-critical',
    serviceAccountName: 'metrics-server',
    containers: [
      {
        name: 'metrics-server',
        image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2',
        cpu: '100m',
        memory: '200Mi',
        port: 10250,
        readiness: true,
        args: ['--kubelet-preferred-address-types=InternalIP', '--metric-resolution=15s'],
      },
    ],
  });
  kit.service({
    namespace: 'kube-system',
    name: 'metrics-server',
    selector: { 'k8s-app': 'metrics-server' },
    ports: [{ name: 'https', port: 443, targetPort: 10250 }],
    ageMs: 44 * DAY,
  });
  return { controlPlanes, workers };
}
