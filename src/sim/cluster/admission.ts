// The API server's NodePort allocator, installed as an admission hook on Services after the
// generic defaulting and validation: a NodePort or LoadBalancer Service gets a free port from
// 30000–32767 for each port that names none; a requested port that is out of range or already
// taken by another Service is refused with 422 and the cause on `spec.ports[i].nodePort`.
import type { IServicePort } from 'kubernetes-models/v1/ServicePort';
import type { AdmissionRequest, ObjectStore } from '../object-store.js';
import type { SeededRandom } from '../random.js';
import { invalid, type StatusCause } from '../status-error.js';
import type { ClusterCache } from './cache.js';
import type { ServiceObject } from './kinds.js';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export function installClusterAdmission(store: ObjectStore, cache: ClusterCache, random: SeededRandom): void {
  const ports = random.fork('node-ports');
  store.addAdmission('services', (req) => admitService(cache, req, ports));
}

function usedNodePorts(cache: ClusterCache, except: { namespace?: string; name?: string }): Set<number> {
  const used = new Set<number>();
  for (const svc of cache.list<ServiceObject>('services')) {
    if (svc.metadata.namespace === except.namespace && svc.metadata.name === except.name) continue;
    for (const p of svc.spec?.ports ?? []) if (p.nodePort) used.add(p.nodePort);
  }
  return used;
}

function admitService(cache: ClusterCache, req: AdmissionRequest, ports: SeededRandom): void {
  if (req.operation === 'delete' || req.subresource) return;
  const svc = req.object as ServiceObject;
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- narrows the generic object to a Service
  const old = req.old as ServiceObject | undefined;
  const spec = (svc.spec ??= {});
  const type = (spec.type ??= 'ClusterIP');
  const name = svc.metadata.name ?? '';
  const self = { namespace: svc.metadata.namespace, name };
  const causes: StatusCause[] = [];

  const wantsNodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const list: IServicePort[] = spec.ports ?? [];
  if (!wantsNodePorts) {
    list.forEach((p, i) => {
      if (p.nodePort !== undefined && old?.spec?.type !== 'NodePort' && old?.spec?.type !== 'LoadBalancer') {
        causes.push({
          field: `spec.ports[${i}].nodePort`,
          reason: 'FieldValueForbidden',
          message: `Forbidden: may not be used when \`type\` is '${type}'`,
        });
      }
      delete p.nodePort;
    });
  } else {
    spec.externalTrafficPolicy ??= 'Cluster';
    const used = usedNodePorts(cache, self);
    const oldPorts = new Map(
      (old?.spec?.ports ?? []).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort]),
    );
    const mine = new Map<number, string>();
    list.forEach((p, i) => {
      const field = `spec.ports[${i}].nodePort`;
      if (p.nodePort === 0) delete p.nodePort;
      if (p.nodePort === undefined) {
        const kept = oldPorts.get(`${p.port}/${p.protocol ?? 'TCP'}`);
        if (kept !== undefined && !mine.has(kept)) p.nodePort = kept;
      }
      if (p.nodePort !== undefined) {
        const port = p.nodePort;
        if (port < NODE_PORT_MIN || port > NODE_PORT_MAX) {
          causes.push({
            field,
            message: `Invalid value: ${port}: provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`,
          });
        } else if (used.has(port)) {
          causes.push({ field, message: `Invalid value: ${port}: provided port is already allocated` });
        } else if (mine.has(port) && mine.get(port) === (p.protocol ?? 'TCP')) {
          causes.push({ field, reason: 'FieldValueDuplicate', message: `Duplicate value: ${port}` });
        }
        mine.set(port, p.protocol ?? 'TCP');
        return;
      }
      let port = 0;
      for (let tries = 0; tries < 5000; tries++) {
        const candidate = ports.int(NODE_PORT_MIN, NODE_PORT_MAX);
        if (!used.has(candidate) && !mine.has(candidate)) {
          port = candidate;
          break;
        }
      }
      if (port === 0) {
        causes.push({ field, message: 'Internal error: range is full' });
        return;
      }
      p.nodePort = port;
      mine.set(port, p.protocol ?? 'TCP');
    });
  }
  if (causes.length > 0) throw invalid('Service', name, causes);
}
