// What each node has promised to its pods (the scheduler's NodeInfo): requested CPU, memory and
// pod count of every pod bound to it that has not finished, kept up to date from pod changes
// so placement costs the same at 10 pods or 10,000.
import type { StoreEvent } from '../object-store.js';
import type { ClusterCache } from './cache.js';
import { controllerUid, isTerminalPod, type PodObject } from './kinds.js';
import { podRequests, type Resources } from './pods.js';

export interface NodeLoad extends Resources {
  pods: number;
}

export class NodeAccounting {
  readonly #load = new Map<string, NodeLoad>();
  readonly #spread = new Map<string, Map<string, number>>(); // owner uid → node → pods

  constructor(cache: ClusterCache) {
    cache.on('pods', (event) => this.#observe(event));
  }

  load(node: string): NodeLoad {
    return this.#load.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
  }

  /** Pods of one controller already on a node (spreading replicas apart). */
  siblings(node: string, ownerUid: string | undefined): number {
    return ownerUid ? (this.#spread.get(ownerUid)?.get(node) ?? 0) : 0;
  }

  #observe(event: StoreEvent): void {
    if (event.type === 'DELETED') {
      this.#apply(event.object as PodObject, -1);
      return;
    }
    if (event.type === 'MODIFIED' && event.previous) this.#apply(event.previous as PodObject, -1);
    this.#apply(event.object as PodObject, +1);
  }

  #apply(pod: PodObject, sign: 1 | -1): void {
    const node = pod.spec?.nodeName;
    if (!node || isTerminalPod(pod)) return;
    const load = this.#load.get(node) ?? { cpu: 0, memory: 0, pods: 0 };
    const req = podRequests(pod.spec);
    load.cpu += sign * req.cpu;
    load.memory += sign * req.memory;
    load.pods += sign;
    this.#load.set(node, load);
    const owner = controllerUid(pod);
    if (owner) {
      let byNode = this.#spread.get(owner);
      if (!byNode) {
        byNode = new Map();
        this.#spread.set(owner, byNode);
      }
      const n = (byNode.get(node) ?? 0) + sign;
      if (n <= 0) byNode.delete(node);
      else byNode.set(node, n);
      if (byNode.size === 0) this.#spread.delete(owner);
    }
  }
}
