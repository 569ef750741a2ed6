// The Kubernetes side of deploying an app: free names, all-or-nothing creation (a dry run first,
// created objects removed again on failure), how its rollout is going, and its deletion.
import type { KubeClient } from '../../cluster/kube-client.js';
import { KubeApiError, LookoutError, errorMessage } from '../../lib/errors.js';
import { kindInfo, objectPath, type ObjectRef } from './kinds.js';
import type { RenderedApp } from './render-app.js';
import type { Manifest } from './template.js';

/** A deploy step failed; `message` is fit to show the person who asked. */
export class DeployError extends LookoutError {}

interface Meta {
  name?: string;
  generation?: number;
  deletionTimestamp?: string;
}

interface WorkloadObject {
  metadata?: Meta;
  spec?: { replicas?: number; selector?: { matchLabels?: Record<string, string> } };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    availableReplicas?: number;
    updatedReplicas?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  state?: { waiting?: { reason?: string; message?: string } };
  lastState?: { terminated?: { reason?: string; exitCode?: number } };
}

interface PodObject {
  metadata?: Meta;
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

interface ServiceObject {
  spec?: { ports?: Array<{ name?: string; port?: number; nodePort?: number }> };
}

interface NodeObject {
  status?: { addresses?: Array<{ type?: string; address?: string }> };
}

interface EventObject {
  involvedObject?: { kind?: string; name?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
}

/** Waiting reasons that need a person (not a moment's patience), by family. */
const STUCK_REASONS: Readonly<Record<string, string>> = {
  ErrImagePull: 'image',
  ImagePullBackOff: 'image',
  InvalidImageName: 'image',
  ErrImageNeverPull: 'image',
  CrashLoopBackOff: 'crash',
  RunContainerError: 'crash',
  CreateContainerConfigError: 'config',
  CreateContainerError: 'config',
};

/** Something wrong with one pod of a workload. */
export interface PodProblem {
  readonly pod: string;
  readonly container: string | undefined;
  /** Kubernetes' reason: ImagePullBackOff, CrashLoopBackOff, Unschedulable, … */
  readonly reason: string;
  readonly message: string;
  /** Reasons of one family share this key, so ErrImagePull ↔ ImagePullBackOff counts as one stuck spell. */
  readonly key: string;
}

export interface WorkloadProgress {
  readonly kind: string;
  readonly name: string;
  readonly desired: number;
  readonly ready: number;
  readonly updated: number;
  readonly done: boolean;
  readonly problems: readonly PodProblem[];
  /** The controller gave up (Deployment `ProgressDeadlineExceeded`). */
  readonly failed: string | undefined;
  readonly podNames: readonly string[];
  readonly podNodes: readonly string[];
}

export interface RolloutSnapshot {
  readonly workloads: readonly WorkloadProgress[];
  readonly done: boolean;
  /** The node port the exposed Service got, once it has one. */
  readonly nodePort: number | undefined;
  /** A node's InternalIP (or, when nodes cannot be read, its name) to reach the node port on; undefined until a pod is placed. */
  readonly nodeAddress: string | undefined;
}

export interface WarningEvent {
  readonly object: string;
  readonly reason: string;
  readonly message: string;
  readonly count: number;
}

function selectorString(labels: Record<string, string> | undefined): string {
  return Object.entries(labels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** An API failure in words for a chat: what Lookout was doing and what the cluster said. */
export function describeApiError(error: unknown, what: string): string {
  if (error instanceof KubeApiError) {
    if (error.status === 0) return `the cluster cannot be reached (${error.message})`;
    if (error.status === 403) return `the cluster refused to ${what}: ${error.message}`;
    return `${what} failed: ${error.message}`;
  }
  return `${what} failed: ${errorMessage(error)}`;
}

function podProblems(pod: PodObject): PodProblem[] {
  const name = pod.metadata?.name ?? '?';
  const out: PodProblem[] = [];
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    out.push({
      pod: name,
      container: undefined,
      reason: 'Unschedulable',
      message: scheduled.message ?? 'no node can run it',
      key: `${name}|schedule`,
    });
  }
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  for (const cs of statuses) {
    const reason = cs.state?.waiting?.reason;
    if (!reason) continue;
    const family = STUCK_REASONS[reason];
    if (!family) continue;
    let message = cs.state?.waiting?.message ?? '';
    const last = cs.lastState?.terminated;
    if (family === 'crash' && last) {
      const exit = `last exit: ${last.reason ?? 'Error'}, code ${last.exitCode ?? '?'}`;
      message = message ? `${message} (${exit})` : exit;
    }
    out.push({ pod: name, container: cs.name, reason, message, key: `${name}|${cs.name ?? ''}|${family}` });
  }
  return out;
}

function deploymentDone(w: WorkloadObject, desired: number): boolean {
  const s = w.status ?? {};
  const observed = (s.observedGeneration ?? 0) >= (w.metadata?.generation ?? 1);
  return (
    observed &&
    (s.updatedReplicas ?? 0) === desired &&
    (s.availableReplicas ?? 0) === desired &&
    (s.readyReplicas ?? 0) === desired &&
    (s.replicas ?? 0) === desired
  );
}

export class AppDeployer {
  readonly #client: KubeClient;
  readonly #namespace: string;

  constructor(client: KubeClient, namespace: string) {
    this.#client = client;
    this.#namespace = namespace;
  }

  /** Which of `refs` already exist in the namespace. */
  async existing(refs: readonly ObjectRef[], signal?: AbortSignal): Promise<ObjectRef[]> {
    const found: ObjectRef[] = [];
    for (const ref of refs) {
      try {
        await this.#client.getJson(objectPath(ref, this.#namespace), {}, signal);
        found.push(ref);
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) continue;
        throw new DeployError(describeApiError(error, `reading ${ref.kind} ${ref.name}`), { cause: error });
      }
    }
    return found;
  }

  /**
   * Creates every object in order. A server-side dry run of all of them comes first, so a
   * mistake is found before anything exists; if a real create still fails, the objects created
   * so far are deleted again and the error says which object failed and why.
   */
  async create(app: RenderedApp, signal?: AbortSignal): Promise<void> {
    for (const object of app.objects) {
      await this.#post(object, { dryRun: 'All' }, signal, 'checking');
    }
    const created: ObjectRef[] = [];
    try {
      for (const object of app.objects) {
        await this.#post(object, {}, signal, 'creating');
        created.push({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name });
      }
    } catch (error) {
      await this.remove(created).catch(() => undefined);
      throw error;
    }
  }

  async #post(
    object: Manifest,
    query: Record<string, string>,
    signal: AbortSignal | undefined,
    verb: string,
  ): Promise<void> {
    try {
      await this.#client.post(
        objectPath({ apiVersion: object.apiVersion, kind: object.kind }, this.#namespace),
        object,
        {
          query,
          signal,
        },
      );
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 409)
        throw new DeployError(`${object.kind} ${object.metadata.name} already exists in ${this.#namespace}`, {
          cause: error,
        });
      throw new DeployError(describeApiError(error, `${verb} ${object.kind} ${object.metadata.name}`), {
        cause: error,
      });
    }
  }

