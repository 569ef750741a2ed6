// Alerts (by fingerprint) and aggregation groups (with their timers): batched upserts for the
// intake path, full reads for a restart, and the clean-ups retention needs.
import { CompiledQuery } from 'kysely';
import type { AlertRecord } from '../../alerting/alert-record.js';
import type { GroupRow } from '../../alerting/dispatcher.js';
import type { Labels } from '../../domain/alert.js';
import type { Dialect } from '../dialect.js';
import type { AlertTable } from '../tables/alerting.js';
import { chunks, type Executor } from './executor.js';

/** Rows per statement: well under SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

/** How one multi-row upsert is written: its table, columns, key and the columns it updates. */
export interface UpsertShape {
  readonly table: string;
  readonly columns: readonly string[];
  readonly key: string;
  readonly update: readonly string[];
}

/** Statement texts by shape, dialect and row count: the intake writes the same few sizes over and over. */
const statements = new WeakMap<UpsertShape, Map<string, string>>();

function upsertSql(shape: UpsertShape, dialect: Dialect, rows: number): string {
  let byCount = statements.get(shape);
  if (!byCount) {
    byCount = new Map();
    statements.set(shape, byCount);
  }
  const key = `${dialect}:${rows}`;
  let sql = byCount.get(key);
  if (sql === undefined) {
    const width = shape.columns.length;
    const tuples: string[] = [];
    for (let r = 0; r < rows; r++) {
      const marks: string[] = [];
      for (let c = 1; c <= width; c++) marks.push(dialect === 'postgres' ? `$${r * width + c}` : '?');
      tuples.push(`(${marks.join(', ')})`);
    }
    sql =
      `insert into ${shape.table} (${shape.columns.join(', ')}) values ${tuples.join(', ')} ` +
      `on conflict (${shape.key}) do update set ${shape.update.map((c) => `${c} = excluded.${c}`).join(', ')}`;
    // Bounded: at most CHUNK sizes per shape and dialect.
    byCount.set(key, sql);
  }
  return sql;
}

/**
 * Inserts or updates many rows with one hand-written statement per 500 rows. The intake path
 * runs this for every request, so it skips the query builder (whose per-value cost dominated)
 * and reuses the statement text for each row count.
 */
export async function bulkUpsert(
  db: Executor,
  dialect: Dialect,
  shape: UpsertShape,
  rows: ReadonlyArray<readonly unknown[]>,
): Promise<void> {
  for (let start = 0; start < rows.length; start += CHUNK) {
    const end = Math.min(rows.length, start + CHUNK);
    const params: unknown[] = [];
    for (let i = start; i < end; i++) for (const value of rows[i]!) params.push(value);
    await db.executeQuery(CompiledQuery.raw(upsertSql(shape, dialect, end - start), params));
  }
}

const ALERT_COLUMNS = [
  'fingerprint',
  'labels',
  'annotations',
  'starts_at',
  'ends_at',
  'timeout',
  'generator_url',
  'updated_at',
] as const;
const ALERT_UPDATES = ALERT_COLUMNS.slice(1);

/** PostgreSQL: one row per fingerprint, which several Lookout instances may write. */
const ALERT_SHAPE: UpsertShape = {
  table: 'alerts',
  columns: ALERT_COLUMNS,
  key: 'fingerprint',
  update: ALERT_UPDATES,
};

/** SQLite: one row per alert under its arrival-order row id (see migration 0620). */
const ALERT_ROW_SHAPE: UpsertShape = {
  table: 'alerts',
  columns: ['id', ...ALERT_COLUMNS],
  key: 'id',
  update: ALERT_UPDATES,
};

/**
 * The SQLite row of each alert the engine holds. Rows are numbered in arrival order so that a
 * new alert is appended instead of landing on a random page of a fingerprint index (the cost
 * that dominated intake). The engine is the only writer, so it keeps the map: a fingerprint
 * keeps its row while the engine remembers the alert; one that returns after it was forgotten
 * starts a new row, and the old one ages out with retention. Reads take the newest row of each
 * fingerprint.
 */
export class AlertRowIds {
  readonly #ids = new Map<string, number>();
  #next: number;

  private constructor(next: number) {
    this.#next = next;
  }

  /** Continues after the highest row id stored (none on PostgreSQL, which keys by fingerprint). */
  static async load(db: Executor, dialect: Dialect): Promise<AlertRowIds> {
    if (dialect !== 'sqlite') return new AlertRowIds(1);
    const row = await db
      .selectFrom('alerts')
      .select((eb) => eb.fn.max<number | null>('id').as('max'))
      .executeTakeFirst();
    return new AlertRowIds(Number(row?.max ?? 0) + 1);
  }

  /** The row of `fingerprint`, assigning the next one the first time. */
  idOf(fingerprint: string): number {
    let id = this.#ids.get(fingerprint);
    if (id === undefined) {
      id = this.#next++;
      this.#ids.set(fingerprint, id);
    }
    return id;
  }

