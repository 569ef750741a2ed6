// Building blocks for scenarios: nodes, namespaces, workloads, services, volumes and jobs as a
// cluster that has been running for a while has them — created already settled (pods bound,
// Running and Ready, statuses consistent, creation times in the past, no start-up events) so a
// 10,000-pod cluster starts in seconds — or live, so the controllers and kubelets play the
// whole start-up out in front of the watchers.
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { IPodStatus } from 'kubernetes-models/v1/PodStatus';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { KubeObject } from '../object-store.js';
import { rfc3339 } from '../object-store.js';
import type { SeededRandom } from '../random.js';
import type { SimContext } from '../cluster/context.js';
import { daemonSetRevision, daemonTolerations } from '../cluster/controllers/daemonset.js';
import { podTemplateHash } from '../cluster/controllers/deployment.js';
import type { Scheduler } from '../cluster/controllers/scheduler.js';
import { statefulSetRevision } from '../cluster/controllers/statefulset.js';
import type { SimDriver } from '../cluster/driver.js';
import {
  controllerRef,
  type DaemonSetObject,
  type IPodTemplateSpec,
  type NodeObject,
  type OwnerReference,
  type PodObject,
  type StatefulSetObject,
} from '../cluster/kinds.js';
import type { BehaviourSpec } from '../cluster/kubelet/behaviour.js';
import type { KubeletFleet } from '../cluster/kubelet/fleet.js';
import type { ImageRegistry } from '../cluster/kubelet/images.js';
import type { PvcBinder } from '../cluster/controllers/pvc-binder.js';
import type { Timers } from '../cluster/timers.js';
import { matchesNodeSelection, podFromTemplate, qosClass, untoleratedTaint } from '../cluster/pods.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export interface ContainerInput {
  readonly name: string;
  readonly image: string;
  readonly cpu?: string;
  readonly memory?: string;
  readonly limitCpu?: string;
  readonly limitMemory?: string;
  readonly port?: number;
  readonly command?: string[];
  readonly args?: string[];
  readonly env?: IContainer['env'];
  readonly readiness?: IProbe | boolean;
  readonly liveness?: IProbe | boolean;
}

export interface WorkloadInput {
  readonly namespace: string;
  readonly name: string;
  readonly replicas?: number;
  readonly containers: readonly ContainerInput[];
  readonly initContainers?: readonly ContainerInput[];
  readonly labels?: Record<string, string>;
  /** Created already running (default) or left for the controllers to bring up. */
  readonly settled?: boolean;
  /** How long ago it was created (settled objects). */
  readonly ageMs?: number;
  readonly tolerations?: IToleration[];
  readonly nodeSelector?: Record<string, string>;
  readonly hostNetwork?: boolean;
  readonly priorityClassName?: string;
  readonly serviceAccountName?: string;
  readonly volumes?: IPodSpec['volumes'];
  readonly restartPolicy?: 'Always' | 'OnFailure' | 'Never';
}

export interface NodeInput {
  readonly name: string;
  readonly cpu?: number;
  readonly memoryGi?: number;
  readonly pods?: number;
  readonly controlPlane?: boolean;
  readonly zone?: string;
  readonly instanceType?: string;
  readonly ageMs?: number;
}

export interface KitParts {
  readonly ctx: SimContext;
  readonly fleet: KubeletFleet;
  readonly scheduler: Scheduler;
  readonly images: ImageRegistry;
  readonly driver: SimDriver;
  readonly pvcs: PvcBinder;
  /** Moves the store's notion of "now" back by `ms` while objects are created (0 to stop). */
  readonly backdate: (ms: number) => void;
}

export class ScenarioKit {
  readonly ctx: SimContext;
  readonly driver: SimDriver;
  readonly random: SeededRandom;
  readonly #parts: KitParts;
  #nodeCount = 0;

  constructor(parts: KitParts) {
    this.#parts = parts;
    this.ctx = parts.ctx;
    this.driver = parts.driver;
    this.random = parts.ctx.random.fork('scenario');
  }

  get timers(): Timers {
    return this.ctx.timers;
  }

  /** A Kubernetes duration on this cluster's clock. */
  scaled(ms: number): number {
    return this.ctx.scaled(ms);
  }

