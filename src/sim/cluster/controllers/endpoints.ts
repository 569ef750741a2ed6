// The endpoints controller: for every Service with a selector, an Endpoints object of the same
// name listing the matching pods' IPs — ready ones under `addresses`, the rest under
// `notReadyAddresses` — with the service ports resolved against the containers' named ports.
import type { IEndpointPort } from 'kubernetes-models/v1/EndpointPort';
import type { IEndpointAddress } from 'kubernetes-models/v1/EndpointAddress';
import type { KubeObject, StoreEvent } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import { matchesLabels, parseLabelSelector, type LabelSelector } from '../../selectors.js';
import type { SimContext } from '../context.js';
import { isPodReady, isTerminalPod, keyOf, splitKey, type PodObject, type ServiceObject } from '../kinds.js';
import type { WorkQueue } from '../work-queue.js';

function selectorOf(svc: ServiceObject): LabelSelector | undefined {
  const sel = svc.spec?.selector;
  if (!sel || Object.keys(sel).length === 0) return undefined;
  return parseLabelSelector(
    Object.entries(sel)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );
}

export class EndpointsController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#queue = ctx.queue('endpoints', (key) => this.sync(key));
    ctx.cache.on('services', (e) => this.#queue.add(keyOf(e.object)));
    ctx.cache.on('pods', (e) => this.#onPod(e));
  }

  #onPod(event: StoreEvent): void {
    const pod = event.object as PodObject;
    const prev = event.previous as PodObject | undefined;
    // Only changes that can move an address matter: IP, readiness, labels, deletion.
    if (
      event.type === 'MODIFIED' &&
      prev &&
      prev.status?.podIP === pod.status?.podIP &&
      isPodReady(prev) === isPodReady(pod) &&
      Boolean(prev.metadata.deletionTimestamp) === Boolean(pod.metadata.deletionTimestamp) &&
      prev.status?.phase === pod.status?.phase &&
      JSON.stringify(prev.metadata.labels) === JSON.stringify(pod.metadata.labels)
    ) {
      return;
    }
    const ns = pod.metadata.namespace ?? 'default';
    for (const svc of this.#ctx.cache.list<ServiceObject>('services', ns)) {
      const sel = selectorOf(svc);
      if (!sel) continue;
      if (matchesLabels(sel, pod.metadata.labels) || (prev && matchesLabels(sel, prev.metadata.labels))) {
        this.#queue.add(keyOf(svc));
      }
    }
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const ns = namespace ?? 'default';
    const svc = this.#ctx.cache.get<ServiceObject>('services', ns, name);
    const existing = this.#ctx.cache.get('endpoints', ns, name);
    const sel = svc ? selectorOf(svc) : undefined;
    if (!svc || svc.metadata.deletionTimestamp) {
      if (existing && existing.metadata.labels?.['endpoints.kubernetes.io/managed-by'] !== 'external') {
        try {
          this.#ctx.store.delete('endpoints', ns, name);
        } catch (error) {
          if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
        }
      }
      return;
    }
    if (!sel) return; // selector-less services have hand-made endpoints
    const pods = this.#ctx.cache
      .list<PodObject>('pods', ns)
      .filter(
        (p) =>
          matchesLabels(sel, p.metadata.labels) &&
          p.status?.podIP &&
          !isTerminalPod(p) &&
          !p.metadata.deletionTimestamp,
      )
      .sort((a, b) => ipOrder(a.status!.podIP!) - ipOrder(b.status!.podIP!));
    const address = (p: PodObject): IEndpointAddress => ({
      ip: p.status!.podIP!,
      ...(p.spec.nodeName ? { nodeName: p.spec.nodeName } : {}),
      targetRef: { kind: 'Pod', namespace: ns, name: p.metadata.name ?? '', uid: p.metadata.uid ?? '' },
    });
    const ready = pods.filter(isPodReady).map(address);
    const notReady = pods.filter((p) => !isPodReady(p)).map(address);
    const ports: IEndpointPort[] = (svc.spec?.ports ?? []).map((sp) => {
      let port = typeof sp.targetPort === 'number' ? sp.targetPort : Number(sp.targetPort ?? sp.port);
      if (typeof sp.targetPort === 'string' && Number.isNaN(Number(sp.targetPort))) {
        const named = pods
          .flatMap((p) => p.spec.containers.flatMap((c) => c.ports ?? []))
          .find((cp) => cp.name === sp.targetPort);
        port = named?.containerPort ?? sp.port;
      }
      return { ...(sp.name ? { name: sp.name } : {}), port, protocol: sp.protocol ?? 'TCP' };
    });
    const subsets =
      ready.length + notReady.length === 0
        ? undefined
        : [
            {
              ...(ready.length > 0 ? { addresses: ready } : {}),
              ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
              ports,
            },
          ];
    const desired: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: {
        name,
        namespace: ns,
        labels: { ...(svc.metadata.labels ?? {}) },
        annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': this.#ctx.nowText() },
      },
      ...(subsets ? { subsets } : {}),
    };
    if (!existing) {
      this.#ctx.store.create('endpoints', desired);
      return;
    }
    if (JSON.stringify(existing.subsets) === JSON.stringify(desired.subsets)) return;
    this.#ctx.store.mutate('endpoints', ns, name, (obj) => {
      obj.metadata.labels = desired.metadata.labels;
      obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), ...desired.metadata.annotations };
      if (subsets) obj.subsets = subsets;
      else delete obj.subsets;
    });
  }
}

function ipOrder(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}
