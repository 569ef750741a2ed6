// All the simulated kubelets: one per node, created and removed with the Node objects. Routes
// each pod to the kubelet of its node, hands out pod IPs from the node's podCIDR, force-deletes
// pods whose node is gone (the pod GC), and answers `GET …/log` from the containers' output
// (the current instance, or with `previous` the one before) as the kubelet does.
import type { LogLine, PodLogSource } from '../../contracts.js';
import type { StoreEvent } from '../../object-store.js';
import { ApiStatusError, badRequest } from '../../status-error.js';
import type { SimContext } from '../context.js';
import type { NodeObject, PodObject } from '../kinds.js';
import type { BehaviourCatalog } from './behaviour.js';
import type { ImageRegistry } from './images.js';
import { Kubelet } from './kubelet.js';
import { isRunning, type ContainerRuntime, type Instance, type PodRuntime } from './pod-runtime.js';

export class KubeletFleet implements PodLogSource {
  readonly #ctx: SimContext;
  readonly #images: ImageRegistry;
  readonly #behaviours: BehaviourCatalog;
  readonly #kubelets = new Map<string, Kubelet>();
  readonly #podNode = new Map<string, string>(); // pod uid → node
  readonly #ips = new Map<string, { prefix: string; used: Set<number>; next: number }>();
  #started = false;

