// The alerting engine's state machine, free of I/O: alerts, aggregation groups and their timers,
// the notification log, inhibition and silences. Callers plan a change, persist it, then apply it.
import { createHash } from 'node:crypto';
import type { Labels } from '../domain/alert.js';
import type { OutboxItem } from '../store/repos/outbox-repo.js';
import { nextAlertState, type AlertRecord } from './alert-record.js';
import { notificationDue, type NflogEntry } from './dedup.js';
import { Inhibitor } from './inhibitor.js';
import { compareAlertLabels, labelSetString } from './label-set.js';
import { buildNotification } from './notification-builder.js';
import { groupLabelsFor, matchRoutes, walkRoutes, type RouteNode } from './route.js';
import type { AlertingSetup } from './setup.js';
import { SilenceSet, type Silence } from './silence.js';
import { inTimeIntervals } from './time-interval.js';
import { TimerHeap } from './timer-heap.js';

/** Resolved alerts no group holds any more are forgotten (in memory) this long after their end. */
export const RESOLVED_ALERT_MEMORY_MS = 30 * 60_000;

/** An aggregation group: one route and one set of group-label values. */
export interface GroupState {
  /** Stable id for the store (a hash of route id and group labels). */
  readonly id: string;
  readonly localKey: string;
  readonly route: RouteNode;
  readonly labels: Labels;
  /** Alertmanager's group key. */
  readonly groupKey: string;
  readonly createdAt: number;
  nextFlushAt: number;
  hasFlushed: boolean;
  lastFlushAt: number | undefined;
  readonly alerts: Map<string, AlertRecord>;
}

/** A group as the store keeps it. */
export interface GroupRow {
  readonly id: string;
  readonly routeId: string;
  readonly groupKey: string;
  readonly receiver: string;
  readonly labels: Labels;
  readonly createdAt: number;
  readonly nextFlushAt: number;
  readonly hasFlushed: boolean;
  readonly lastFlushAt: number | undefined;
}

/** A notification-log entry with its identity, as the store keeps it. */
export interface NflogRow {
  /** Hash of receiver, integration, index and group key. */
  readonly key: string;
  readonly receiver: string;
  readonly integration: string;
  readonly integrationIndex: number;
  readonly groupKey: string;
  readonly entry: NflogEntry;
}

export interface IngestPlan {
  /** The alerts to store, merged with what was known, one per fingerprint. */
  readonly alerts: readonly AlertRecord[];
  readonly newGroups: readonly GroupRow[];
}

export interface GroupFlush {
  readonly group: GroupState;
  readonly outbox: readonly OutboxItem[];
  readonly nflog: readonly NflogRow[];
  /** Alerts resolved at flush time: dropped from the group once the flush is stored. */
  readonly resolved: readonly AlertRecord[];
  /** The group's row after the flush; undefined when there is nothing worth storing. */
  readonly row: GroupRow | undefined;
}

export interface FlushPlan {
  readonly now: number;
  readonly groups: readonly GroupFlush[];
}

export interface AlertStatusView {
  readonly state: 'active' | 'suppressed';
  readonly silencedBy: readonly string[];
  readonly inhibitedBy: readonly string[];
}

interface Placement {
  readonly route: RouteNode;
  readonly localKey: string;
  readonly labels: Labels;
  readonly labelsText: string;
}

/**
 * The groups an alert lands in. Alerts that land in the same groups share one list (most alerts
 * of a group do), so an alert keeps no placement objects of its own; `users` counts the alerts
 * that hold the list, which is dropped with the last of them.
 */
interface PlacementList {
  readonly key: string;
  readonly placements: readonly Placement[];
  users: number;
}

export interface MaintenanceResult {
  readonly removedGroups: readonly string[];
  readonly forgottenAlerts: readonly string[];
  readonly expiredNflog: readonly string[];
}

