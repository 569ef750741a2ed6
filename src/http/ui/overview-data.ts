// A cluster at a glance: nodes ready, pods by phase, abnormal pods with their reasons, recent
// crashes and firing alerts. The overview page, its live refresh and /api/v1/overview share it.
import type { AlertingView } from '../../alerting/alerting.js';
import type { AbnormalPeriod, CrashRecord } from '../../domain/history.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import { queryCrashes } from '../../store/repos/crash-repo.js';
import { queryAbnormal } from '../../store/repos/pod-history-repo.js';
import { countCrashesSince } from '../../store/repos/web-repo.js';
import type { Store } from '../../store/store.js';

export interface OverviewAlert {
  readonly fingerprint: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly state: 'active' | 'suppressed';
}

export interface OverviewSummary {
  readonly cluster: string;
  readonly at: number;
  /** False until the cluster's state is known (the watch has not synced yet). */
  readonly watching: boolean;
  readonly nodes: {
    readonly total: number;
    readonly ready: number;
    readonly notReady: ReadonlyArray<{ readonly name: string; readonly problems: readonly string[] }>;
    /** Ready nodes with a pressure condition or cordoned. */
    readonly troubled: ReadonlyArray<{ readonly name: string; readonly problems: readonly string[] }>;
  };
  readonly pods: { readonly total: number; readonly byPhase: Readonly<Record<string, number>> };
  readonly abnormal: { readonly total: number; readonly items: readonly AbnormalPeriod[] };
  readonly crashes: {
    /** Crashes in the last 24 hours. */
    readonly lastDay: number;
    readonly recent: ReadonlyArray<Omit<CrashRecord, 'logTail' | 'warningEvents'>>;
  };
  readonly alerts: { readonly firing: readonly OverviewAlert[]; readonly suppressed: number };
}

export interface OverviewSources {
  readonly store: Store;
  readonly state: ClusterStateView | undefined;
  readonly alerting: AlertingView;
  readonly now: number;
}

const PHASES = ['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'];
const ABNORMAL_SHOWN = 100;

function nodeProblems(
  conditions: Readonly<Record<string, { status: string; reason?: string | undefined }>>,
): string[] {
  const out: string[] = [];
  for (const [type, cond] of Object.entries(conditions)) {
    if (type === 'Ready') {
      if (cond.status !== 'True') out.push(`Ready=${cond.status}${cond.reason ? ` (${cond.reason})` : ''}`);
    } else if (cond.status === 'True') {
      out.push(type);
    }
  }
  return out;
}

export async function overviewSummary(cluster: string, src: OverviewSources): Promise<OverviewSummary> {
  const { store, state, alerting, now } = src;
  const nodes = state?.nodes() ?? [];
  const notReady: Array<{ name: string; problems: string[] }> = [];
  const troubled: Array<{ name: string; problems: string[] }> = [];
  for (const n of nodes) {
    const problems = nodeProblems(n.conditions);
    if (n.unschedulable) problems.push('cordoned');
    if (!n.ready) notReady.push({ name: n.name, problems });
    else if (problems.length > 0) troubled.push({ name: n.name, problems });
  }
  const byPhase: Record<string, number> = Object.fromEntries(PHASES.map((p) => [p, 0]));
  const pods = state?.pods() ?? [];
  for (const p of pods) byPhase[p.phase] = (byPhase[p.phase] ?? 0) + 1;

  const abnormal = await queryAbnormal(store.db, { cluster, open: true, limit: 5000 });
  const recent = await queryCrashes(store.db, store.dialect, { cluster, limit: 10 });
  const lastDay = await countCrashesSince(store.db, cluster, now - 24 * 3600_000);

  const firing: OverviewAlert[] = [];
  let suppressed = 0;
  for (const a of alerting.alerts()) {
    if (a.endsAt <= now) continue;
    if (a.labels.cluster !== undefined && a.labels.cluster !== cluster) continue;
    const status = alerting.statusOf(a, now);
    if (status.state === 'suppressed') {
      suppressed++;
      continue;
    }
    firing.push({
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      startsAt: a.startsAt,
      state: status.state,
    });
  }
  firing.sort(
    (x, y) => severityRank(x.labels.severity) - severityRank(y.labels.severity) || y.startsAt - x.startsAt,
  );

  return {
    cluster,
    at: now,
    watching: state !== undefined,
    nodes: { total: nodes.length, ready: nodes.length - notReady.length, notReady, troubled },
    pods: { total: pods.length, byPhase },
    abnormal: { total: abnormal.items.length, items: abnormal.items.slice(0, ABNORMAL_SHOWN) },
    crashes: {
      lastDay,
      recent: recent.items.map(({ logTail: _l, warningEvents: _w, ...rest }) => rest),
    },
    alerts: { firing, suppressed },
  };
}

function severityRank(severity: string | undefined): number {
  return severity === 'critical' ? 0 : severity === 'warning' ? 1 : severity === 'info' ? 3 : 2;
}
