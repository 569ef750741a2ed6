// Defaulting as the API server's SetDefaults_* functions and default admission plugins do it:
// pod specs (also inside templates), workloads, services, namespaces, jobs, HPAs and claims.
// Only unset fields are filled; what a client or controller wrote is kept.
import type { KubeObject } from '../object-store.js';
import { parseQuantity } from './field-errors.js';

type Any = Record<string, unknown>;

function obj(parent: Any, key: string): Any {
  const v = parent[key];
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Any;
  const fresh: Any = {};
  parent[key] = fresh;
  return fresh;
}

function list(v: unknown): Any[] {
  return Array.isArray(v)
    ? (v as unknown[]).filter((x): x is Any => typeof x === 'object' && x !== null)
    : [];
}

function setDefault(target: Any, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

/** imagePullPolicy: Always for `:latest` or no tag, IfNotPresent for a tag or digest. */
export function defaultPullPolicy(image: unknown): string {
  if (typeof image !== 'string') return 'IfNotPresent';
  if (image.includes('@')) return 'IfNotPresent';
  const lastSegment = image.slice(image.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : '';
  return tag === '' || tag === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultProbe(probe: unknown): void {
  if (typeof probe !== 'object' || probe === null) return;
  const p = probe as Any;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  if (typeof p.httpGet === 'object' && p.httpGet !== null) setDefault(p.httpGet as Any, 'scheme', 'HTTP');
}

function defaultContainer(c: Any): void {
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'resources', {});
  for (const port of list(c.ports)) setDefault(port, 'protocol', 'TCP');
  for (const env of list(c.env)) {
    const fieldRef = (env.valueFrom as Any | undefined)?.fieldRef as Any | undefined;
    if (fieldRef) setDefault(fieldRef, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  // Limits without requests: requests default to the limits.
  const resources = c.resources as Any;
  const limits = resources.limits as Any | undefined;
  if (limits && typeof limits === 'object') {
    const requests = obj(resources, 'requests');
    for (const [k, v] of Object.entries(limits)) setDefault(requests, k, v);
  }
}

/** SetDefaults_PodSpec and SetDefaults_Container (pods and pod templates). */
export function defaultPodSpec(spec: Any): void {
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  for (const c of [...list(spec.containers), ...list(spec.initContainers)]) defaultContainer(c);
  for (const v of list(spec.volumes)) {
    for (const source of ['secret', 'configMap', 'downwardAPI', 'projected'] as const) {
      const s = v[source] as Any | undefined;
      if (s && typeof s === 'object') setDefault(s, 'defaultMode', 420);
    }
    if (v.emptyDir === null) v.emptyDir = {};
  }
}

/** The pod's QoS class from its containers' requests and limits. */
export function qosClass(spec: Any): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...list(spec.containers), ...list(spec.initContainers)];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const res = (c.resources ?? {}) as Any;
    const requests = (res.requests ?? {}) as Any;
    const limits = (res.limits ?? {}) as Any;
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (limit === undefined || parseQuantity(request) !== parseQuantity(limit)) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

/** Defaults of a pod on create: spec defaults plus the default admission plugins' fields. */
export function defaultPod(pod: KubeObject, create: boolean): void {
  const spec = obj(pod, 'spec');
  defaultPodSpec(spec);
  if (!create) return;
  setDefault(spec, 'enableServiceLinks', true);
  setDefault(spec, 'serviceAccountName', 'default');
  setDefault(spec, 'serviceAccount', spec.serviceAccountName);
  setDefault(spec, 'priority', 0);
  setDefault(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  // DefaultTolerationSeconds: a pod tolerates a not-ready or unreachable node for five minutes.
  const tolerations = list(spec.tolerations);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    if (!tolerations.some((t) => t.key === key && (t.effect === 'NoExecute' || t.effect === undefined))) {
      tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    }
  }
  spec.tolerations = tolerations;
  const status = pod.status as Any | undefined;
  // The simulator's own kubelet may create pods with status already set: keep it.
  if (!status || Object.keys(status).length === 0)
    pod.status = { phase: 'Pending', qosClass: qosClass(spec) };
  else setDefault(status, 'qosClass', qosClass(spec));
}

function defaultTemplate(spec: Any): void {
  const template = obj(spec, 'template');
  const meta = obj(template, 'metadata');
  setDefault(meta, 'creationTimestamp', null);
  defaultPodSpec(obj(template, 'spec'));
}

export function defaultDeployment(d: KubeObject): void {
  const spec = obj(d, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = obj(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', '25%');
    setDefault(ru, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultTemplate(spec);
}

export function defaultReplicaSet(rs: KubeObject): void {
  const spec = obj(rs, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultTemplate(spec);
}

export function defaultStatefulSet(sts: KubeObject): void {
  const spec = obj(sts, 'spec');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') setDefault(obj(strategy, 'rollingUpdate'), 'partition', 0);
  setDefault(spec, 'revisionHistoryLimit', 10);
  const retention = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  defaultTemplate(spec);
}

export function defaultDaemonSet(ds: KubeObject): void {
  const spec = obj(ds, 'spec');
  const strategy = obj(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setDefault(ru, 'maxUnavailable', 1);
    setDefault(ru, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultTemplate(spec);
}

/** Jobs: counts and policies, plus the selector and labels the API server generates from the uid. */
export function defaultJob(job: KubeObject, create: boolean): void {
  const spec = obj(job, 'spec');
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  setDefault(spec, 'backoffLimit', 6);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'podReplacementPolicy', 'TerminatingOrFailed');
  defaultTemplate(spec);
  const uid = job.metadata.uid;
  if (create && uid && spec.manualSelector !== true && spec.selector === undefined) {
    spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
    const labels = obj(obj(obj(spec, 'template'), 'metadata'), 'labels');
    setDefault(labels, 'batch.kubernetes.io/controller-uid', uid);
    setDefault(labels, 'batch.kubernetes.io/job-name', job.metadata.name);
    setDefault(labels, 'controller-uid', uid);
    setDefault(labels, 'job-name', job.metadata.name);
  }
}

export function defaultHpa(hpa: KubeObject, create: boolean): void {
  const spec = obj(hpa, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (list(spec.metrics).length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } },
      },
    ];
  }
  const behavior = spec.behavior as Any | undefined;
  if (behavior && typeof behavior === 'object') {
    const up = obj(behavior, 'scaleUp');
    setDefault(up, 'stabilizationWindowSeconds', 0);
    setDefault(up, 'selectPolicy', 'Max');
    setDefault(up, 'policies', [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]);
    const down = obj(behavior, 'scaleDown');
    setDefault(down, 'selectPolicy', 'Max');
    setDefault(down, 'policies', [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
  }
  if (create && (hpa.status === undefined || hpa.status === null))
    hpa.status = { currentReplicas: 0, desiredReplicas: 0 };
}

export function defaultPvc(pvc: KubeObject, create: boolean): void {
  const spec = obj(pvc, 'spec');
  setDefault(spec, 'volumeMode', 'Filesystem');
  if (create && (pvc.status === undefined || pvc.status === null)) pvc.status = { phase: 'Pending' };
}

export function defaultNamespace(ns: KubeObject, create: boolean): void {
  const labels = (ns.metadata.labels ??= {});
  labels['kubernetes.io/metadata.name'] = ns.metadata.name ?? '';
  const spec = obj(ns, 'spec');
  setDefault(spec, 'finalizers', ['kubernetes']);
  if (create) {
    const status = obj(ns, 'status');
    setDefault(status, 'phase', 'Active');
  }
}

export function defaultNode(node: KubeObject): void {
  const status = node.status as Any | undefined;
  // Allocatable defaults to capacity when the kubelet reports none.
  if (status && typeof status === 'object' && status.capacity && status.allocatable === undefined) {
    status.allocatable = structuredClone(status.capacity);
  }
}

export function defaultEvent(event: KubeObject): void {
  const e = event as Any;
  setDefault(e, 'reportingComponent', '');
  setDefault(e, 'reportingInstance', '');
  const involved = e.involvedObject as Any | undefined;
  if (
    involved &&
    typeof involved === 'object' &&
    involved.namespace === undefined &&
    event.metadata.namespace
  ) {
    // Events about namespaced objects carry the namespace; leave cluster-scoped ones alone.
    if (!['Node', 'Namespace', 'PersistentVolume', 'ClusterRole'].includes(String(involved.kind))) {
      involved.namespace = event.metadata.namespace;
    }
  }
}

/** Fields of a Service the API server fills (IP allocation is separate). */
export function defaultService(svc: KubeObject, create: boolean): void {
  const spec = obj(svc, 'spec');
  setDefault(spec, 'type', 'ClusterIP');
  if (spec.type !== 'ExternalName') {
    setDefault(spec, 'sessionAffinity', 'None');
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer')
    setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const port of list(spec.ports)) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === 0 || port.targetPort === '')
      port.targetPort = port.port;
  }
  if (create && (svc.status === undefined || svc.status === null)) svc.status = { loadBalancer: {} };
}