function sha1(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** The store key of a notification-log entry. */
export function nflogKey(receiver: string, integration: string, index: number, groupKey: string): string {
  return sha1(`${receiver}\u0000${integration}\u0000${index}\u0000${groupKey}`);
}

export class Dispatcher {
  readonly setup: AlertingSetup;
  readonly silences = new SilenceSet();
  readonly #alerts = new Map<string, AlertRecord>();
  /** By alert fingerprint. */
  readonly #placements = new Map<string, PlacementList>();
  /** The shared lists, by the local keys of their groups. */
  readonly #placementLists = new Map<string, PlacementList>();
  readonly #groups = new Map<string, GroupState>();
  readonly #nflog = new Map<string, NflogRow>();
  readonly #heap = new TimerHeap();
  readonly #inhibitor: Inhibitor;
  readonly #routesById = new Map<string, RouteNode>();

  constructor(setup: AlertingSetup) {
    this.setup = setup;
    this.#inhibitor = new Inhibitor(setup.inhibitRules);
    walkRoutes(setup.route, (r) => this.#routesById.set(r.id, r));
    for (const r of setup.implicitRoutes ?? []) this.#routesById.set(r.id, r);
  }

  // ---- reading -------------------------------------------------------------------------------

  get alertCount(): number {
    return this.#alerts.size;
  }

  get groupCount(): number {
    return this.#groups.size;
  }

  alerts(): IterableIterator<AlertRecord> {
    return this.#alerts.values();
  }

  alert(fingerprint: string): AlertRecord | undefined {
    return this.#alerts.get(fingerprint);
  }

  groups(): IterableIterator<GroupState> {
    return this.#groups.values();
  }

  nflogEntry(receiver: string, integration: string, index: number, groupKey: string): NflogEntry | undefined {
    return this.#nflog.get(nflogKey(receiver, integration, index, groupKey))?.entry;
  }

  /** The receivers an alert is routed to, in route order (duplicates kept, as Alertmanager does). */
  receiversOf(alert: AlertRecord): string[] {
    return this.#placementsOf(alert).map((p) => p.route.receiver);
  }

  /** Silenced and inhibited state at `now`, as the API shows it. */
  statusOf(alert: Pick<AlertRecord, 'labels'>, now: number): AlertStatusView {
    const silencedBy = this.silences.silencedBy(alert.labels, now);
    const inhibitor = this.#inhibitor.inhibitedBy(alert.labels, now);
    const inhibitedBy = inhibitor === undefined ? [] : [inhibitor];
    const suppressed = silencedBy.length > 0 || inhibitedBy.length > 0;
    return { state: suppressed ? 'suppressed' : 'active', silencedBy, inhibitedBy };
  }

  /** When the next group flush is due, or undefined when no group waits. */
  nextDueAt(): number | undefined {
    return this.#heap.peek();
  }

  // ---- ingest --------------------------------------------------------------------------------

  /** What storing these alerts means: merged records and the groups they open. */
  planIngest(records: readonly AlertRecord[], now: number): IngestPlan {
    const merged = new Map<string, AlertRecord>();
    for (const record of records) {
      const previous = merged.get(record.fingerprint) ?? this.#alerts.get(record.fingerprint);
      merged.set(record.fingerprint, nextAlertState(previous, record));
    }
    const newGroups = new Map<string, GroupRow>();
    for (const alert of merged.values()) {
      for (const p of this.#placementsOf(alert)) {
        if (this.#groups.has(p.localKey) || newGroups.has(p.localKey)) continue;
        newGroups.set(p.localKey, this.#newGroupRow(p, alert, now));
      }
    }
    return { alerts: [...merged.values()], newGroups: [...newGroups.values()] };
  }

  /** Applies a stored ingest plan to memory: alerts join their groups, timers start. */
  applyIngest(plan: IngestPlan, now: number): void {
    for (const row of plan.newGroups) this.#addGroup(row);
    for (const alert of plan.alerts) {
      this.#alerts.set(alert.fingerprint, alert);
      this.#inhibitor.observe(alert);
      for (const p of this.#placementsOf(alert)) {
        const group = this.#groups.get(p.localKey);
        if (group) this.#insert(group, alert, now);
      }
    }
  }

  #newGroupRow(p: Placement, alert: AlertRecord, now: number): GroupRow {
    const { route } = p;
    // Like Alertmanager: an alert whose group_wait is already over flushes a new group at once.
    const nextFlushAt = alert.startsAt + route.groupWait < now ? now : now + route.groupWait;
    return {
      id: sha1(p.localKey),
      routeId: route.id,
      groupKey: `${route.key}:${p.labelsText}`,
      receiver: route.receiver,
      labels: p.labels,
      createdAt: now,
      nextFlushAt,
      hasFlushed: false,
      lastFlushAt: undefined,
    };
  }

  #addGroup(row: GroupRow): GroupState | undefined {
    const route = this.#routesById.get(row.routeId);
    if (!route) return undefined;
    const localKey = `${route.id}\u0000${labelSetString(row.labels)}`;
    const group: GroupState = {
      id: row.id,
      localKey,
      route,
      labels: row.labels,
      groupKey: row.groupKey,
      createdAt: row.createdAt,
      nextFlushAt: row.nextFlushAt,
      hasFlushed: row.hasFlushed,
      lastFlushAt: row.lastFlushAt,
      alerts: new Map(),
    };
    this.#groups.set(localKey, group);
    this.#heap.push(group.nextFlushAt, localKey);
    return group;
  }

  #insert(group: GroupState, alert: AlertRecord, now: number): void {
    group.alerts.set(alert.fingerprint, alert);
    if (!group.hasFlushed && alert.startsAt + group.route.groupWait < now && group.nextFlushAt > now) {
      group.nextFlushAt = now;
      this.#heap.push(now, group.localKey);
    }
  }

  #placementsOf(alert: Pick<AlertRecord, 'fingerprint' | 'labels'>): readonly Placement[] {
    const known = this.#placements.get(alert.fingerprint);
    if (known) return known.placements;
    // Implicit routes act as first children with `continue: true`: they never stop the walk.
    const routes = [...(this.setup.implicitRoutes ?? []), ...matchRoutes(this.setup.route, alert.labels)];
    const placements = routes.map((route) => {
      const labels = groupLabelsFor(route, alert.labels);
      const labelsText = labelSetString(labels);
      return { route, labels, labelsText, localKey: `${route.id}\u0000${labelsText}` };
    });
    const key = placements.map((p) => p.localKey).join('\u0001');
    let list = this.#placementLists.get(key);
    if (!list) {
      list = { key, placements, users: 0 };
      this.#placementLists.set(key, list);
    }
    list.users++;
    this.#placements.set(alert.fingerprint, list);
    return list.placements;
  }

  #forgetPlacements(fingerprint: string): void {
    const list = this.#placements.get(fingerprint);
    if (!list) return;
    this.#placements.delete(fingerprint);
    if (--list.users === 0) this.#placementLists.delete(list.key);
  }

  // ---- flush ---------------------------------------------------------------------------------

  /**
   * Takes the groups whose timer has fired by `now` and moves each timer on by its
   * group_interval, keeping ticks aligned to the first flush (or to now, after a stall).
   */
  takeDue(now: number): GroupState[] {
    const due: GroupState[] = [];
    for (let at = this.#heap.peek(); at !== undefined && at <= now; at = this.#heap.peek()) {
      const entry = this.#heap.pop()!;
      const group = this.#groups.get(entry.key);
      if (!group || group.nextFlushAt !== entry.at) continue;
      due.push(group);
      group.hasFlushed = true;
      let next = entry.at + group.route.groupInterval;
      if (next <= now) next = now + group.route.groupInterval;
      group.nextFlushAt = next;
      this.#heap.push(next, group.localKey);
    }
    return due;
  }

  /** What flushing these groups at `now` sends and records (Alertmanager's notification pipeline). */
  planFlush(groups: readonly GroupState[], now: number): FlushPlan {
    return { now, groups: groups.map((g) => this.#planGroup(g, now)) };
  }

  #planGroup(group: GroupState, now: number): GroupFlush {
    const snapshot = [...group.alerts.values()].sort((a, b) => compareAlertLabels(a.labels, b.labels));
    const resolved = snapshot.filter((a) => a.endsAt <= now);
    const outbox: OutboxItem[] = [];
    const nflog: NflogRow[] = [];
    const alerts = this.#unmuted(group, snapshot, now);
    const receiver = this.setup.receivers.get(group.route.receiver);
    if (alerts.length > 0 && receiver) {
      const firing = new Set<string>();
      const resolvedSet = new Set<string>();
      for (const a of alerts) (a.endsAt <= now ? resolvedSet : firing).add(a.fingerprint);
      for (const integration of receiver.integrations) {
        const key = nflogKey(receiver.name, integration.kind, integration.index, group.groupKey);
        const reason = notificationDue(this.#nflog.get(key)?.entry, firing, resolvedSet, {
          sendResolved: integration.sendResolved,
          repeatIntervalMs: group.route.repeatInterval,
          now,
        });
        if (reason === undefined) continue;
        nflog.push({
          key,
          receiver: receiver.name,
          integration: integration.kind,
          integrationIndex: integration.index,
          groupKey: group.groupKey,
          entry: { firing, resolved: resolvedSet, timestamp: now, expiresAt: now + this.setup.retentionMs },
        });
        // Without send_resolved, an all-resolved group is only logged; otherwise only firing alerts go.
        if (!integration.sendResolved && firing.size === 0) continue;
        const sent = integration.sendResolved ? alerts : alerts.filter((a) => firing.has(a.fingerprint));
        outbox.push({
          receiver: receiver.name,
          integration: integration.kind,
          integrationIndex: integration.index,
          groupKey: group.groupKey,
          idempotencyKey: sha1(`${key}\u0000${now}`),
          notification: buildNotification({
            receiver: receiver.name,
            groupKey: group.groupKey,
            groupLabels: group.labels,
            alerts: sent,
            externalURL: this.setup.externalUrl,
            reason,
            now,
          }),
        });
      }
    }
    const worthStoring = outbox.length > 0 || nflog.length > 0 || resolved.length > 0;
    return {
      group,
      outbox,
      nflog,
      resolved,
      row: worthStoring ? this.#rowOf(group, now) : undefined,
    };
  }

  /** Inhibition, active and mute time intervals, then silences: the order of Alertmanager's stages. */
  #unmuted(group: GroupState, snapshot: readonly AlertRecord[], now: number): AlertRecord[] {
    if (snapshot.length === 0) return [];
    let alerts = snapshot.filter((a) => this.#inhibitor.inhibitedBy(a.labels, now) === undefined);
    if (alerts.length === 0) return [];
    const { route } = group;
    const intervals = this.setup.timeIntervals;
    if (route.activeTimeIntervals.length > 0 && !inTimeIntervals(now, intervals, route.activeTimeIntervals)) {
      return [];
    }
    if (route.muteTimeIntervals.length > 0 && inTimeIntervals(now, intervals, route.muteTimeIntervals)) {
      return [];
    }
    if (this.silences.size > 0)
      alerts = alerts.filter((a) => this.silences.silencedBy(a.labels, now).length === 0);
    return alerts;
  }

  #rowOf(group: GroupState, now: number): GroupRow {
    return {
      id: group.id,
      routeId: group.route.id,
      groupKey: group.groupKey,
      receiver: group.route.receiver,
      labels: group.labels,
      createdAt: group.createdAt,
      nextFlushAt: group.nextFlushAt,
      hasFlushed: true,
      lastFlushAt: now,
    };
  }

  /** Applies a stored flush: the notification log learns what was sent; resolved alerts leave. */
  applyFlush(plan: FlushPlan): void {
    for (const g of plan.groups) {
      for (const row of g.nflog) this.#nflog.set(row.key, row);
      g.group.lastFlushAt = plan.now;
      for (const a of g.resolved) {
        // Only if the alert was not updated since the flush took it (Alertmanager's rule).
        if (g.group.alerts.get(a.fingerprint)?.updatedAt === a.updatedAt)
          g.group.alerts.delete(a.fingerprint);
      }
    }
  }

  // ---- silences ------------------------------------------------------------------------------

  setSilence(silence: Silence): void {
    this.silences.set(silence);
  }

  // ---- maintenance and restore --------------------------------------------------------------

  /**
   * Alertmanager's periodic clean-up: empty groups go (their timers stop), resolved alerts no
   * group holds are forgotten after a while, expired notification-log entries are dropped.
   */
  maintenance(now: number): MaintenanceResult {
    const removedGroups: string[] = [];
    const held = new Set<string>();
    for (const [localKey, group] of this.#groups) {
      if (group.alerts.size === 0) {
        this.#groups.delete(localKey);
        removedGroups.push(group.id);
      } else for (const fp of group.alerts.keys()) held.add(fp);
    }
    const forgottenAlerts: string[] = [];
    for (const [fp, alert] of this.#alerts) {
      if (alert.endsAt <= now - RESOLVED_ALERT_MEMORY_MS && !held.has(fp)) {
        this.#alerts.delete(fp);
        this.#forgetPlacements(fp);
        this.#inhibitor.forget(alert);
        forgottenAlerts.push(fp);
      }
    }
    const expiredNflog: string[] = [];
    for (const [key, row] of this.#nflog) {
      if (row.entry.expiresAt <= now) {
        this.#nflog.delete(key);
        expiredNflog.push(key);
      }
    }
    for (const silence of this.silences.list()) {
      if (silence.endsAt <= now - this.setup.retentionMs) this.silences.delete(silence.id);
    }
    return { removedGroups, forgottenAlerts, expiredNflog };
  }

  /**
   * Rebuilds memory from the store after a start. Groups keep their timers; a flush that fell
   * due while Lookout was down happens at once. Resolved alerts a group already flushed after
   * their end are not put back (they were reported, or muted, then dropped). Returns the groups
   * to create (alerts whose group had gone) and the stored groups that no longer fit the routes.
   */
  restore(
    state: {
      readonly alerts: readonly AlertRecord[];
      readonly groups: readonly GroupRow[];
      readonly nflog: readonly NflogRow[];
      readonly silences: readonly Silence[];
    },
    now: number,
  ): { readonly newGroups: GroupRow[]; readonly staleGroups: string[] } {
    for (const s of state.silences) this.silences.set(s);
    for (const row of state.nflog) this.#nflog.set(row.key, row);
    const staleGroups: string[] = [];
    for (const row of state.groups) {
      const route = this.#routesById.get(row.routeId);
      const fits =
        route &&
        route.receiver === row.receiver &&
        `${route.key}:${labelSetString(row.labels)}` === row.groupKey;
      if (!fits) {
        staleGroups.push(row.id);
        continue;
      }
      this.#addGroup(row.nextFlushAt <= now ? { ...row, nextFlushAt: now } : row);
    }
    const newGroups: GroupRow[] = [];
    for (const alert of state.alerts) {
      this.#alerts.set(alert.fingerprint, alert);
      this.#inhibitor.observe(alert);
      const resolved = alert.endsAt <= now;
      for (const p of this.#placementsOf(alert)) {
        let group = this.#groups.get(p.localKey);
        if (group) {
          const last = group.lastFlushAt;
          const dropped = resolved && last !== undefined && alert.endsAt <= last && alert.updatedAt <= last;
          if (!dropped) this.#insert(group, alert, now);
        } else if (!resolved) {
          const row = this.#newGroupRow(p, alert, now);
          group = this.#addGroup(row);
          if (group) {
            newGroups.push(row);
            this.#insert(group, alert, now);
          }
        }
      }
    }
    return { newGroups, staleGroups };
  }
}