  behaviour(image: string, spec: BehaviourSpec): void {
    this.driver.setBehaviour(image, spec);
  }

  /** Runs `fn` with creation times `agoMs` in the past. */
  ago<T>(agoMs: number, fn: () => T): T {
    this.#parts.backdate(Math.max(0, agoMs));
    try {
      return fn();
    } finally {
      this.#parts.backdate(0);
    }
  }

  create(resource: string, object: KubeObject, agoMs = 0): KubeObject {
    return this.ago(agoMs, () => this.ctx.store.create(resource, object));
  }

  // ---- cluster-level ----------------------------------------------------------------------

  namespace(name: string, labels: Record<string, string> = {}, agoMs = 30 * DAY): void {
    if (this.ctx.cache.get('namespaces', undefined, name)) return;
    this.create(
      'namespaces',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
      agoMs,
    );
  }

  /** The namespaces, Services and Endpoints every cluster has. */
  systemBasics(apiServerIp: string): void {
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) this.namespace(ns);
    this.create(
      'services',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { component: 'apiserver', provider: 'kubernetes' },
        },
        spec: {
          clusterIP: '10.96.0.1',
          ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 6443 }],
          type: 'ClusterIP',
        },
      },
      30 * DAY,
    );
    this.create(
      'endpoints',
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: {
          name: 'kubernetes',
          namespace: 'default',
          labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' },
        },
        subsets: [
          { addresses: [{ ip: apiServerIp }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
        ],
      },
      30 * DAY,
    );
  }

  node(input: NodeInput): NodeObject {
    const index = this.#nodeCount++;
    const cores = input.cpu ?? 4;
    const memKi = Math.round((input.memoryGi ?? 16) * 1024 * 1024 * 0.977);
    const podCIDR = `10.${244 + (index >> 8)}.${index & 255}.0/24`;
    const ip = `172.18.${Math.floor(index / 250)}.${(index % 250) + 2}`;
    const age = input.ageMs ?? 40 * DAY;
    const created = this.ctx.now() - age;
    const zone = input.zone ?? ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'][index % 3]!;
    const r = this.random;
    const version = this.ctx.kubernetesVersion;
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: input.name,
        labels: {
          'beta.kubernetes.io/arch': 'amd64',
          'beta.kubernetes.io/instance-type': input.instanceType ?? 'm5.xlarge',
          'beta.kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'kubernetes.io/hostname': input.name,
          'kubernetes.io/os': 'linux',
          'node.kubernetes.io/instance-type': input.instanceType ?? 'm5.xlarge',
          'topology.kubernetes.io/region': 'eu-west-1',
          'topology.kubernetes.io/zone': zone,
          ...(input.controlPlane
            ? {
                'node-role.kubernetes.io/control-plane': '',
                'node.kubernetes.io/exclude-from-external-load-balancers': '',
              }
            : {}),
        },
        annotations: {
          'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
          'node.alpha.kubernetes.io/ttl': '0',
          'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        },
      },
      spec: {
        podCIDR,
        podCIDRs: [podCIDR],
        providerID: `aws:///${zone}/i-0${r.hex(16)}`,
        ...(input.controlPlane
          ? { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] }
          : {}),
      },
      status: {
        capacity: {
          cpu: String(cores),
          'ephemeral-storage': '101430960Ki',
          'hugepages-1Gi': '0',
          'hugepages-2Mi': '0',
          memory: `${memKi}Ki`,
          pods: String(input.pods ?? 110),
        },
        allocatable: {
          cpu: `${cores * 1000 - 80 - 10 * cores}m`,
          'ephemeral-storage': '93478772582',
          'hugepages-1Gi': '0',
          'hugepages-2Mi': '0',
          memory: `${Math.round(memKi * 0.93 - 100 * 1024)}Ki`,
          pods: String(input.pods ?? 110),
        },
        conditions: [
          {
            type: 'MemoryPressure',
            status: 'False',
            lastHeartbeatTime: this.ctx.nowText(),
            lastTransitionTime: rfc3339(created + 20_000),
            reason: 'KubeletHasSufficientMemory',
            message: 'kubelet has sufficient memory available',
          },
          {
            type: 'DiskPressure',
            status: 'False',
            lastHeartbeatTime: this.ctx.nowText(),
            lastTransitionTime: rfc3339(created + 20_000),
            reason: 'KubeletHasNoDiskPressure',
            message: 'kubelet has no disk pressure',
          },
          {
            type: 'PIDPressure',
            status: 'False',
            lastHeartbeatTime: this.ctx.nowText(),
            lastTransitionTime: rfc3339(created + 20_000),
            reason: 'KubeletHasSufficientPID',
            message: 'kubelet has sufficient PID available',
          },
          {
            type: 'Ready',
            status: 'True',
            lastHeartbeatTime: this.ctx.nowText(),
            lastTransitionTime: rfc3339(created + 45_000),
            reason: 'KubeletReady',
            message: 'kubelet is posting ready status',
          },
        ],
        addresses: [
          { type: 'InternalIP', address: ip },
          { type: 'Hostname', address: input.name },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          machineID: r.hex(32),
          systemUUID: r.uuid(),
          bootID: r.uuid(),
          kernelVersion: '6.1.0-28-cloud-amd64',
          osImage: 'Debian GNU/Linux 12 (bookworm)',
          containerRuntimeVersion: 'containerd://1.7.24',
          kubeletVersion: version,
          kubeProxyVersion: version,
          operatingSystem: 'linux',
          architecture: 'amd64',
        },
      },
    };
    return this.create('nodes', node, age);
  }

  // ---- templates ----------------------------------------------------------------------------

  container(input: ContainerInput): IContainer {
    const requests: Record<string, string> = {};
    const limits: Record<string, string> = {};
    if (input.cpu) requests.cpu = input.cpu;
    if (input.memory) requests.memory = input.memory;
    if (input.limitCpu) limits.cpu = input.limitCpu;
    if (input.limitMemory) limits.memory = input.limitMemory;
    const probe = (p: IProbe | boolean | undefined, path: string): IProbe | undefined => {
      if (!p) return undefined;
      if (p !== true) return p;
      return input.port
        ? {
            httpGet: { path, port: input.port, scheme: 'HTTP' },
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          }
        : {
            exec: { command: ['cat', '/tmp/healthy'] },
            periodSeconds: 10,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          };
    };
    const readiness = probe(input.readiness, '/ready');
    const liveness = probe(input.liveness, '/healthz');
    return {
      name: input.name,
      image: input.image,
      imagePullPolicy:
        input.image.endsWith(':latest') || !input.image.split('/').pop()?.includes(':')
          ? 'Always'
          : 'IfNotPresent',
      ...(input.command ? { command: input.command } : {}),
      ...(input.args ? { args: input.args } : {}),
      ...(input.env ? { env: input.env } : {}),
      ...(input.port ? { ports: [{ containerPort: input.port, name: 'http', protocol: 'TCP' }] } : {}),
      resources: {
        ...(Object.keys(limits).length > 0 ? { limits } : {}),
        ...(Object.keys(requests).length > 0 ? { requests } : {}),
      },
      ...(readiness ? { readinessProbe: readiness } : {}),
      ...(liveness ? { livenessProbe: liveness } : {}),
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    };
  }

  template(input: WorkloadInput, labels: Record<string, string>): IPodTemplateSpec {
    return {
      metadata: { labels },
      spec: {
        containers: input.containers.map((c) => this.container(c)),
        ...(input.initContainers
          ? { initContainers: input.initContainers.map((c) => this.container(c)) }
          : {}),
        restartPolicy: input.restartPolicy ?? 'Always',
        terminationGracePeriodSeconds: 30,
        dnsPolicy: input.hostNetwork ? 'ClusterFirstWithHostNet' : 'ClusterFirst',
        schedulerName: 'default-scheduler',
        securityContext: {},
        serviceAccountName: input.serviceAccountName ?? 'default',
        ...(input.hostNetwork ? { hostNetwork: true } : {}),
        ...(input.tolerations ? { tolerations: input.tolerations } : {}),
        ...(input.nodeSelector ? { nodeSelector: input.nodeSelector } : {}),
        ...(input.priorityClassName ? { priorityClassName: input.priorityClassName } : {}),
        ...(input.volumes ? { volumes: input.volumes } : {}),
      },
    };
  }

  // ---- workloads -------------------------------------------------------------------------------

  deployment(input: WorkloadInput): KubeObject {
    const labels = { app: input.name, ...(input.labels ?? {}) };
    const replicas = input.replicas ?? 1;
    const age = input.ageMs ?? this.random.between(2 * DAY, 20 * DAY);
    const settled = input.settled ?? true;
    const created = this.create(
      'apps/deployments',
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: input.name,
          namespace: input.namespace,
          labels,
          ...(settled ? { annotations: { 'deployment.kubernetes.io/revision': '1' } } : {}),
        },
        spec: {
          replicas,
          selector: { matchLabels: { app: input.name } },
          template: this.template(input, labels),
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
          revisionHistoryLimit: 10,
          progressDeadlineSeconds: 600,
        },
      },
      settled ? age : 0,
    ) as KubeObject & {
      spec: { template: IPodTemplateSpec; selector: { matchLabels: Record<string, string> } };
    };
    if (!settled) return created;
    const hash = podTemplateHash(created.spec.template);
    const rsTemplate = structuredClone(created.spec.template);
    rsTemplate.metadata = {
      ...(rsTemplate.metadata ?? {}),
      labels: { ...(rsTemplate.metadata?.labels ?? {}), 'pod-template-hash': hash },
    };
    const rs = this.create(
      'apps/replicasets',
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: {
          name: `${input.name}-${hash}`,
          namespace: input.namespace,
          labels: { ...(rsTemplate.metadata.labels ?? {}) },
          annotations: {
            'deployment.kubernetes.io/desired-replicas': String(replicas),
            'deployment.kubernetes.io/max-replicas': String(replicas + Math.ceil(replicas / 4)),
            'deployment.kubernetes.io/revision': '1',
          },
          ownerReferences: [controllerRef(created)],
        },
        spec: {
          replicas,
          selector: { matchLabels: { ...created.spec.selector.matchLabels, 'pod-template-hash': hash } },
          template: rsTemplate,
        },
      },
      age,
    );
    const pods = this.#runningPods(rs, rsTemplate, replicas, age, (i) => ({
      generateName: `${rs.metadata.name}-`,
      ordinal: i,
    }));
    const ready = pods.filter((p) => p.status?.phase === 'Running').length;
    this.#setStatus('apps/replicasets', rs, {
      replicas,
      fullyLabeledReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: 1,
    });
    const since = rfc3339(this.ctx.now() - age + 20_000);
    this.#setStatus('apps/deployments', created, {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
      conditions: [
        {
          type: 'Available',
          status: 'True',
          lastUpdateTime: since,
          lastTransitionTime: since,
          reason: 'MinimumReplicasAvailable',
          message: 'Deployment has minimum availability.',
        },
        {
          type: 'Progressing',
          status: 'True',
          lastUpdateTime: since,
          lastTransitionTime: rfc3339(this.ctx.now() - age),
          reason: 'NewReplicaSetAvailable',
          message: `ReplicaSet "${rs.metadata.name}" has successfully progressed.`,
        },
      ],
    });
    return created;
  }

  statefulSet(
    input: WorkloadInput & { serviceName?: string; storage?: string; storageClassName?: string },
  ): KubeObject {
    const labels = { app: input.name, ...(input.labels ?? {}) };
    const replicas = input.replicas ?? 1;
    const age = input.ageMs ?? this.random.between(5 * DAY, 30 * DAY);
    const settled = input.settled ?? true;
    const template = this.template(input, labels);
    const sts = this.create(
      'apps/statefulsets',
      {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        metadata: { name: input.name, namespace: input.namespace, labels },
        spec: {
          replicas,
          serviceName: input.serviceName ?? input.name,
          selector: { matchLabels: { app: input.name } },
          template,
          podManagementPolicy: 'OrderedReady',
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
          revisionHistoryLimit: 10,
          persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
          ...(input.storage
            ? {
                volumeClaimTemplates: [
                  {
                    apiVersion: 'v1',
                    kind: 'PersistentVolumeClaim',
                    metadata: { name: 'data' },
                    spec: {
                      accessModes: ['ReadWriteOnce'],
                      resources: { requests: { storage: input.storage } },
                      ...(input.storageClassName ? { storageClassName: input.storageClassName } : {}),
                      volumeMode: 'Filesystem',
                    },
                  },
                ],
              }
            : {}),
        },
      },
      settled ? age : 0,
    ) as StatefulSetObject;
    if (!settled) return sts;
    const revision = statefulSetRevision(sts);
    for (let i = 0; i < replicas; i++) {
      const podName = `${input.name}-${i}`;
      if (input.storage)
        this.boundClaim({
          namespace: input.namespace,
          name: `data-${podName}`,
          storage: input.storage,
          labels: { app: input.name },
          ageMs: age,
          storageClassName: input.storageClassName,
        });
    }
    const pods = this.#runningPods(sts, sts.spec.template, replicas, age, (i) => ({
      name: `${input.name}-${i}`,
      ordinal: i,
      extraLabels: {
        'controller-revision-hash': revision,
        'statefulset.kubernetes.io/pod-name': `${input.name}-${i}`,
        'apps.kubernetes.io/pod-index': String(i),
      },
      mutateSpec: (spec: IPodSpec) => {
        spec.hostname = `${input.name}-${i}`;
        spec.subdomain = sts.spec.serviceName;
        if (input.storage)
          spec.volumes = [
            ...(spec.volumes ?? []),
            { name: 'data', persistentVolumeClaim: { claimName: `data-${input.name}-${i}` } },
          ];
      },
    }));
    const ready = pods.filter((p) => p.status?.phase === 'Running').length;
    this.#setStatus('apps/statefulsets', sts, {
      observedGeneration: 1,
      replicas,
      readyReplicas: ready,
      currentReplicas: replicas,
      updatedReplicas: replicas,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: 0,
      availableReplicas: ready,
    });
    return sts;
  }

  daemonSet(input: WorkloadInput): KubeObject {
    const labels = { app: input.name, ...(input.labels ?? {}) };
    const age = input.ageMs ?? 30 * DAY;
    const ds = this.create(
      'apps/daemonsets',
      {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: {
          name: input.name,
          namespace: input.namespace,
          labels,
          annotations: { 'deprecated.daemonset.template.generation': '1' },
        },
        spec: {
          selector: { matchLabels: { app: input.name } },
          template: this.template(input, labels),
          updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } },
          revisionHistoryLimit: 10,
        },
      },
      age,
    ) as DaemonSetObject;
    const revision = daemonSetRevision(ds);
    const spec = ds.spec.template.spec!;
    const nodes = this.ctx.cache
      .list<NodeObject>('nodes')
      .filter(
        (n) =>
          matchesNodeSelection(spec, n) &&
          !untoleratedTaint(daemonTolerations(spec.tolerations), n.spec?.taints),
      )
      .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    let i = 0;
    for (const node of nodes) {
      const nodeName = node.metadata.name ?? '';
      this.#runningPod(ds, ds.spec.template, age, {
        generateName: `${input.name}-`,
        ordinal: i++,
        node: nodeName,
        extraLabels: { 'controller-revision-hash': revision, 'pod-template-generation': '1' },
        mutateSpec: (s) => {
          s.tolerations = daemonTolerations(s.tolerations);
          s.affinity = {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] },
                ],
              },
            },
          };
        },
      });
    }
    this.#setStatus('apps/daemonsets', ds, {
      currentNumberScheduled: nodes.length,
      numberMisscheduled: 0,
      desiredNumberScheduled: nodes.length,
      numberReady: nodes.length,
      observedGeneration: 1,
      updatedNumberScheduled: nodes.length,
      numberAvailable: nodes.length,
    });
    return ds;
  }

  /** Static pods of the control plane: mirror pods owned by their Node. */
  controlPlanePods(node: NodeObject): void {
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '';
    const nodeName = node.metadata.name ?? '';
    const version = this.ctx.kubernetesVersion;
    const components: Array<[string, string, string]> = [
      ['etcd', 'registry.k8s.io/etcd:3.5.16-0', '100m'],
      ['kube-apiserver', `registry.k8s.io/kube-apiserver:${version}`, '250m'],
      ['kube-controller-manager', `registry.k8s.io/kube-controller-manager:${version}`, '200m'],
      ['kube-scheduler', `registry.k8s.io/kube-scheduler:${version}`, '100m'],
    ];
    const age = Date.parse(node.metadata.creationTimestamp ?? '') || this.ctx.now() - 30 * DAY;
    for (const [component, image, cpu] of components) {
      const template: IPodTemplateSpec = {
        metadata: { labels: { component, tier: 'control-plane' } },
        spec: {
          containers: [
            this.container({
              name: component,
              image,
              cpu,
              memory: component === 'etcd' ? '100Mi' : undefined,
            }),
          ],
          hostNetwork: true,
          priorityClassName: 'system-node-critical',
          tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
          restartPolicy: 'Always',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
        },
      };
      const owner: OwnerReference = {
        apiVersion: 'v1',
        kind: 'Node',
        name: nodeName,
        uid: node.metadata.uid ?? '',
        controller: true,
      };
      this.#runningPod({ metadata: { uid: node.metadata.uid ?? '' } }, template, this.ctx.now() - age, {
        name: `${component}-${nodeName}`,
        ordinal: 0,
        node: nodeName,
        owner,
        annotations: {
          'kubernetes.io/config.hash': this.random.hex(32),
          'kubernetes.io/config.mirror': this.random.hex(32),
          'kubernetes.io/config.seen': rfc3339(age),
          'kubernetes.io/config.source': 'file',
          ...(component === 'kube-apiserver'
            ? { 'kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint': `${ip}:6443` }
            : {}),
        },
      });
    }
  }

  service(input: {
    namespace: string;
    name: string;
    selector?: Record<string, string>;
    ports: Array<{ port: number; targetPort?: number | string; name?: string; nodePort?: number }>;
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
    clusterIP?: string;
    ageMs?: number;
  }): KubeObject {
    return this.create(
      'services',
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: input.name, namespace: input.namespace, labels: { app: input.name } },
        spec: {
          type: input.type ?? 'ClusterIP',
          ...(input.clusterIP ? { clusterIP: input.clusterIP } : {}),
          selector: input.selector ?? { app: input.name },
          ports: input.ports.map((p) => ({
            ...(p.name ? { name: p.name } : {}),
            port: p.port,
            protocol: 'TCP',
            targetPort: p.targetPort ?? p.port,
            ...(p.nodePort ? { nodePort: p.nodePort } : {}),
          })),
        },
      },
      input.ageMs ?? this.random.between(2 * DAY, 20 * DAY),
    );
  }

  /** A claim that was provisioned and bound long ago. */
  boundClaim(claim: {
    namespace: string;
    name: string;
    storage: string;
    labels: Record<string, string>;
    ageMs: number;
    storageClassName?: string | undefined;
  }): void {
    const { namespace, name, storage, labels, ageMs } = claim;
    const storageClassName = claim.storageClassName ?? 'standard';
    if (this.ctx.cache.get('persistentvolumeclaims', namespace, name)) return;
    const pvc = this.create(
      'persistentvolumeclaims',
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name,
          namespace,
          labels,
          annotations: {
            'pv.kubernetes.io/bind-completed': 'yes',
            'pv.kubernetes.io/bound-by-controller': 'yes',
            'volume.beta.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
            'volume.kubernetes.io/storage-provisioner': 'rancher.io/local-path',
          },
          finalizers: ['kubernetes.io/pvc-protection'],
        },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage } },
          storageClassName,
          volumeMode: 'Filesystem',
        },
      },
      ageMs,
    );
    this.ctx.store.mutate('persistentvolumeclaims', namespace, name, (obj) => {
      (obj.spec as { volumeName?: string }).volumeName = `pvc-${pvc.metadata.uid}`;
    });
    this.#setStatus('persistentvolumeclaims', pvc, {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage },
    });
  }

  /** A Job that ran to completion some time ago (its pod stays, Completed). */
  completedJob(namespace: string, name: string, image: string, agoMs: number): void {
    const job = this.create(
      'batch/jobs',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name, namespace, labels: { app: name } },
        spec: {
          completions: 1,
          parallelism: 1,
          backoffLimit: 6,
          template: this.template(
            {
              namespace,
              name,
              containers: [{ name: 'job', image, command: ['sh', '-c', 'echo done'] }],
              restartPolicy: 'Never',
            },
            { app: name },
          ),
        },
      },
      agoMs,
    ) as KubeObject & { spec: { template: IPodTemplateSpec } };
    const started = this.ctx.now() - agoMs;
    const finished = started + 20_000;
    const pod = podFromTemplate(job.spec.template, {
      namespace,
      generateName: `${name}-`,
      owner: controllerRef(job),
      extraLabels: { 'batch.kubernetes.io/job-name': name, 'job-name': name },
    }) as PodObject;
    const node = this.#place(pod);
    pod.spec.nodeName = node.name;
    const image0 = pod.spec.containers[0]!;
    pod.status = {
      phase: 'Succeeded',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'False', lastTransitionTime: rfc3339(finished + 1000) },
        { type: 'Initialized', status: 'True', lastTransitionTime: rfc3339(started) },
        { type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: rfc3339(finished) },
        {
          type: 'ContainersReady',
          status: 'False',
          reason: 'PodCompleted',
          lastTransitionTime: rfc3339(finished),
        },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: rfc3339(started) },
      ],
      hostIP: node.ip,
      hostIPs: [{ ip: node.ip }],
      podIP: this.#parts.fleet.allocateIpForSetup(node.name),
      startTime: rfc3339(started),
      containerStatuses: [
        {
          name: image0.name,
          image: image0.image ?? '',
          imageID: this.#parts.images.info(image0.image ?? '').imageId,
          containerID: `containerd://${this.random.hex(64)}`,
          ready: false,
          restartCount: 0,
          started: false,
          state: {
            terminated: {
              exitCode: 0,
              reason: 'Completed',
              startedAt: rfc3339(started + 2000),
              finishedAt: rfc3339(finished),
              containerID: '',
            },
          },
          lastState: {},
        },
      ],
      qosClass: qosClass(pod.spec),
    };
    const cs = pod.status.containerStatuses![0]!;
    if (cs.state?.terminated) cs.state.terminated.containerID = cs.containerID;
    pod.status.podIPs = [{ ip: pod.status.podIP! }];
    this.create('pods', pod, agoMs);
    const t = rfc3339(finished);
    this.#setStatus('batch/jobs', job, {
      startTime: rfc3339(started),
      completionTime: t,
      succeeded: 1,
      terminating: 0,
      ready: 0,
      uncountedTerminatedPods: {},
      conditions: [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
        {
          type: 'Complete',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: t,
          lastTransitionTime: t,
        },
      ],
    });
  }

  hpa(input: {
    namespace: string;
    name: string;
    target: string;
    min: number;
    max: number;
    cpuPercent: number;
  }): KubeObject {
    return this.create(
      'autoscaling/horizontalpodautoscalers',
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: input.target },
          minReplicas: input.min,
          maxReplicas: input.max,
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: input.cpuPercent },
              },
            },
          ],
        },
      },
      this.random.between(DAY, 10 * DAY),
    );
  }

  configMap(namespace: string, name: string, data: Record<string, string>): void {
    this.create(
      'configmaps',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data },
      10 * DAY,
    );
  }

  secret(namespace: string, name: string, data: Record<string, string>): void {
    const encoded = Object.fromEntries(
      Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
    );
    this.create(
      'secrets',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name, namespace }, type: 'Opaque', data: encoded },
      10 * DAY,
    );
  }

  storageClass(name: string): void {
    this.#parts.pvcs.addStorageClass(name);
  }

  // ---- settled pods ---------------------------------------------------------------------------

  #runningPods(
    owner: KubeObject,
    template: IPodTemplateSpec,
    count: number,
    ownerAge: number,
    naming: (i: number) => PodPlacement,
  ): PodObject[] {
    const out: PodObject[] = [];
    for (let i = 0; i < count; i++) out.push(this.#runningPod(owner, template, ownerAge, naming(i)));
    return out;
  }

  #place(pod: PodObject): { name: string; ip: string } {
    const placement = this.#parts.scheduler.place(pod);
    const name = 'node' in placement ? placement.node : '';
    const node = name ? this.ctx.cache.get<NodeObject>('nodes', undefined, name) : undefined;
    return { name, ip: node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '' };
  }

  /** A pod that has been Running and Ready for a while (or Pending when nothing fits). */
  #runningPod(owner: KubeObject, template: IPodTemplateSpec, ownerAge: number, p: PodPlacement): PodObject {
    const pod = podFromTemplate(template, {
      namespace: owner.metadata.namespace ?? 'kube-system',
      ...(p.name ? { name: p.name } : { generateName: p.generateName ?? `${owner.metadata.name}-` }),
      owner: p.owner ?? controllerRef(owner),
      extraLabels: p.extraLabels,
      mutateSpec: p.mutateSpec,
    }) as PodObject;
    if (p.annotations) pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), ...p.annotations };
    // Pods come a little after their owner; some were replaced since (a later rollout or node change).
    const podAge = Math.max(
      60_000,
      ownerAge - 30_000 - this.random.between(0, ownerAge * (p.ordinal % 3 === 0 ? 0.1 : 0.6)),
    );
    const created = this.ctx.now() - podAge;
    const node = p.node
      ? {
          name: p.node,
          ip:
            this.ctx.cache
              .get<NodeObject>('nodes', undefined, p.node)
              ?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
        }
      : this.#place(pod);
    if (!node.name) return this.create('pods', pod, podAge) as PodObject; // nothing fits: the scheduler will say why
    pod.spec.nodeName = node.name;
    const podIP = pod.spec.hostNetwork ? node.ip : this.#parts.fleet.allocateIpForSetup(node.name);
    pod.status = this.#runningStatus(pod, created, node.ip, podIP);
    return this.create('pods', pod, podAge) as PodObject;
  }

  #runningStatus(pod: PodObject, created: number, hostIP: string, podIP: string): IPodStatus {
    const scheduled = created + 10;
    const started = created + 1500 + this.random.between(0, 3000);
    const readyAt = started + 2000 + this.random.between(0, 5000);
    const t = rfc3339;
    const images = this.#parts.images;
    const inits = pod.spec.initContainers ?? [];
    return {
      phase: 'Running',
      conditions: [
        { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: t(started - 500) },
        { type: 'Initialized', status: 'True', lastTransitionTime: t(started - 200) },
        { type: 'Ready', status: 'True', lastTransitionTime: t(readyAt) },
        { type: 'ContainersReady', status: 'True', lastTransitionTime: t(readyAt) },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: t(scheduled) },
      ],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP,
      podIPs: [{ ip: podIP }],
      startTime: t(scheduled),
      ...(inits.length > 0
        ? {
            initContainerStatuses: inits.map((c) => {
              const id = `containerd://${this.random.hex(64)}`;
              return {
                name: c.name,
                image: c.image ?? '',
                imageID: images.info(c.image ?? '').imageId,
                containerID: id,
                ready: true,
                restartCount: 0,
                started: false,
                state: {
                  terminated: {
                    exitCode: 0,
                    reason: 'Completed',
                    startedAt: t(started - 1500),
                    finishedAt: t(started - 300),
                    containerID: id,
                  },
                },
                lastState: {},
              };
            }),
          }
        : {}),
      containerStatuses: pod.spec.containers.map((c) => ({
        name: c.name,
        image: c.image ?? '',
        imageID: images.info(c.image ?? '').imageId,
        containerID: `containerd://${this.random.hex(64)}`,
        ready: true,
        restartCount: 0,
        started: true,
        state: { running: { startedAt: t(started) } },
        lastState: {},
      })),
      qosClass: qosClass(pod.spec),
    };
  }

  #setStatus(resource: string, obj: KubeObject, status: Record<string, unknown>): void {
    this.ctx.store.mutate(
      resource,
      obj.metadata.namespace,
      obj.metadata.name ?? '',
      (o) => (o.status = status),
      { subresource: 'status' },
    );
  }
}

interface PodPlacement {
  readonly name?: string;
  readonly generateName?: string;
  readonly ordinal: number;
  readonly node?: string;
  readonly owner?: OwnerReference;
  readonly extraLabels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
  readonly mutateSpec?: (spec: IPodSpec) => void;
}

export { DAY, HOUR, MINUTE };
