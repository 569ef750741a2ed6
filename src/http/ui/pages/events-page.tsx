// The events explorer: full-text search and filters over every stored occurrence, a histogram
// of when they happened, and a paged table whose objects link to their own timelines.
import type { Context, Hono } from 'hono';
import { parseTimePoint } from '../../../lib/time-range.js';
import { queryEvents } from '../../../store/repos/event-repo.js';
import { Badge, Chart, JsonData, Notice, Pager, Table, Time, toneOf } from '../components.js';
import { RANGES } from '../format.js';
import { objectHref } from '../links.js';
import { renderPage } from '../render.js';
import { param, type UiDeps } from '../ui-deps.js';

const PAGE_SIZE = 50;
const BUCKETS = 60;

/** Histogram buckets: whole minutes, about sixty across the range. */
function bucketFor(since: number, until: number): number {
  return Math.max(60_000, Math.ceil((until - since) / BUCKETS / 60_000) * 60_000);
}

export function eventsPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/events', async (c: Context) => {
      const now = deps.now();
      const problems: string[] = [];
      const time = (name: string): number | undefined => {
        const v = param(c, name);
        if (!v) return undefined;
        const t = parseTimePoint(v, now);
        if (t === undefined)
          problems.push(`"${v}" is neither a duration (2h, 7d) nor a time (RFC 3339); ${name} ignored`);
        return t;
      };
      const cluster = param(c, 'cluster');
      const uid = param(c, 'uid');
      const filters = {
        cluster: cluster && deps.clusters.includes(cluster) ? cluster : undefined,
        namespace: param(c, 'namespace'),
        type: param(c, 'type'),
        reason: param(c, 'reason'),
        object: param(c, 'object'),
        search: param(c, 'q'),
      };
      // An object's uid (from its page) finds its events by index; the name alone scans.
      const byObject = uid ? { ...filters, object: undefined, involvedUid: uid } : filters;
      const until = time('until') ?? now;
      const since = time('since') ?? until - 24 * 3600_000;
      const cursor = param(c, 'cursor');
      const page = await queryEvents(deps.store.db, deps.store.dialect, {
        ...byObject,
        since,
        until,
        limit: PAGE_SIZE,
        cursor,
      });
      const bucketMs = bucketFor(since, until);
      let histogram;
      if (filters.object || uid) {
        // One object's timeline: counted from its occurrences here (the histogram API has no
        // object filter), at most the newest 1,000.
        const all = await queryEvents(deps.store.db, deps.store.dialect, {
          ...byObject,
          since,
          until,
          limit: 1000,
        });
        const counts = new Map<number, number>();
        let total = 0;
        for (const e of all.items) {
          const t = Math.floor(e.lastAt / bucketMs) * bucketMs;
          const n = e.countTo - e.countFrom + 1;
          counts.set(t, (counts.get(t) ?? 0) + n);
          total += n;
        }
        const points: Array<[number, number]> = [];
        for (let t = Math.floor(since / bucketMs) * bucketMs; t < until; t += bucketMs)
          points.push([t, counts.get(t) ?? 0]);
        histogram = (
          <>
            <JsonData
              id="event-histogram"
              data={{ unit: 'count', series: [{ name: 'occurrences', points }] }}
            />
            <Chart
              spec={{
                source: 'data',
                data: 'event-histogram',
                kind: 'bars',
                title: `${total.toLocaleString('en')}${all.nextCursor ? '+' : ''} occurrences`,
                testid: 'event-histogram',
              }}
            />
          </>
        );
      } else {
        // Drawn by the browser from /api/v1/events/histogram, so the table shows at once.
        histogram = (
          <Chart
            spec={{
              source: 'histogram',
              query: 'events/histogram',
              params: {
                cluster: filters.cluster,
                namespace: filters.namespace,
                type: filters.type,
                reason: filters.reason,
                search: filters.search,
                since: new Date(since).toISOString(),
                until: new Date(until).toISOString(),
                bucket: `${bucketMs / 1000}s`,
              },
              kind: 'bars',
              title: 'Occurrences',
              testid: 'event-histogram',
            }}
          />
        );
      }

      const query = new URL(c.req.url).searchParams;
      const selectedRange = param(c, 'since') ?? '24h';
      return renderPage(
        c,
        deps,
        { title: 'Events', active: 'events' },
        <>
          <h1>Events</h1>
          <form method="get" action="/ui/events" class="filters" role="search">
            <input
              type="search"
              name="q"
              value={filters.search ?? ''}
              placeholder="Search messages (every word must occur)"
              aria-label="Search"
              class="grow"
              data-testid="event-search"
            />
            {deps.clusters.length > 1 ? (
              <select name="cluster" aria-label="Cluster">
                <option value="">all clusters</option>
                {deps.clusters.map((n) => (
                  <option value={n} selected={n === filters.cluster}>
                    {n}
                  </option>
                ))}
              </select>
            ) : null}
            <input
              name="namespace"
              value={filters.namespace ?? ''}
              placeholder="namespace"
              aria-label="Namespace"
            />
            <select name="type" aria-label="Type">
              <option value="">any type</option>
              {['Warning', 'Normal'].map((t) => (
                <option value={t} selected={t === filters.type}>
                  {t}
                </option>
              ))}
            </select>
            <input
              name="reason"
              value={filters.reason ?? ''}
              placeholder="reason (BackOff)"
              aria-label="Reason"
            />
            <input
              name="object"
              value={filters.object ?? ''}
              placeholder="object (Pod/web-1)"
              aria-label="Object"
            />
            <select name="since" aria-label="Time range">
              {RANGES.map(([v, label]) => (
                <option value={v} selected={v === selectedRange}>
                  {label}
                </option>
              ))}
              {RANGES.some(([v]) => v === selectedRange) ? null : (
                <option value={selectedRange} selected>
                  since {selectedRange}
                </option>
              )}
            </select>
            <button type="submit">Search</button>
          </form>
          {problems.map((p) => (
            <Notice tone="bad">{p}</Notice>
          ))}
          {histogram}
          <Table
            head={['Last seen', 'Type', 'Reason', 'Object', 'Message', 'Count']}
            rows={page.items.length}
            testid="events"
            empty="No events match."
          >
            {page.items.map((e) => (
              <tr>
                <td>
                  <Time at={e.lastAt} now={now} />
                </td>
                <td>
                  <Badge tone={e.type === 'Warning' ? 'warn' : 'muted'}>{e.type}</Badge>
                </td>
                <td>
                  <Badge tone={toneOf(e.reason)}>{e.reason}</Badge>
                </td>
                <td>
                  <a
                    href={objectHref(e.cluster, e.involved.kind, e.involved.namespace, e.involved.name)}
                    title="timeline of this object"
                  >
                    <span class="ns">{e.involved.namespace ? `${e.involved.namespace}/` : ''}</span>
                    {e.involved.kind.toLowerCase()}/{e.involved.name}
                  </a>
                </td>
                <td class="msg">{e.message}</td>
                <td class="num">{e.countFrom === e.countTo ? e.countTo : `${e.countFrom}–${e.countTo}`}</td>
              </tr>
            ))}
          </Table>
          <Pager path="/ui/events" query={query} next={page.nextCursor} />
        </>,
      );
    });
  };
}
