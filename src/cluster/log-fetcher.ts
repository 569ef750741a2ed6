// Reads a container instance's log tail — for crashes, the lines written just before it ended.
import { KubeApiError } from '../lib/errors.js';
import type { KubeClient } from './kube-client.js';

export interface LogTail {
  readonly text: string;
  /** Bytes were cut from the start to respect the size cap. */
  readonly truncated: boolean;
}

export interface LogTailOptions {
  readonly tailLines: number;
  readonly maxBytes: number;
}

/** Why a log could not be read: `retry` when waiting may help (the kubelet is not there yet). */
export class LogUnavailableError extends Error {
  readonly retry: boolean;
  constructor(message: string, retry: boolean) {
    super(message);
    this.name = 'LogUnavailableError';
    this.retry = retry;
  }
}

/** The log tail of a container instance: the current one, or with `previous` the last terminated one. */
export async function fetchLogTail(
  client: KubeClient,
  target: { namespace: string; pod: string; container: string; previous: boolean },
  options: LogTailOptions,
  signal?: AbortSignal,
): Promise<LogTail> {
  const path = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/log`;
  let text: string;
  try {
    // limitBytes cuts the *end* of the output, which holds the crash: ask for generously more
    // than the cap and cut the start ourselves.
    text = await client.getText(
      path,
      {
        container: target.container,
        previous: target.previous,
        tailLines: options.tailLines,
        limitBytes: options.maxBytes * 4,
      },
      signal,
    );
  } catch (error) {
    if (error instanceof KubeApiError) {
      if (error.status === 404)
        throw new LogUnavailableError('the pod was deleted before its logs could be read', false);
      if (error.status === 400) throw new LogUnavailableError(error.message, true);
      if (error.status === 401 || error.status === 403)
        throw new LogUnavailableError(`not allowed to read logs: ${error.message}`, false);
      throw new LogUnavailableError(error.message, error.retryable);
    }
    throw error;
  }
  const bytes = Buffer.byteLength(text);
  if (bytes <= options.maxBytes) return { text, truncated: false };
  const buffer = Buffer.from(text);
  let cut = buffer.subarray(bytes - options.maxBytes).toString('utf8');
  const newline = cut.indexOf('\n');
  if (newline >= 0 && newline < cut.length - 1) cut = cut.slice(newline + 1);
  return { text: cut, truncated: true };
}
