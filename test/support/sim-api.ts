// A simulated API server over an object store the test fills itself: for tests of Lookout's
// watch layer that need exact control over every change (the full simulated cluster is in
// src/sim/cluster.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine, MetricsSource, PodLogSource } from '../../src/sim/contracts.js';
import { installAdmission } from '../../src/sim/admission/index.js';
import { ObjectStore, rfc3339, type KubeObject } from '../../src/sim/object-store.js';
import { RESOURCE_TYPES } from '../../src/sim/resources.js';
import { startSimServer, type SimServer } from '../../src/sim/server/index.js';

export interface TestApi {
  readonly store: ObjectStore;
  readonly server: SimServer;
  readonly kubeconfigPath: string;
  /** Previous-instance logs the kubelet would serve, by `ns/pod/container`. */
  readonly previousLogs: Map<string, string>;
  close(): Promise<void>;
}

export async function startTestApi(
  dir: string,
  options: { historyLimit?: number; bookmarkIntervalMs?: number } = {},
): Promise<TestApi> {
  const store = new ObjectStore(RESOURCE_TYPES, { historyLimit: options.historyLimit ?? 10_000 });
  installAdmission(store);
  for (const ns of ['default', 'kube-system', 'shop', 'ops'])
    store.create('namespaces', { metadata: { name: ns } });
  const previousLogs = new Map<string, string>();
  const logs: PodLogSource = {
    lines(namespace, pod, container, previous): readonly LogLine[] | undefined {
      if (!previous) return [{ ts: Date.now(), text: 'running' }];
      const text = previousLogs.get(`${namespace}/${pod}/${container}`);
      return text === undefined
        ? undefined
        : text
            .split('\n')
            .filter(Boolean)
            .map((t) => ({ ts: Date.now(), text: t }));
    },
    follow: (_ns, _pod, _c, _onLine, onEnd) => {
      onEnd();
      return () => undefined;
    },
  };
  const metrics: MetricsSource = { nodeMetrics: () => [], podMetrics: () => [] };
  const server = await startSimServer({
    store,
    logs,
    metrics,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 1000,
  });
  const kubeconfigPath = join(dir, `kubeconfig-${Date.now()}-${Math.random().toString(16).slice(2)}`);
  writeFileSync(kubeconfigPath, server.kubeconfig());
  return { store, server, kubeconfigPath, previousLogs, close: () => server.close() };
}

/** A running pod with one container; `restarts` earlier attempts crashed (the last is in lastState). */
export function runningPod(
  name: string,
  namespace = 'shop',
  restarts = 0,
  over: Partial<KubeObject> = {},
): KubeObject {
  const now = rfc3339(Date.now());
  return {
    metadata: { name, namespace, labels: { app: name.replace(/-\w+$/, '') } },
    spec: { nodeName: 'node-1', containers: [{ name: 'app', image: 'registry.local/shop:1' }] },
    status: {
      phase: 'Running',
      podIP: '10.0.0.9',
      startTime: now,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
      containerStatuses: [
        {
          name: 'app',
          image: 'registry.local/shop:1',
          imageID: 'sha256:0',
          ready: true,
          started: true,
          restartCount: restarts,
          state: { running: { startedAt: now } },
          ...(restarts > 0
            ? { lastState: { terminated: { reason: 'Error', exitCode: 1, startedAt: now, finishedAt: now } } }
            : {}),
        },
      ],
    },
    ...over,
  };
}

/**
 * The container's attempt `attempt` crashes, reported as the kubelet does while it backs off:
 * restartCount is still the crashed attempt, state waiting CrashLoopBackOff, lastState terminated.
 */
export function crashPod(
  store: ObjectStore,
  namespace: string,
  name: string,
  attempt: number,
  reason = 'Error',
  exitCode = 1,
): void {
  store.mutate(
    'pods',
    namespace,
    name,
    (pod) => {
      const status = pod.status as { containerStatuses: Array<Record<string, unknown>> };
      const now = rfc3339(Date.now());
      status.containerStatuses[0] = {
        ...status.containerStatuses[0],
        ready: false,
        restartCount: attempt,
        state: {
          waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s restarting failed container' },
        },
        lastState: {
          terminated: {
            reason,
            exitCode,
            startedAt: now,
            finishedAt: now,
            containerID: `containerd://${attempt}`,
          },
        },
      };
    },
    { subresource: 'status' },
  );
}

/** Creates or bumps an Event the way the kubelet's recorder does (same object, count+1). */
export function recordEvent(
  store: ObjectStore,
  namespace: string,
  name: string,
  reason: string,
  message: string,
  involved: string,
): void {
  const existing = store.get('events', namespace, name);
  const now = rfc3339(Date.now());
  if (existing) {
    store.mutate('events', namespace, name, (e) => {
      e.count = ((e.count as number) ?? 1) + 1;
      e.lastTimestamp = now;
    });
    return;
  }
  store.create('events', {
    metadata: { name, namespace },
    involvedObject: {
      kind: 'Pod',
      name: involved,
      namespace,
      uid: store.get('pods', namespace, involved)?.metadata.uid,
    },
    reason,
    message,
    type: 'Warning',
    count: 1,
    firstTimestamp: now,
    lastTimestamp: now,
    source: { component: 'kubelet', host: 'node-1' },
  });
}