  /**
   * Deletes `refs` in reverse creation order (dependents first), letting Kubernetes remove
   * what they own in the background. Objects already gone count as deleted. Answers what
   * could not be deleted, with why.
   */
  async remove(refs: readonly ObjectRef[], signal?: AbortSignal): Promise<string[]> {
    const problems: string[] = [];
    for (const ref of [...refs].reverse()) {
      try {
        await this.#client.delete(objectPath(ref, this.#namespace), {
          query: { propagationPolicy: 'Background' },
          signal,
        });
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) continue;
        problems.push(describeApiError(error, `deleting ${ref.kind} ${ref.name}`));
      }
    }
    return problems;
  }

  /** Where the rollout stands now: each workload's ready pods and problems, the node port, a node address. */
  async inspect(
    refs: readonly ObjectRef[],
    expose: RenderedApp['expose'],
    signal?: AbortSignal,
  ): Promise<RolloutSnapshot> {
    const workloads: WorkloadProgress[] = [];
    for (const ref of refs) {
      if (!kindInfo(ref.apiVersion, ref.kind)?.workload) continue;
      workloads.push(await this.#workload(ref, signal));
    }
    let nodePort: number | undefined;
    try {
      const svc = await this.#client.getJson<ServiceObject>(
        objectPath({ apiVersion: 'v1', kind: 'Service', name: expose.service }, this.#namespace),
        {},
        signal,
      );
      nodePort = svc.spec?.ports?.find((p) => p.name === expose.port || p.port === expose.port)?.nodePort;
    } catch (error) {
      if (!(error instanceof KubeApiError && error.status === 404)) throw error;
    }
    // The node of a pod that serves the exposed Service is where a person would look first.
    const nodes = [...workloads]
      .sort((a, b) => Number(b.name === expose.service) - Number(a.name === expose.service))
      .flatMap((w) => w.podNodes);
    let nodeAddress: string | undefined;
    for (const node of new Set(nodes)) {
      nodeAddress = await this.#nodeAddress(node, signal);
      if (nodeAddress) break;
    }
    // Without read access to nodes, the node's name is the best address there is.
    nodeAddress ??= nodes[0];
    return { workloads, done: workloads.every((w) => w.done), nodePort, nodeAddress };
  }

  async #workload(ref: ObjectRef, signal: AbortSignal | undefined): Promise<WorkloadProgress> {
    let w: WorkloadObject;
    try {
      w = await this.#client.getJson<WorkloadObject>(objectPath(ref, this.#namespace), {}, signal);
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) {
        return {
          kind: ref.kind,
          name: ref.name,
          desired: 0,
          ready: 0,
          updated: 0,
          done: false,
          problems: [],
          failed: `${ref.kind} ${ref.name} was deleted`,
          podNames: [],
          podNodes: [],
        };
      }
      throw error;
    }
    const desired = w.spec?.replicas ?? 1;
    const s = w.status ?? {};
    const progressing = s.conditions?.find((c) => c.type === 'Progressing');
    const failed =
      progressing?.status === 'False' && progressing.reason === 'ProgressDeadlineExceeded'
        ? `${ref.kind} ${ref.name}: ${progressing.message ?? 'progress deadline exceeded'}`
        : undefined;
    const done =
      ref.kind === 'Deployment'
        ? deploymentDone(w, desired)
        : (s.readyReplicas ?? 0) === desired && (s.updatedReplicas ?? desired) === desired;
    const selector = selectorString(w.spec?.selector?.matchLabels);
    const pods = selector
      ? ((
          await this.#client.getJson<{ items?: PodObject[] }>(
            `/api/v1/namespaces/${encodeURIComponent(this.#namespace)}/pods`,
            { labelSelector: selector },
            signal,
          )
        ).items ?? [])
      : [];
    const live = pods.filter((p) => !p.metadata?.deletionTimestamp);
    const readyPods = live.filter((p) =>
      p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    const placed = [...readyPods, ...live].map((p) => p.spec?.nodeName).filter((n): n is string => !!n);
    return {
      kind: ref.kind,
      name: ref.name,
      desired,
      ready: s.readyReplicas ?? 0,
      updated: s.updatedReplicas ?? 0,
      done,
      problems: live.flatMap(podProblems),
      failed,
      podNames: pods.map((p) => p.metadata?.name ?? '').filter(Boolean),
      podNodes: [...new Set(placed)],
    };
  }

  async #nodeAddress(node: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    try {
      const n = await this.#client.getJson<NodeObject>(
        `/api/v1/nodes/${encodeURIComponent(node)}`,
        {},
        signal,
      );
      const addresses = n.status?.addresses ?? [];
      return (
        addresses.find((a) => a.type === 'InternalIP')?.address ??
        addresses.find((a) => a.type === 'ExternalIP')?.address
      );
    } catch (error) {
      // Reading nodes may be forbidden to an impersonated user; the URL then waits for config.
      if (error instanceof KubeApiError && (error.status === 403 || error.status === 404)) return undefined;
      throw error;
    }
  }

  /**
   * Recent Warning events about the app's pods and objects, newest first, one per reason and
   * message: what a person needs to see when a rollout fails.
   */
  async warnings(
    refs: readonly ObjectRef[],
    podNames: readonly string[],
    limit = 5,
    signal?: AbortSignal,
  ): Promise<WarningEvent[]> {
    const list = await this.#client.getJson<{ items?: EventObject[] }>(
      `/api/v1/namespaces/${encodeURIComponent(this.#namespace)}/events`,
      { fieldSelector: 'type=Warning' },
      signal,
    );
    const names = new Set([...podNames, ...refs.map((r) => r.name)]);
    const workloadPrefixes = refs
      .filter((r) => kindInfo(r.apiVersion, r.kind)?.workload)
      .map((r) => `${r.name}-`);
    const ours = (list.items ?? []).filter((e) => {
      const name = e.involvedObject?.name ?? '';
      // ReplicaSets (`<deployment>-<hash>`) report FailedCreate; pods may already be gone.
      return (
        names.has(name) ||
        (e.involvedObject?.kind === 'ReplicaSet' && workloadPrefixes.some((p) => name.startsWith(p)))
      );
    });
    const time = (e: EventObject): number =>
      Date.parse(e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? '') || 0;
    ours.sort((a, b) => time(b) - time(a));
    const seen = new Set<string>();
    const out: WarningEvent[] = [];
    for (const e of ours) {
      const key = `${e.reason ?? ''}|${e.message ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({
        object: `${e.involvedObject?.kind ?? ''} ${e.involvedObject?.name ?? ''}`.trim(),
        reason: e.reason ?? '',
        message: e.message ?? '',
        count: e.series?.count ?? e.count ?? 1,
      });
      if (out.length >= limit) break;
    }
    return out;
  }

  /** Names of the namespace's Active namespaces the client may list. */
  static async namespaces(client: KubeClient, signal?: AbortSignal): Promise<string[]> {
    const list = await client.getJson<{ items?: Array<{ metadata?: Meta; status?: { phase?: string } }> }>(
      '/api/v1/namespaces',
      {},
      signal,
    );
    return (list.items ?? [])
      .filter((n) => (n.status?.phase ?? 'Active') === 'Active')
      .map((n) => n.metadata?.name ?? '')
      .filter(Boolean)
      .sort();
  }

  /** Whether a namespace exists (false when it is missing or being deleted). */
  static async namespaceExists(
    client: KubeClient,
    namespace: string,
    signal?: AbortSignal,
  ): Promise<boolean> {
    try {
      const ns = await client.getJson<{ status?: { phase?: string } }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}`,
        {},
        signal,
      );
      return (ns.status?.phase ?? 'Active') === 'Active';
    } catch (error) {
      if (error instanceof KubeApiError && error.status === 404) return false;
      throw error;
    }
  }
}
