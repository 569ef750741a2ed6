// Records the watch pipeline keeps: crashes, event occurrences, abnormal-pod periods.

export interface WarningEventSummary {
  readonly reason: string;
  readonly message: string;
  readonly count: number;
  readonly lastAt: number;
}

export type LogStatus = 'pending' | 'ok' | 'unavailable';

export interface CrashRecord {
  readonly id: number;
  readonly cluster: string;
  readonly podUid: string;
  readonly namespace: string;
  readonly pod: string;
  readonly container: string;
  readonly containerType: string;
  readonly restartCount: number;
  /** Restarts this record stands for; more than 1 when Lookout could not see some of them. */
  readonly covers: number;
  readonly reason: string;
  readonly exitCode: number;
  readonly signal: number | null;
  readonly message: string | null;
  readonly startedAt: number | null;
  readonly finishedAt: number | null;
  readonly node: string | null;
  readonly workloadKind: string | null;
  readonly workload: string | null;
  /** The container has a liveness probe (an exit 137 may be the kubelet's kill). */
  readonly livenessProbe: boolean;
  readonly logTail: string | null;
  readonly logStatus: LogStatus;
  readonly logError: string | null;
  readonly logTruncated: boolean;
  readonly warningEvents: WarningEventSummary[];
  readonly observedAt: number;
}

export interface EventOccurrence {
  readonly id: number;
  readonly cluster: string;
  readonly eventUid: string;
  /** This row covers counts countFrom..countTo of the Event (usually one). */
  readonly countFrom: number;
  readonly countTo: number;
  readonly namespace: string;
  readonly name: string;
  readonly reason: string;
  readonly type: string;
  readonly message: string;
  readonly involved: {
    kind: string;
    name: string;
    namespace: string | null;
    uid: string | null;
    fieldPath: string | null;
  };
  readonly source: string;
  readonly host: string | null;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly observedAt: number;
}

export interface AbnormalPeriod {
  readonly id: number;
  readonly cluster: string;
  readonly podUid: string;
  readonly namespace: string;
  readonly pod: string;
  /** '' when the reason concerns the whole pod. */
  readonly container: string;
  readonly reason: string;
  readonly message: string | null;
  readonly beganAt: number;
  readonly endedAt: number | null;
}