  constructor(ctx: SimContext, images: ImageRegistry, behaviours: BehaviourCatalog) {
    this.#ctx = ctx;
    this.#images = images;
    this.#behaviours = behaviours;
    ctx.cache.on('nodes', (e) => this.#onNode(e));
    ctx.cache.on('pods', (e) => this.#onPod(e));
  }

  /** Adopts the pods already running (scenario set-up) and starts the node heartbeats. */
  start(): void {
    this.#started = true;
    for (const node of this.#ctx.cache.list<NodeObject>('nodes')) this.#kubeletFor(node.metadata.name ?? '');
    for (const pod of this.#ctx.cache.list<PodObject>('pods')) {
      const node = pod.spec.nodeName;
      if (!node) continue;
      const kubelet = this.#kubelets.get(node);
      if (!kubelet) continue;
      this.#podNode.set(pod.metadata.uid ?? '', node);
      if (
        pod.status?.phase === 'Running' ||
        pod.status?.phase === 'Succeeded' ||
        pod.status?.phase === 'Failed'
      ) {
        kubelet.adopt(pod);
      } else kubelet.observe(pod);
    }
    for (const k of this.#kubelets.values()) k.start();
  }

  /** Ends every log follow (the cluster is stopping); pods stay as they are in the store. */
  stop(): void {
    for (const kubelet of this.#kubelets.values()) {
      for (const pr of kubelet.pods()) {
        for (const cr of pr.containers.values()) cr.current?.log.end();
      }
    }
  }

  kubelet(node: string): Kubelet | undefined {
    return this.#kubelets.get(node);
  }

  kubelets(): IterableIterator<Kubelet> {
    return this.#kubelets.values();
  }

  /** The runtime of a pod, by namespace/name (undefined when no kubelet runs it). */
  runtime(namespace: string, name: string): { kubelet: Kubelet; pod: PodRuntime } | undefined {
    const pod = this.#ctx.cache.get<PodObject>('pods', namespace, name);
    const uid = pod?.metadata.uid;
    if (!uid) return undefined;
    const node = this.#podNode.get(uid);
    const kubelet = node ? this.#kubelets.get(node) : undefined;
    const pr = kubelet?.pod(uid);
    return kubelet && pr ? { kubelet, pod: pr } : undefined;
  }

  // ---- PodLogSource ---------------------------------------------------------------------

  lines(
    namespace: string,
    pod: string,
    container: string,
    previous: boolean,
  ): readonly LogLine[] | undefined {
    const inst = this.#logInstance(namespace, pod, container, previous);
    return inst?.log.lines(this.#ctx.now());
  }

  follow(
    namespace: string,
    pod: string,
    container: string,
    onLine: (line: LogLine) => void,
    onEnd: () => void,
  ): () => void {
    const inst = this.#logInstance(namespace, pod, container, false);
    if (!inst) {
      onEnd();
      return () => undefined;
    }
    return inst.log.follow(onLine, onEnd);
  }

  /** The instance whose log a request reads, by the kubelet's rules (validateContainerLogStatus). */
  #logInstance(namespace: string, pod: string, container: string, previous: boolean): Instance | undefined {
    const found = this.runtime(namespace, pod);
    if (!found) return undefined;
    if (!found.kubelet.up) {
      const node = found.kubelet.node;
      throw new ApiStatusError(
        500,
        'InternalError',
        `Get "https://${node}:10250/containerLogs/${namespace}/${pod}/${container}": dial tcp: lookup ${node}: no route to host`,
      );
    }
    const cr: ContainerRuntime | undefined = found.pod.containers.get(container);
    if (!cr) throw badRequest(`container ${container} is not valid for pod ${pod}`);
    const cur = cr.current;
    // lastState.terminated: the newest instance while it waits to restart, else the one before.
    const lastTerminated = cur && cur.finishedAt !== undefined && cr.waiting ? cur : cr.previous;
    if (previous) return lastTerminated;
    if (cur && (isRunning(cr) || cur.finishedAt !== undefined)) return cur;
    return lastTerminated;
  }

  // ---- routing ------------------------------------------------------------------------------

  #kubeletFor(node: string): Kubelet {
    let kubelet = this.#kubelets.get(node);
    if (!kubelet) {
      kubelet = new Kubelet(node, {
        ctx: this.#ctx,
        images: this.#images,
        behaviours: this.#behaviours,
        allocateIp: (n) => this.#allocateIp(n),
        releaseIp: (n, ip) => this.#releaseIp(n, ip),
        reserveIp: (n, ip) => this.#reserveIp(n, ip),
        onPodGone: (uid) => this.#podNode.delete(uid),
      });
      this.#kubelets.set(node, kubelet);
      if (this.#started) kubelet.start();
    }
    return kubelet;
  }

  #onNode(event: StoreEvent): void {
    const name = event.object.metadata.name ?? '';
    if (event.type === 'ADDED' && this.#started) this.#kubeletFor(name);
    if (event.type === 'DELETED') {
      const kubelet = this.#kubelets.get(name);
      if (kubelet) {
        kubelet.fail();
        this.#kubelets.delete(name);
      }
      // The pod GC removes pods bound to a node that no longer exists.
      this.#ctx.timers.after(this.#ctx.scaled(1000), () => {
        for (const pod of this.#ctx.cache.podsOnNode(name)) {
          this.#ctx.store.forceDelete('pods', pod.metadata.namespace, pod.metadata.name ?? '');
        }
      });
    }
  }

  #onPod(event: StoreEvent): void {
    if (!this.#started) return;
    const pod = event.object as PodObject;
    const uid = pod.metadata.uid ?? '';
    if (event.type === 'DELETED') {
      const node = this.#podNode.get(uid);
      if (node) this.#kubelets.get(node)?.forget(uid);
      this.#podNode.delete(uid);
      return;
    }
    const node = pod.spec?.nodeName;
    if (!node) return;
    const kubelet = this.#kubelets.get(node);
    if (!kubelet) return;
    this.#podNode.set(uid, node);
    kubelet.observe(pod);
  }

  // ---- pod IPs ----------------------------------------------------------------------------------

  #pool(node: string): { prefix: string; used: Set<number>; next: number } {
    let pool = this.#ips.get(node);
    if (!pool) {
      const cidr =
        this.#ctx.cache.get<NodeObject>('nodes', undefined, node)?.spec?.podCIDR ?? '10.244.0.0/24';
      const prefix = cidr.split('/')[0]!.split('.').slice(0, 3).join('.');
      pool = { prefix, used: new Set(), next: 2 };
      this.#ips.set(node, pool);
    }
    return pool;
  }

  /** A pod IP on a node for pods a scenario creates already running (before start). */
  allocateIpForSetup(node: string): string {
    return this.#allocateIp(node);
  }

  #allocateIp(node: string): string {
    const pool = this.#pool(node);
    for (let i = 0; i < 253; i++) {
      const host = 2 + ((pool.next - 2 + i) % 253);
      if (!pool.used.has(host)) {
        pool.used.add(host);
        pool.next = host + 1;
        return `${pool.prefix}.${host}`;
      }
    }
    return `${pool.prefix}.254`;
  }

  #releaseIp(node: string, ip: string): void {
    const pool = this.#ips.get(node);
    const host = Number(ip.split('.').pop());
    pool?.used.delete(host);
  }

  /** Marks the IP of an adopted pod as taken. */
  #reserveIp(node: string, ip: string): void {
    this.#pool(node).used.add(Number(ip.split('.').pop()));
  }
}
