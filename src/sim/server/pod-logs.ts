// `GET …/pods/{name}/log`: picks the container as the API server does, refuses with the kubelet's
// own 400 messages (no previous instance, still waiting, image can't be pulled), filters by
// sinceSeconds/sinceTime/tailLines/limitBytes, prefixes timestamps, and streams with follow.
import type { ServerResponse } from 'node:http';
import type { PodLogSource, LogLine } from '../contracts.js';
import type { KubeObject } from '../object-store.js';
import type { ApiStatusError } from '../status-error.js';
import { badRequest, invalid, type StatusCause } from '../status-error.js';
import { queryFlag, queryInt } from './http-util.js';

interface ContainerStatus {
  name: string;
  state?: { running?: unknown; waiting?: { reason?: string }; terminated?: { containerID?: string } };
  lastState?: { terminated?: { containerID?: string } };
}

export interface LogRequest {
  readonly container: string;
  readonly previous: boolean;
  readonly follow: boolean;
  readonly timestamps: boolean;
  readonly tailLines: number | undefined;
  readonly sinceMs: number | undefined;
  readonly limitBytes: number | undefined;
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? (list as Array<{ name?: unknown }>).map((c) => String(c.name)) : [];
}

/** Reads and validates the query (422 like the API server for bad values). */
export function parseLogRequest(pod: KubeObject, query: URLSearchParams, now: number): LogRequest {
  const name = pod.metadata.name ?? '';
  const spec = (pod.spec ?? {}) as {
    containers?: unknown;
    initContainers?: unknown;
    ephemeralContainers?: unknown;
  };
  const containers = names(spec.containers);
  const all = [...names(spec.initContainers), ...containers, ...names(spec.ephemeralContainers)];
  let container = query.get('container') ?? '';
  if (container === '') {
    const preferred = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
    if (containers.length === 1) container = containers[0]!;
    else if (containers.length === 0) throw badRequest(`a container name must be specified for pod ${name}`);
    else if (preferred && containers.includes(preferred)) container = preferred;
    else
      throw badRequest(
        `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`,
      );
  } else if (!all.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  const causes: StatusCause[] = [];
  const tailLines = queryInt(query, 'tailLines');
  const limitBytes = queryInt(query, 'limitBytes');
  const sinceSeconds = queryInt(query, 'sinceSeconds');
  const sinceTime = query.get('sinceTime');
  if (tailLines !== undefined && tailLines < 0)
    causes.push({
      field: 'tailLines',
      message: 'Invalid value: ' + tailLines + ': must be greater than or equal to 0',
    });
  if (limitBytes !== undefined && limitBytes < 1)
    causes.push({
      field: 'limitBytes',
      message: 'Invalid value: ' + limitBytes + ': must be greater than 0',
    });
  if (sinceSeconds !== undefined && sinceTime)
    causes.push({
      field: '',
      reason: 'FieldValueForbidden',
      message: 'Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified',
    });
  if (sinceSeconds !== undefined && sinceSeconds < 1)
    causes.push({
      field: 'sinceSeconds',
      message: 'Invalid value: ' + sinceSeconds + ': must be greater than 0',
    });
  let sinceMs: number | undefined;
  if (sinceTime) {
    sinceMs = Date.parse(sinceTime);
    if (Number.isNaN(sinceMs)) throw badRequest(`parsing time "${sinceTime}" as RFC 3339 failed`);
  } else if (sinceSeconds !== undefined) sinceMs = now - sinceSeconds * 1000;
  if (causes.length > 0) throw invalid('PodLogOptions', name, causes);
  return {
    container,
    previous: queryFlag(query, 'previous'),
    follow: queryFlag(query, 'follow'),
    timestamps: queryFlag(query, 'timestamps'),
    tailLines,
    sinceMs,
    limitBytes,
  };
}

function containerStatus(pod: KubeObject, container: string): ContainerStatus | undefined {
  const status = (pod.status ?? {}) as {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    ephemeralContainerStatuses?: ContainerStatus[];
  };
  return [
    ...(status.containerStatuses ?? []),
    ...(status.initContainerStatuses ?? []),
    ...(status.ephemeralContainerStatuses ?? []),
  ].find((s) => s.name === container);
}

/** The kubelet's refusal for a container in its current state, if it would refuse. */
export function kubeletRefusal(pod: KubeObject, request: LogRequest): ApiStatusError | undefined {
  const podName = pod.metadata.name ?? '';
  const c = request.container;
  const found = containerStatus(pod, c);
  if (!found)
    return badRequest(`container "${c}" in pod "${podName}" is waiting to start: ContainerCreating`);
  const { state = {}, lastState = {} } = found;
  if (request.previous) {
    if (!lastState.terminated)
      return badRequest(`previous terminated container "${c}" in pod "${podName}" not found`);
    return undefined;
  }
  if (state.running || state.terminated) return undefined;
  if (lastState.terminated) return undefined;
  const reason = state.waiting?.reason;
  if (reason === 'ErrImagePull')
    return badRequest(`container "${c}" in pod "${podName}" is waiting to start: image can't be pulled`);
  if (reason === 'ImagePullBackOff')
    return badRequest(
      `container "${c}" in pod "${podName}" is waiting to start: trying and failing to pull image`,
    );
  if (reason) return badRequest(`container "${c}" in pod "${podName}" is waiting to start: ${reason}`);
  return badRequest(`container "${c}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** RFC 3339 with nine fraction digits, as the kubelet stamps log lines. */
export function logTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

function format(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${logTimestamp(line.ts)} ${line.text}\n` : `${line.text}\n`;
}

/** Applies since, tail and limit to the lines of one instance and renders them. */
export function renderLines(lines: readonly LogLine[], request: LogRequest): string {
  let selected = request.sinceMs !== undefined ? lines.filter((l) => l.ts >= request.sinceMs!) : [...lines];
  if (request.tailLines !== undefined)
    selected = request.tailLines === 0 ? [] : selected.slice(-request.tailLines);
  const text = selected.map((l) => format(l, request.timestamps)).join('');
  if (request.limitBytes === undefined) return text;
  return Buffer.from(text).subarray(0, request.limitBytes).toString('utf8');
}

/**
 * Writes the log response: the lines so far, then (with follow, on the current instance) new
 * lines until the container ends, the pod goes away or the client leaves.
 */
export function serveLogs(
  res: ServerResponse,
  source: PodLogSource,
  pod: KubeObject,
  request: LogRequest,
  onStop: (stop: () => void) => void,
): void {
  const ns = pod.metadata.namespace ?? 'default';
  const name = pod.metadata.name ?? '';
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) {
    // Not scheduled: the API server has no kubelet to ask and answers with an empty body.
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 0 });
    res.end();
    return;
  }
  const refusal = kubeletRefusal(pod, request);
  if (refusal) throw refusal;
  const status = containerStatus(pod, request.container);
  // A container waiting to restart has no current instance: the kubelet shows the last one.
  const lastInstance =
    request.previous ||
    (!status?.state?.running && !status?.state?.terminated && Boolean(status?.lastState?.terminated));
  const lines = source.lines(ns, name, request.container, lastInstance);
  if (!lines) {
    throw request.previous
      ? badRequest(`previous terminated container "${request.container}" in pod "${name}" not found`)
      : badRequest(`container "${request.container}" in pod "${name}" is waiting to start - no logs yet`);
  }
  const initial = renderLines(lines, request);
  const running = Boolean(status?.state?.running);
  if (!request.follow || request.previous || !running) {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(initial) });
    res.end(initial);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  let sent = Buffer.byteLength(initial);
  if (initial) res.write(initial);
  let ended = false;
  const following: { stop?: () => void } = {};
  const end = (): void => {
    if (ended) return;
    ended = true;
    following.stop?.();
    if (!res.writableEnded) res.end();
  };
  following.stop = source.follow(
    ns,
    name,
    request.container,
    (line) => {
      if (ended) return;
      if (request.sinceMs !== undefined && line.ts < request.sinceMs) return;
      let text = format(line, request.timestamps);
      if (request.limitBytes !== undefined) {
        const left = request.limitBytes - sent;
        if (left <= 0) return end();
        text = Buffer.from(text).subarray(0, left).toString('utf8');
      }
      sent += Buffer.byteLength(text);
      res.write(text);
      if (request.limitBytes !== undefined && sent >= request.limitBytes) end();
    },
    end,
  );
  // The source may have ended the instance while we subscribed.
  if (ended) following.stop();
  res.on('close', end);
  onStop(end);
}
