// The handles tests and scenarios use to make things happen inside the simulated cluster:
// crash a container, OOM-kill it, fail its liveness probe, put CPU load on a workload, take a
// node's kubelet down and bring it back, put a node under memory or disk pressure, break or
// fix an image in the registry, and emit an arbitrary event.
import type { KubeObject } from '../object-store.js';
import { notFound } from '../status-error.js';
import { resource } from '../resources.js';
import { selectorFromObject, type LabelSelectorObject } from '../selectors.js';
import type { SimContext } from './context.js';
import type { EventType, ObjectRef } from './events/event-writer.js';
import type { BehaviourCatalog, BehaviourSpec } from './kubelet/behaviour.js';
import type { KubeletFleet } from './kubelet/fleet.js';
import type { ImageRegistry } from './kubelet/images.js';
import type { Pressure } from './kubelet/kubelet.js';
import type { UsageModel } from './usage.js';

export class SimDriver {
  readonly #ctx: SimContext;
  readonly #fleet: KubeletFleet;
  readonly #usage: UsageModel;
  readonly #images: ImageRegistry;
  readonly #behaviours: BehaviourCatalog;

  constructor(
    ctx: SimContext,
    fleet: KubeletFleet,
    usage: UsageModel,
    images: ImageRegistry,
    behaviours: BehaviourCatalog,
  ) {
    this.#ctx = ctx;
    this.#fleet = fleet;
    this.#usage = usage;
    this.#images = images;
    this.#behaviours = behaviours;
  }

  #kubeletOf(namespace: string, pod: string): ReturnType<KubeletFleet['runtime']> & object {
    const found = this.#fleet.runtime(namespace, pod);
    if (!found) throw notFound(resource('pods'), pod);
    return found;
  }

  /**
   * Ends a running container now with `exitCode` (default 1) and its crash output; the kubelet
   * restarts it under the pod's policy. Returns false when that container is not running.
   */
  crash(
    namespace: string,
    pod: string,
    options: { container?: string; exitCode?: number; reason?: string; lastWords?: string[] } = {},
  ): boolean {
    const { kubelet, pod: pr } = this.#kubeletOf(namespace, pod);
    return kubelet.crash(pr.uid, options.container, options);
  }

  /** The kernel OOM-kills the container (exit 137, OOMKilled, an OOMKilling node event). */
  oomKill(namespace: string, pod: string, container?: string): boolean {
    const { kubelet, pod: pr } = this.#kubeletOf(namespace, pod);
    return kubelet.crash(pr.uid, container, { reason: 'OOMKilled', exitCode: 137 });
  }

  /** The container's liveness probe starts failing (Unhealthy events, then a kill and restart). */
  failLiveness(namespace: string, pod: string, container?: string): boolean {
    const { kubelet, pod: pr } = this.#kubeletOf(namespace, pod);
    return kubelet.failLiveness(pr.uid, container);
  }

  /**
   * Puts `milliCpu` of CPU demand on the ready pods of a Deployment/StatefulSet/ReplicaSet
   * (shared between them, each capped at its limit); 0 removes the load.
   */
  setLoad(
    namespace: string,
    workload: { kind?: 'Deployment' | 'StatefulSet' | 'ReplicaSet'; name: string },
    milliCpu: number,
  ): void {
    const key =
      workload.kind === 'StatefulSet'
        ? 'apps/statefulsets'
        : workload.kind === 'ReplicaSet'
          ? 'apps/replicasets'
          : 'apps/deployments';
    const target = this.#ctx.cache.get<KubeObject & { spec?: { selector?: LabelSelectorObject } }>(
      key,
      namespace,
      workload.name,
    );
    if (!target) throw notFound(resource(key), workload.name);
    this.#usage.setLoad(`${namespace}/${key}/${workload.name}`, {
      namespace,
      selector: selectorFromObject(target.spec?.selector),
      milliCpu,
    });
  }

  /** The node's kubelet stops posting status; after 40 s the node turns NotReady/unreachable. */
  failNode(name: string): void {
    this.#kubelet(name).fail();
  }

  recoverNode(name: string): void {
    this.#kubelet(name).recover();
  }

  /**
   * Memory, disk or PID pressure on a node. Memory and disk pressure make the kubelet evict
   * pods (best-effort first, biggest first), one every 10 s, up to `evictions` (default 3).
   */
  setNodePressure(name: string, pressure: Pressure, on: boolean, evictions = 3): void {
    this.#kubelet(name).setPressure(pressure, on, evictions);
  }

  #kubelet(name: string): NonNullable<ReturnType<KubeletFleet['kubelet']>> {
    const kubelet = this.#fleet.kubelet(name);
    if (!kubelet) throw notFound(resource('nodes'), name);
    return kubelet;
  }

  /** Pulls of this image fail from now on ("not found"). */
  breakImage(image: string): void {
    this.#images.markMissing(image);
  }

  /** Pulls of this image are refused ("pull access denied"). */
  denyImage(image: string): void {
    this.#images.markDenied(image);
  }

  fixImage(image: string): void {
    this.#images.restore(image);
  }

  /** How containers of this image behave when they next start. */
  setBehaviour(image: string, behaviour: BehaviourSpec): void {
    this.#behaviours.set(image, behaviour);
  }

  /** Emits an event through the recorder of `component` (and `host`), with its dedup and count bumps. */
  emitEvent(
    ref: ObjectRef,
    type: EventType,
    reason: string,
    message: string,
    source: { component: string; host?: string } = { component: 'lookout-sim' },
  ): void {
    this.#ctx.recorder(source).event(ref, type, reason, message);
  }

  /** Writes every pending pod status now (instead of on the next tick). */
  flush(): void {
    for (const kubelet of this.#fleet.kubelets()) kubelet.flush();
  }
}
