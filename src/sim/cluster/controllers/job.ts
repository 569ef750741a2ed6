// The Job controller: runs pods until `completions` succeed (at most `parallelism` at once),
// replaces failed pods after an exponential back-off, and gives up with a Failed condition
// (BackoffLimitExceeded) once failures pass `backoffLimit`; a finished Job gets Complete,
// completionTime and a "Job completed" event.
import { ApiStatusError } from '../../status-error.js';
import type { SimContext } from '../context.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { refTo } from '../events/event-writer.js';
import {
  controllerRef,
  controllerUid,
  findCondition,
  isActivePod,
  isPodReady,
  keyOf,
  splitKey,
  type JobObject,
  type PodObject,
} from '../kinds.js';
import { podFromTemplate } from '../pods.js';
import type { WorkQueue } from '../work-queue.js';

const BACKOFF_MS = 10_000;
const BACKOFF_MAX_MS = 360_000;

export class JobController {
  readonly #ctx: SimContext;
  readonly #queue: WorkQueue;
  readonly #events: EventRecorder;
  /** Pods already counted as succeeded/failed, per job uid (the job-tracking finalizer's job). */
  readonly #counted = new Map<string, { succeeded: Set<string>; failed: Set<string>; lastFailure: number }>();

  constructor(ctx: SimContext) {
    this.#ctx = ctx;
    this.#events = ctx.recorder({ component: 'job-controller' });
    this.#queue = ctx.queue('job', (key) => this.sync(key));
    ctx.cache.on('batch/jobs', (e) => {
      if (e.type === 'DELETED') this.#counted.delete(e.object.metadata.uid ?? '');
      else this.#queue.add(keyOf(e.object));
    });
    ctx.cache.on('pods', (e) => {
      for (const obj of [e.object, e.previous]) {
        const uid = obj && controllerUid(obj);
        const owner = uid ? ctx.cache.byUid(uid) : undefined;
        if (owner?.resource === 'batch/jobs') this.#queue.add(keyOf(owner.object));
      }
    });
  }

