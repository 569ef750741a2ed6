// What the simulated API server (server/) needs from the simulated cluster (cluster
// behaviour: kubelet, controllers, usage model), so the two halves meet at plain interfaces.
import type { KubeObject } from './object-store.js';

/** One line a container wrote, with the time it wrote it (epoch ms). */
export interface LogLine {
  readonly ts: number;
  readonly text: string;
}

/** What `GET …/pods/{name}/log` reads. The kubelet simulation keeps the logs. */
export interface PodLogSource {
  /**
   * The lines of the current (or, with `previous`, the last terminated) instance of a
   * container; undefined when there is no such instance (the server answers 400 then, as
   * the kubelet does: `previous terminated container "c" in pod "p" not found`).
   */
  lines(namespace: string, pod: string, container: string, previous: boolean): readonly LogLine[] | undefined;
  /**
   * Follows the current instance: `onLine` for each new line, `onEnd` when it terminates or
   * the pod goes away. Returns the function that stops following.
   */
  follow(
    namespace: string,
    pod: string,
    container: string,
    onLine: (line: LogLine) => void,
    onEnd: () => void,
  ): () => void;
}

/** What `metrics.k8s.io/v1beta1` serves: NodeMetrics and PodMetrics objects in wire form. */
export interface MetricsSource {
  nodeMetrics(): KubeObject[];
  /** All pods' metrics, or one namespace's. */
  podMetrics(namespace?: string): KubeObject[];
}

/** Ground truth the simulator keeps of what happened, for tests that check nothing was lost. */
export interface SimJournal {
  /** Every container restart: one entry per (pod uid, container, restartCount). */
  readonly crashes: ReadonlyArray<{
    readonly podUid: string;
    readonly namespace: string;
    readonly pod: string;
    readonly container: string;
    readonly restartCount: number;
    readonly reason: string;
    readonly exitCode: number;
    readonly at: number;
  }>;
  /** Every Event occurrence: the Event's uid and the count it reached (1 for a new Event). */
  readonly eventOccurrences: ReadonlyArray<{
    readonly uid: string;
    readonly namespace: string;
    readonly reason: string;
    readonly count: number;
    readonly at: number;
  }>;
}
