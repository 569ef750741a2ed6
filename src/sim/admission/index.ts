// Admission for the simulated API server: defaulting and validation of every stored kind,
// installed on the object store so API writes and controller writes go through the same path.
import type { KubeObject, ObjectStore } from '../object-store.js';
import { RESOURCE_TYPES, resourceKey } from '../resources.js';
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultEvent,
  defaultHpa,
  defaultJob,
  defaultNamespace,
  defaultNode,
  defaultPod,
  defaultPvc,
  defaultReplicaSet,
  defaultService,
  defaultStatefulSet,
} from './defaults.js';
import { ServiceIpAllocator } from './service-ips.js';
import { validate } from './validation.js';

type Defaulter = (obj: KubeObject, create: boolean) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  pods: defaultPod,
  namespaces: defaultNamespace,
  nodes: defaultNode,
  events: defaultEvent,
  services: defaultService,
  persistentvolumeclaims: defaultPvc,
  'apps/deployments': defaultDeployment,
  'apps/replicasets': defaultReplicaSet,
  'apps/statefulsets': defaultStatefulSet,
  'apps/daemonsets': defaultDaemonSet,
  'batch/jobs': defaultJob,
  'autoscaling/horizontalpodautoscalers': defaultHpa,
};

type Any = Record<string, unknown>;

/**
 * On update, a Service keeps what the API server allocated when the new object leaves it out
 * (cluster IPs, and node ports of the same port/protocol), as the real registry does.
 */
function keepAllocated(next: KubeObject, old: KubeObject): void {
  const spec = (next.spec ??= {}) as Any;
  const before = (old.spec ?? {}) as Any;
  if (spec.type === 'ExternalName' || before.type === 'ExternalName') return;
  if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = before.clusterIP;
  if (spec.clusterIPs === undefined) spec.clusterIPs = before.clusterIPs;
  spec.ipFamilies ??= before.ipFamilies;
  spec.ipFamilyPolicy ??= before.ipFamilyPolicy;
  const oldPorts = Array.isArray(before.ports) ? (before.ports as Any[]) : [];
  for (const port of Array.isArray(spec.ports) ? (spec.ports as Any[]) : []) {
    if (port.nodePort !== undefined && port.nodePort !== 0) continue;
    const match = oldPorts.find(
      (p) => p.port === port.port && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP'),
    );
    if (match?.nodePort !== undefined && (spec.type === 'NodePort' || spec.type === 'LoadBalancer'))
      port.nodePort = match.nodePort;
  }
}

/** Installs defaulting and validation hooks for every stored resource type. */
export function installAdmission(store: ObjectStore): void {
  const ips = new ServiceIpAllocator(store);
  for (const type of RESOURCE_TYPES) {
    if (type.virtual || type.viewOf) continue;
    const key = resourceKey(type);
    store.addAdmission(key, ({ object, old, operation, subresource }) => {
      if (operation === 'delete') return;
      const create = operation === 'create';
      if (subresource !== 'status') {
        if (key === 'services') {
          if (create) ips.assign(object);
          else if (old) keepAllocated(object, old);
        }
        DEFAULTERS[key]?.(object, create);
      }
      validate(type, key, object, old, subresource);
    });
  }
}
