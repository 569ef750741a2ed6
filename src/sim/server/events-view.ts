// events.k8s.io/v1 as a view of the stored core/v1 events, converted field for field the way the
// API server's conversion does (message↔note, involvedObject↔regarding, source↔deprecatedSource,
// count/firstTimestamp/lastTimestamp↔deprecated*, reportingComponent↔reportingController).
import { rfc3339Micro, type KubeObject } from '../object-store.js';
import type { FieldRequirement } from '../selectors.js';

type Any = Record<string, unknown>;

function defined(entries: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) if (v !== undefined) out[k] = v;
  return out;
}

function legacyEventTime(e: Any, core: KubeObject): string | null {
  const first = typeof e.firstTimestamp === 'string' ? e.firstTimestamp : core.metadata.creationTimestamp;
  if (typeof first !== 'string') return null;
  const ms = Date.parse(first);
  return Number.isNaN(ms) ? null : rfc3339Micro(ms);
}

/** A stored core/v1 Event as events.k8s.io/v1 shows it. */
export function toEventsV1(core: KubeObject): KubeObject {
  const e = core as Any;
  return defined({
    kind: 'Event',
    apiVersion: 'events.k8s.io/v1',
    metadata: core.metadata,
    // eventTime is required in events.k8s.io; legacy events have none and the API server writes
    // null there, which no schema accepts. We give the time the event was first seen instead.
    eventTime: e.eventTime ?? legacyEventTime(e, core),
    series: e.series,
    reportingController: e.reportingComponent || undefined,
    reportingInstance: e.reportingInstance || undefined,
    action: e.action,
    reason: e.reason,
    regarding: e.involvedObject,
    related: e.related,
    note: e.message,
    type: e.type,
    deprecatedSource: e.source,
    deprecatedFirstTimestamp: e.firstTimestamp,
    deprecatedLastTimestamp: e.lastTimestamp,
    deprecatedCount: e.count,
  }) as KubeObject;
}

/** An events.k8s.io/v1 Event (from a create, update or patch) in the stored core/v1 form. */
export function fromEventsV1(view: KubeObject): KubeObject {
  const e = view as Any;
  return defined({
    kind: 'Event',
    apiVersion: 'v1',
    metadata: view.metadata,
    involvedObject: e.regarding ?? {},
    reason: e.reason,
    message: e.note,
    source: e.deprecatedSource ?? {},
    firstTimestamp: e.deprecatedFirstTimestamp ?? null,
    lastTimestamp: e.deprecatedLastTimestamp ?? null,
    count: e.deprecatedCount,
    type: e.type,
    eventTime: e.eventTime ?? null,
    series: e.series,
    action: e.action,
    related: e.related,
    reportingComponent: e.reportingController ?? '',
    reportingInstance: e.reportingInstance ?? '',
  }) as KubeObject;
}

const FIELD_MAP: Record<string, string> = {
  reportingController: 'reportingComponent',
};

/** events.k8s.io field selectors (`regarding.name`) in terms of the stored core fields. */
export function coreFieldSelector(reqs: readonly FieldRequirement[]): FieldRequirement[] {
  return reqs.map((r) => {
    if (r.field.startsWith('regarding.'))
      return { ...r, field: `involvedObject.${r.field.slice('regarding.'.length)}` };
    const mapped = FIELD_MAP[r.field];
    return mapped ? { ...r, field: mapped } : r;
  });
}
