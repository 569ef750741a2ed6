// Turns a container termination (reason, exit code, signal, probe kill) into plain words: what
// most likely happened and what to look at next. The rule pack puts the result in the `hint` annotation.

/** What Kubernetes reported about a container's last termination, plus what the watcher inferred. */
export interface Termination {
  /** `lastState.terminated.reason`: OOMKilled, Error, Completed, ContainerCannotRun, StartError, … */
  readonly reason?: string | undefined;
  readonly exitCode?: number | undefined;
  /** `lastState.terminated.signal`, when the runtime reports one (often 0 or absent). */
  readonly signal?: number | undefined;
  /** The kubelet restarted the container because its liveness probe failed (seen in the pod's events). */
  readonly livenessProbeFailed?: boolean | undefined;
  /** The kubelet restarted the container because its startup probe failed. */
  readonly startupProbeFailed?: boolean | undefined;
  /** The container's memory limit as written in the spec (`512Mi`), for the OOM explanation. */
  readonly memoryLimit?: string | undefined;
  /** `lastState.terminated.message` (the termination message file or runtime error). */
  readonly message?: string | undefined;
}

export interface Explanation {
  /** A short key for what happened: `oom`, `liveness-probe`, `exit-1`, `signal-11`, … */
  readonly cause: string;
  /** What most likely happened, in one or two sentences. */
  readonly summary: string;
  /** Where to look next. */
  readonly next: string;
  /** `summary` and `next` as one text, ready for the `hint` annotation. */
  readonly text: string;
}

const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  5: 'SIGTRAP',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/** The name of a Linux signal number (`SIGKILL`), or `signal N` for the rare ones. */
export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
}

function explanation(cause: string, summary: string, next: string): Explanation {
  return { cause, summary, next, text: `${summary} Next: ${next}` };
}

/**
 * Explains a termination. The order of the checks matters: a probe kill and an OOM kill both
 * end with SIGKILL (exit 137), so the reason and the probe flag win over the bare exit code.
 */
export function explainTermination(t: Termination): Explanation {
  const reason = t.reason ?? '';
  const code = t.exitCode;
  const limit = t.memoryLimit ? ` of ${t.memoryLimit}` : '';

  if (reason === 'OOMKilled') {
    return explanation(
      'oom',
      `The container used more memory than its limit${limit}, so the kernel's OOM killer stopped it.`,
      'compare its memory use with the limit (the memory chart or `lookout top`), then raise `resources.limits.memory` or find what grows; a runtime heap sized above the limit (JVM -Xmx, Node --max-old-space-size) does this too.',
    );
  }
  if (t.livenessProbeFailed) {
    return explanation(
      'liveness-probe',
      'The kubelet restarted the container because its liveness probe kept failing.',
      "check that the probe's endpoint answers within `timeoutSeconds`, and the log lines just before the kill; a slow start needs a `startupProbe` or a larger `initialDelaySeconds`, and a probe that checks other services restarts healthy pods when those fail.",
    );
  }
  if (t.startupProbeFailed) {
    return explanation(
      'startup-probe',
      'The kubelet restarted the container because it did not pass its startup probe in time.',
      'compare how long the application takes to start (its log) with `failureThreshold` × `periodSeconds` of the startup probe, and check the endpoint the probe calls.',
    );
  }
  if (reason === 'ContainerCannotRun' || reason === 'StartError' || reason === 'CreateContainerError') {
    return explanation(
      'cannot-run',
      `The container runtime could not start the process${t.message ? `: ${t.message.trim()}` : '.'}`,
      'check the entrypoint and command exist in the image, the volume mounts and the security context (user, read-only root file system).',
    );
  }
  if (reason === 'DeadlineExceeded') {
    return explanation(
      'deadline',
      'The pod ran longer than its `activeDeadlineSeconds` and Kubernetes stopped it.',
      'see why the work took so long (its log), or raise the deadline of the Job or pod.',
    );
  }
  if (reason === 'Evicted') {
    return explanation(
      'evicted',
      'The kubelet evicted the pod because its node ran short of memory, disk or process ids.',
      "check the node's conditions and the pod's requests: pods using more than they request are evicted first.",
    );
  }
  if (code === undefined) {
    const signal = t.signal;
    if (signal !== undefined && signal > 0) return explainSignal(signal);
    return explanation(
      'unknown',
      `The container stopped${reason ? ` (${reason})` : ''} without an exit code.`,
      'read the last log lines and the pod’s events.',
    );
  }
  return explainExitCode(code, reason);
}

