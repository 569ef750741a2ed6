// ClusterIP allocation from the service CIDR (10.96.0.0/12), as the API server's allocator does
// it: a requested IP must be in range and free; otherwise one is picked. The pick is derived from
// the service's namespace/name so seeded scenarios get the same addresses every run.
import { createHash } from 'node:crypto';
import type { KubeObject, ObjectStore } from '../object-store.js';
import { invalid } from '../status-error.js';

const BASE = (10 << 24) | (96 << 16); // 10.96.0.0
const SIZE = 1 << 20; // /12
export const SERVICE_CIDR = '10.96.0.0/12';

function toText(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function toNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

function clusterIPs(svc: KubeObject): string[] {
  const spec = (svc.spec ?? {}) as { clusterIP?: string; clusterIPs?: string[] };
  const ips = spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : []);
  return ips.filter((ip) => ip && ip !== 'None');
}

export class ServiceIpAllocator {
  readonly #used = new Set<string>();

  /** Tracks the addresses of stored services (existing ones and every later change). */
  constructor(store: ObjectStore) {
    for (const svc of store.list('services').items) for (const ip of clusterIPs(svc)) this.#used.add(ip);
    store.onChange((event) => {
      if (event.resource !== 'services') return;
      if (event.previous) for (const ip of clusterIPs(event.previous)) this.#used.delete(ip);
      if (event.type === 'DELETED') for (const ip of clusterIPs(event.object)) this.#used.delete(ip);
      else for (const ip of clusterIPs(event.object)) this.#used.add(ip);
    });
  }

  /** Fills or checks spec.clusterIP(s) of a new Service (422 for a taken or out-of-range address). */
  assign(svc: KubeObject): void {
    const spec = (svc.spec ??= {}) as Record<string, unknown>;
    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      return;
    }
    const requested =
      (spec.clusterIPs as string[] | undefined)?.[0] ?? (spec.clusterIP as string | undefined);
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else if (requested) {
      const n = toNumber(requested);
      const fail = (why: string): never => {
        throw invalid('Service', svc.metadata.name ?? '', [
          {
            field: 'spec.clusterIPs',
            reason: 'FieldValueInvalid',
            message: `Invalid value: []string{"${requested}"}: failed to allocate IP ${requested}: ${why}`,
          },
        ]);
      };
      if (n === undefined || n < BASE || n >= BASE + SIZE)
        fail(
          `the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${SERVICE_CIDR}`,
        );
      if (this.#used.has(requested)) fail('provided IP is already allocated');
      spec.clusterIP = requested;
      spec.clusterIPs = [requested];
    } else {
      const ip = this.#pick(svc);
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }

  #pick(svc: KubeObject): string {
    if (
      svc.metadata.namespace === 'default' &&
      svc.metadata.name === 'kubernetes' &&
      !this.#used.has(toText(BASE + 1))
    )
      return toText(BASE + 1);
    const digest = createHash('sha256')
      .update(`${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`)
      .digest();
    // Skip the network address, .1 (the kubernetes service) and the top of the range.
    const span = SIZE - 12;
    let offset = digest.readUInt32BE(0) % span;
    for (let i = 0; i < span; i++) {
      const ip = toText(BASE + 10 + offset);
      if (!this.#used.has(ip)) return ip;
      offset = (offset + 1) % span;
    }
    throw invalid('Service', svc.metadata.name ?? '', [
      { field: 'spec.clusterIPs', message: 'Internal error: failed to allocate a serviceIP: range is full' },
    ]);
  }
}
