// The pod row of `kubectl get pods`, computed as the API server's printer does: READY counts,
// the STATUS reason (CrashLoopBackOff, Completed, Init:0/1, Terminating, Unknown for NodeLost…),
// RESTARTS with "(5m ago)", and the wide-only IP, NODE, NOMINATED NODE and READINESS GATES.
import type { KubeObject } from '../object-store.js';
import { since } from './human-duration.js';

interface ContainerState {
  running?: { startedAt?: string };
  waiting?: { reason?: string };
  terminated?: { reason?: string; exitCode?: number; signal?: number; finishedAt?: string };
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerState;
  lastState?: ContainerState;
}

interface PodShape {
  spec?: {
    nodeName?: string;
    containers?: Array<{ name: string }>;
    initContainers?: Array<{ name: string; restartPolicy?: string }>;
    readinessGates?: Array<{ conditionType: string }>;
  };
  status?: {
    phase?: string;
    reason?: string;
    nominatedNodeName?: string;
    podIP?: string;
    podIPs?: Array<{ ip: string }>;
    conditions?: Array<{ type: string; status: string; reason?: string }>;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

export interface RowCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
}

function later(a: string | undefined, b: string | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return Date.parse(b) > Date.parse(a) ? b : a;
}

/** Cells: name, ready, status, restarts, age, then wide: IP, node, nominated node, readiness gates. */
export function podCells(obj: KubeObject, now: number): { cells: unknown[]; conditions?: RowCondition[] } {
  const pod = obj as unknown as PodShape;
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const containers = spec.containers ?? [];
  const initContainers = spec.initContainers ?? [];
  const restartable = new Set(initContainers.filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
  let restarts = 0;
  let restartableRestarts = 0;
  const totalContainers = containers.length + restartable.size;
  let readyContainers = 0;
  let lastRestart: string | undefined;
  let lastRestartableRestart: string | undefined;
  const phase = status.phase ?? '';
  let reason = status.reason || phase;
  for (const c of status.conditions ?? []) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }
  let conditions: RowCondition[] | undefined;
  if (phase === 'Succeeded')
    conditions = [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ];
  else if (phase === 'Failed')
    conditions = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

  let initializing = false;
  const initStatuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < initStatuses.length; i++) {
    const c = initStatuses[i]!;
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
    if (restartable.has(c.name)) {
      restartableRestarts += c.restartCount ?? 0;
      lastRestartableRestart = later(lastRestartableRestart, c.lastState?.terminated?.finishedAt);
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (restartable.has(c.name) && c.started) {
      if (c.ready) readyContainers++;
      continue;
    }
    if (terminated) {
      if (!terminated.reason) {
        reason = terminated.signal
          ? `Init:Signal:${terminated.signal}`
          : `Init:ExitCode:${terminated.exitCode ?? 0}`;
      } else reason = `Init:${terminated.reason}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  const initialized = (status.conditions ?? []).some((c) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = restartableRestarts;
    lastRestart = lastRestartableRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, c.lastState?.terminated?.finishedAt);
      const waiting = c.state?.waiting;
      const terminated = c.state?.terminated;
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) {
        reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      } else if (c.ready && c.state?.running) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      const ready = (status.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
      reason = ready ? 'Running' : 'NotReady';
    }
  }

  if (obj.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (obj.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed')
    reason = 'Terminating';

  const restartsText =
    restarts !== 0 && lastRestart ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);

  const podIP = status.podIPs?.[0]?.ip || '<none>';
  let readinessGates = '<none>';
  const gates = spec.readinessGates ?? [];
  if (gates.length > 0) {
    let trueConditions = 0;
    for (const gate of gates) {
      const found = (status.conditions ?? []).find((c) => c.type === gate.conditionType);
      if (found?.status === 'True') trueConditions++;
    }
    readinessGates = `${trueConditions}/${gates.length}`;
  }
  return {
    cells: [
      obj.metadata.name,
      `${readyContainers}/${totalContainers}`,
      reason,
      restartsText,
      since(obj.metadata.creationTimestamp, now),
      podIP,
      spec.nodeName || '<none>',
      status.nominatedNodeName || '<none>',
      readinessGates,
    ],
    ...(conditions ? { conditions } : {}),
  };
}