  sync(key: string): void {
    const { namespace, name } = splitKey(key);
    const job = this.#ctx.cache.get<JobObject>('batch/jobs', namespace, name);
    if (!job || job.metadata.deletionTimestamp) return;
    const uid = job.metadata.uid ?? '';
    const pods = this.#ctx.cache.ownedPods(uid);
    const finished = job.status?.conditions?.some(
      (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
    );
    if (finished && job.spec.ttlSecondsAfterFinished !== undefined) {
      // The TTL-after-finished controller: the Job (and, by garbage collection, its pods) goes.
      const done = job.status?.conditions?.find(
        (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
      );
      const at =
        Date.parse(done?.lastTransitionTime ?? '') +
        this.#ctx.scaled(job.spec.ttlSecondsAfterFinished * 1000);
      const wait = at - this.#ctx.now();
      if (wait > 0) this.#queue.addAfter(key, wait);
      else {
        try {
          this.#ctx.store.delete('batch/jobs', namespace, name);
        } catch (error) {
          if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
        }
      }
      return;
    }
    const tally = this.#counted.get(uid) ?? {
      succeeded: new Set<string>(),
      failed: new Set<string>(),
      lastFailure: 0,
    };
    this.#counted.set(uid, tally);
    for (const pod of pods) {
      const podUid = pod.metadata.uid ?? '';
      if (pod.status?.phase === 'Succeeded') tally.succeeded.add(podUid);
      if (pod.status?.phase === 'Failed' && !tally.failed.has(podUid)) {
        tally.failed.add(podUid);
        tally.lastFailure = this.#ctx.now();
      }
    }
    const succeeded = Math.max(tally.succeeded.size, job.status?.succeeded ?? 0);
    const failed = Math.max(tally.failed.size, job.status?.failed ?? 0);
    const active = pods.filter(isActivePod);
    const completions = job.spec.completions ?? 1;
    const parallelism = job.spec.parallelism ?? 1;
    const backoffLimit = job.spec.backoffLimit ?? 6;
    const now = this.#ctx.nowText();
    const conditions = [...(job.status?.conditions ?? [])];
    let completionTime = job.status?.completionTime;

    if (!finished) {
      if (failed > backoffLimit) {
        for (const pod of active) this.#deletePod(pod);
        conditions.push(
          {
            type: 'FailureTarget',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
          {
            type: 'Failed',
            status: 'True',
            reason: 'BackoffLimitExceeded',
            message: 'Job has reached the specified backoff limit',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
        );
        this.#events.event(
          refTo(job),
          'Warning',
          'BackoffLimitExceeded',
          'Job has reached the specified backoff limit',
        );
      } else if (succeeded >= completions) {
        conditions.push(
          {
            type: 'SuccessCriteriaMet',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
          {
            type: 'Complete',
            status: 'True',
            reason: 'CompletionsReached',
            message: 'Reached expected number of succeeded pods',
            lastProbeTime: now,
            lastTransitionTime: now,
          },
        );
        completionTime = now;
        this.#events.event(refTo(job), 'Normal', 'Completed', 'Job completed');
      } else if (!job.spec.suspend) {
        this.#startPods(
          job,
          key,
          Math.min(parallelism, completions - succeeded) - active.length,
          failed,
          tally.lastFailure,
        );
      }
    }
    const live = this.#ctx.cache.ownedPods(uid).filter(isActivePod);
    const status: Record<string, unknown> = {
      ...(job.status ?? {}),
      startTime: job.status?.startTime ?? now,
      active: live.length,
      ready: live.filter(isPodReady).length,
      succeeded,
      failed,
      terminating: pods.filter((p) => p.metadata.deletionTimestamp).length,
      uncountedTerminatedPods: {},
      ...(conditions.length > 0 ? { conditions } : {}),
      ...(completionTime ? { completionTime } : {}),
    };
    for (const k of ['active', 'succeeded', 'failed']) if (!status[k]) delete status[k];
    if (findCondition(conditions, 'Complete') || findCondition(conditions, 'Failed')) delete status.active;
    if (JSON.stringify(status) === JSON.stringify(job.status ?? {})) return;
    this.#ctx.store.mutate(
      'batch/jobs',
      job.metadata.namespace,
      job.metadata.name ?? '',
      (obj) => {
        (obj as JobObject).status = status;
      },
      { subresource: 'status' },
    );
  }

  /** Creates `want` pods, after the back-off that follows the last failure. */
  #startPods(job: JobObject, key: string, want: number, failed: number, lastFailure: number): void {
    if (want <= 0) return;
    const delay = failed > 0 ? Math.min(BACKOFF_MS * 2 ** (failed - 1), BACKOFF_MAX_MS) : 0;
    const wait = lastFailure + this.#ctx.scaled(delay) - this.#ctx.now();
    if (wait > 0) this.#queue.addAfter(key, wait);
    else for (let i = 0; i < want; i++) this.#createPod(job);
  }

  #createPod(job: JobObject): void {
    const uid = job.metadata.uid ?? '';
    const jobName = job.metadata.name ?? '';
    const pod = podFromTemplate(job.spec.template, {
      namespace: job.metadata.namespace ?? 'default',
      generateName: `${jobName}-`,
      owner: controllerRef(job),
      extraLabels: {
        'batch.kubernetes.io/controller-uid': uid,
        'batch.kubernetes.io/job-name': jobName,
        'controller-uid': uid,
        'job-name': jobName,
      },
    });
    const created = this.#ctx.store.create('pods', pod);
    this.#events.event(refTo(job), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
  }

  #deletePod(pod: PodObject): void {
    try {
      this.#ctx.store.delete('pods', pod.metadata.namespace, pod.metadata.name ?? '');
    } catch (error) {
      if (!(error instanceof ApiStatusError && error.code === 404)) throw error;
    }
  }
}