  /** Records the row a stored alert was read from. */
  adopt(fingerprint: string, id: number): void {
    this.#ids.set(fingerprint, id);
    if (id >= this.#next) this.#next = id + 1;
  }

  /** The engine forgot these alerts: if they return, they start new rows. */
  forget(fingerprints: Iterable<string>): void {
    for (const fp of fingerprints) this.#ids.delete(fp);
  }

  get size(): number {
    return this.#ids.size;
  }
}

const GROUP_SHAPE: UpsertShape = {
  table: 'alert_groups',
  columns: [
    'id',
    'route_id',
    'group_key',
    'receiver',
    'labels',
    'created_at',
    'next_flush_at',
    'has_flushed',
    'last_flush_at',
  ],
  key: 'id',
  update: ['next_flush_at', 'has_flushed', 'last_flush_at'],
};

function fromRow(r: AlertTable): AlertRecord {
  return {
    fingerprint: r.fingerprint,
    labels: JSON.parse(r.labels) as Labels,
    annotations: JSON.parse(r.annotations) as Labels,
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    timeout: Number(r.timeout) === 1,
    generatorURL: r.generator_url,
    updatedAt: Number(r.updated_at),
  };
}

/**
 * Inserts or replaces alerts (one statement per 500 alerts): by fingerprint on PostgreSQL, by
 * row on SQLite.
 */
export async function upsertAlerts(
  db: Executor,
  dialect: Dialect,
  alerts: readonly AlertRecord[],
  rows: AlertRowIds,
): Promise<void> {
  const values = (a: AlertRecord): unknown[] => [
    a.fingerprint,
    JSON.stringify(a.labels),
    JSON.stringify(a.annotations),
    a.startsAt,
    a.endsAt,
    a.timeout ? 1 : 0,
    a.generatorURL,
    a.updatedAt,
  ];
  if (dialect === 'sqlite') {
    await bulkUpsert(
      db,
      dialect,
      ALERT_ROW_SHAPE,
      alerts.map((a) => [rows.idOf(a.fingerprint), ...values(a)]),
    );
  } else {
    await bulkUpsert(db, dialect, ALERT_SHAPE, alerts.map(values));
  }
}

export interface AlertQuery {
  /** Only alerts still firing at this instant (epoch ms); all alerts when undefined. */
  readonly firingAt?: number;
}

/** Alerts, newest start first; with `rows`, records which row each was read from. */
export async function listAlerts(
  db: Executor,
  query: AlertQuery = {},
  rows?: AlertRowIds,
): Promise<AlertRecord[]> {
  let q = db.selectFrom('alerts').selectAll();
  if (query.firingAt !== undefined) q = q.where('ends_at', '>', query.firingAt);
  const newest = new Map<string, AlertTable>();
  for (const r of await q.execute()) {
    // SQLite may hold older rows of a fingerprint (see AlertRowIds): the highest row wins.
    const seen = newest.get(r.fingerprint);
    if (!seen || Number(r.id ?? 0) > Number(seen.id ?? 0)) newest.set(r.fingerprint, r);
  }
  const alerts: AlertRecord[] = [];
  for (const r of newest.values()) {
    if (rows && r.id !== undefined && r.id !== null) rows.adopt(r.fingerprint, Number(r.id));
    alerts.push(fromRow(r));
  }
  return alerts.sort((a, b) => b.startsAt - a.startsAt || (a.fingerprint < b.fingerprint ? -1 : 1));
}

/** Deletes alerts that ended before `before`; returns how many. */
export async function deleteAlertsEndedBefore(db: Executor, before: number): Promise<number> {
  const result = await db.deleteFrom('alerts').where('ends_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Inserts or updates aggregation groups (their timers and last flush). */
export async function upsertGroups(
  db: Executor,
  dialect: Dialect,
  groups: readonly GroupRow[],
): Promise<void> {
  await bulkUpsert(
    db,
    dialect,
    GROUP_SHAPE,
    groups.map((g) => [
      g.id,
      g.routeId,
      g.groupKey,
      g.receiver,
      JSON.stringify(g.labels),
      g.createdAt,
      g.nextFlushAt,
      g.hasFlushed ? 1 : 0,
      g.lastFlushAt ?? null,
    ]),
  );
}

export async function listGroups(db: Executor): Promise<GroupRow[]> {
  const rows = await db.selectFrom('alert_groups').selectAll().execute();
  return rows.map((r) => ({
    id: r.id,
    routeId: r.route_id,
    groupKey: r.group_key,
    receiver: r.receiver,
    labels: JSON.parse(r.labels) as Labels,
    createdAt: Number(r.created_at),
    nextFlushAt: Number(r.next_flush_at),
    hasFlushed: Number(r.has_flushed) === 1,
    lastFlushAt: r.last_flush_at === null ? undefined : Number(r.last_flush_at),
  }));
}

export async function deleteGroups(db: Executor, ids: readonly string[]): Promise<void> {
  for (const part of chunks(ids, CHUNK))
    await db.deleteFrom('alert_groups').where('id', 'in', part).execute();
}