function explainExitCode(code: number, reason: string): Explanation {
  switch (code) {
    case 0:
      return explanation(
        'exit-0',
        'The process finished successfully (exit code 0), and the pod’s restart policy started it again.',
        'a container that should keep running ended its main loop: check the command and args; one-off work belongs in a Job.',
      );
    case 1:
      return explanation(
        'exit-1',
        'The application stopped with a general error (exit code 1).',
        'read the last log lines: usually an uncaught exception, or a failed start-up (bad configuration, a database or service it could not reach, a missing secret).',
      );
    case 2:
      return explanation(
        'exit-2',
        'The process rejected how it was started (exit code 2: usually invalid arguments or a shell usage error).',
        "check the container's `command` and `args` against what the program accepts.",
      );
    case 126:
      return explanation(
        'exit-126',
        'The command was found but could not be executed (exit code 126: permission denied or not an executable).',
        'check the file mode of the entrypoint (+x), a script’s first line (#!), and volumes mounted with noexec.',
      );
    case 127:
      return explanation(
        'exit-127',
        'The command was not found (exit code 127).',
        'check the spelling of `command`/`args`, PATH, and that the binary exists in this image (a different tag, or a distroless image without a shell).',
      );
    case 128:
      return explanation(
        'exit-128',
        'The process ended with exit code 128 (an invalid exit argument, or the runtime failed to start it).',
        'read the last log lines and the pod’s events.',
      );
    case 255:
      return explanation(
        'exit-255',
        'The process ended with exit code 255 (an error status outside the usual range, often a fatal start-up error).',
        'read the last log lines; some runtimes report "exec format error" this way when the image is built for another CPU architecture.',
      );
    default:
      break;
  }
  if (code > 128 && code < 160) return explainSignal(code - 128, reason);
  return explanation(
    `exit-${code}`,
    `The application stopped with exit code ${code}${reason && reason !== 'Error' ? ` (${reason})` : ''}.`,
    'the meaning of this code is the application’s own: read the last log lines and its documentation.',
  );
}

function explainSignal(signal: number, reason = ''): Explanation {
  const code = 128 + signal;
  switch (signal) {
    case 9:
      return explanation(
        'signal-9',
        `The process was killed with SIGKILL (exit code ${code}) but not reported as OOMKilled: the kubelet killed it after the grace period (a failed liveness probe, or a stop that did not finish in time), the node ran out of memory, or a process inside killed it.`,
        'look in the pod\'s events for "Liveness probe failed" or "Killing", check that the application stops on SIGTERM within `terminationGracePeriodSeconds`, and check the node\'s memory pressure.',
      );
    case 15:
      return explanation(
        'signal-15',
        `The process was asked to stop with SIGTERM (exit code ${code}): usually an orderly stop for a rollout, scale-down, eviction or deletion, otherwise a liveness probe kill.`,
        'check recent rollouts and the pod’s events; if nobody meant to stop it, look for failed probes.',
      );
    case 11:
      return explanation(
        'signal-11',
        `The process crashed with a segmentation fault (SIGSEGV, exit code ${code}).`,
        'this is a native crash: check native libraries and extensions, an image built for another CPU architecture, and the log lines just before the crash.',
      );
    case 6:
      return explanation(
        'signal-6',
        `The process aborted itself (SIGABRT, exit code ${code}): a failed assertion, a fatal runtime error, or out of memory inside the runtime.`,
        'read the last log lines for the assertion or fatal error message.',
      );
    case 7:
      return explanation(
        'signal-7',
        `The process crashed with a bus error (SIGBUS, exit code ${code}).`,
        'often a memory-mapped file on a full or vanished volume (check /dev/shm size and the volumes), or a hardware fault on the node.',
      );
    case 2:
      return explanation(
        'signal-2',
        `The process was interrupted with SIGINT (exit code ${code}).`,
        'something sent it an interrupt: check scripts or sidecars that signal the process.',
      );
    default:
      return explanation(
        `signal-${signal}`,
        `The process was ended by ${signalName(signal)} (exit code ${code})${reason && reason !== 'Error' ? `, reason ${reason}` : ''}.`,
        'read the last log lines and the pod’s events for what sent the signal.',
      );
  }
}
