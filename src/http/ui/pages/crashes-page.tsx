// The crash explorer: every recorded container crash with filters, and a page per crash with
// its termination state, what it likely means, the log tail (searchable, downloadable), the
// events around it and the crash history of its workload.
import type { Context, Hono } from 'hono';
import { parseTimePoint } from '../../../lib/time-range.js';
import { explainTermination, signalName } from '../../../notify/explain.js';
import { getCrash, queryCrashes } from '../../../store/repos/crash-repo.js';
import { queryEvents } from '../../../store/repos/event-repo.js';
import { Badge, Chart, JsonData, Notice, Pager, Section, Table, Time, toneOf } from '../components.js';
import { RANGES, shortDuration, utc } from '../format.js';
import { objectHref, podHref, workloadHref } from '../links.js';
import { renderErrorPage, renderPage } from '../render.js';
import { param, type UiDeps } from '../ui-deps.js';

const PAGE_SIZE = 50;
const HISTORY_DAYS = 7;

export function crashesPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/crashes', async (c: Context) => {
      const now = deps.now();
      const sinceText = param(c, 'since');
      const since = sinceText ? parseTimePoint(sinceText, now) : undefined;
      const cluster = param(c, 'cluster');
      const filters = {
        cluster: cluster && deps.clusters.includes(cluster) ? cluster : undefined,
        namespace: param(c, 'namespace'),
        pod: param(c, 'pod'),
        container: param(c, 'container'),
        workload: param(c, 'workload'),
        reason: param(c, 'reason'),
        search: param(c, 'q'),
      };
      const page = await queryCrashes(deps.store.db, deps.store.dialect, {
        ...filters,
        since,
        limit: PAGE_SIZE,
        cursor: param(c, 'cursor'),
      });
      const query = new URL(c.req.url).searchParams;
      return renderPage(
        c,
        deps,
        { title: 'Crashes', active: 'crashes' },
        <>
          <h1>Crashes</h1>
          <form method="get" action="/ui/crashes" class="filters" role="search">
            <input
              type="search"
              name="q"
              value={filters.search ?? ''}
              placeholder="Search logs and termination messages"
              aria-label="Search"
              class="grow"
            />
            <input
              name="namespace"
              value={filters.namespace ?? ''}
              placeholder="namespace"
              aria-label="Namespace"
            />
            <input
              name="workload"
              value={filters.workload ?? ''}
              placeholder="workload"
              aria-label="Workload"
            />
            <input name="pod" value={filters.pod ?? ''} placeholder="pod" aria-label="Pod" />
            <input
              name="container"
              value={filters.container ?? ''}
              placeholder="container"
              aria-label="Container"
            />
            <input
              name="reason"
              value={filters.reason ?? ''}
              placeholder="reason (OOMKilled)"
              aria-label="Reason"
            />
            <select name="since" aria-label="Time range">
              <option value="">any time</option>
              {RANGES.map(([v, label]) => (
                <option value={v} selected={v === sinceText}>
                  {label}
                </option>
              ))}
            </select>
            <button type="submit">Filter</button>
          </form>
          {sinceText && since === undefined ? (
            <Notice tone="bad">"{sinceText}" is not a time range; showing every crash.</Notice>
          ) : null}
          <Table
            head={['When', 'Pod', 'Container', 'Reason', 'Exit', 'Restart', 'Workload', 'Log']}
            rows={page.items.length}
            testid="crashes"
            empty="No crashes match."
          >
            {page.items.map((k) => (
              <tr>
                <td>
                  <a href={`/ui/crashes/${k.id}`} data-testid="crash-link">
                    <Time at={k.finishedAt ?? k.observedAt} now={now} />
                  </a>
                </td>
                <td>
                  <a href={podHref(k.cluster, k.namespace, k.pod)}>
                    <span class="ns">{k.namespace}/</span>
                    {k.pod}
                  </a>
                </td>
                <td>{k.container}</td>
                <td>
                  <Badge tone={toneOf(k.reason)}>{k.reason}</Badge>
                </td>
                <td class="num">{k.exitCode}</td>
                <td class="num">{k.restartCount}</td>
                <td>
                  {k.workload ? (
                    <a
                      href={workloadHref(k.cluster, k.workloadKind ?? 'Deployment', k.namespace, k.workload)}
                    >
                      {k.workload}
                    </a>
                  ) : (
                    '—'
                  )}
                </td>
                <td>
                  <a href={`/ui/crashes/${k.id}#log`}>
                    {k.logStatus === 'ok'
                      ? `${k.logTail ? k.logTail.split('\n').filter(Boolean).length : 0} lines`
                      : k.logStatus}
                  </a>
                </td>
              </tr>
            ))}
          </Table>
          <Pager path="/ui/crashes" query={query} next={page.nextCursor} />
        </>,
      );
    });

    app.get('/ui/crashes/:id{[0-9]+}/log', async (c) => {
      const crash = await getCrash(deps.store.db, Number(c.req.param('id')));
      if (!crash)
        return renderErrorPage(c, deps, 404, 'No such crash', `There is no crash ${c.req.param('id')}.`);
      const file = `${crash.pod}-${crash.container}-restart-${crash.restartCount}.log`.replace(
        /[^A-Za-z0-9._-]/g,
        '_',
      );
      return c.body(crash.logTail ?? '', 200, {
        'content-type': 'text/plain; charset=utf-8',
        'content-disposition': `attachment; filename="${file}"`,
        'x-content-type-options': 'nosniff',
      });
    });

    app.get('/ui/crashes/:id{[0-9]+}', async (c) => {
      const now = deps.now();
      const crash = await getCrash(deps.store.db, Number(c.req.param('id')));
      if (!crash)
        return renderErrorPage(
          c,
          deps,
          404,
          'No such crash',
          `There is no crash ${c.req.param('id')}; it may have aged out.`,
        );
      const hint = explainTermination({
        reason: crash.reason,
        exitCode: crash.exitCode,
        signal: crash.signal ?? undefined,
        message: crash.message ?? undefined,
        livenessProbeFailed:
          crash.livenessProbe &&
          crash.exitCode === 137 &&
          crash.warningEvents.some((e) => /liveness probe/i.test(e.message)),
      });
      const end = crash.finishedAt ?? crash.observedAt;
      const around = await queryEvents(deps.store.db, deps.store.dialect, {
        cluster: crash.cluster,
        namespace: crash.namespace,
        involvedUid: crash.podUid,
        since: end - 15 * 60_000,
        until: end + 5 * 60_000,
        limit: 50,
      });
      // The workload's crash history (or the pod's, for a bare pod), by hour.
      const since = now - HISTORY_DAYS * 24 * 3600_000;
      const history = await queryCrashes(deps.store.db, deps.store.dialect, {
        cluster: crash.cluster,
        namespace: crash.namespace,
        ...(crash.workload ? { workload: crash.workload } : { pod: crash.pod }),
        since,
        limit: 1000,
      });
      // Bars from a little before the first crash in the window (at most a week) to now.
      const times = history.items.map((h) => h.finishedAt ?? h.observedAt);
      const first = Math.min(now - 3600_000, ...times);
      const start = Math.max(since, first - Math.max(60_000, (now - first) / 20));
      const bucket = Math.max(60_000, Math.ceil((now - start) / 48 / 60_000) * 60_000);
      const counts = new Map<number, number>();
      for (const t of times) {
        const b = Math.floor(t / bucket) * bucket;
        counts.set(b, (counts.get(b) ?? 0) + 1);
      }
      const points: Array<[number, number]> = [];
      for (let t = Math.floor(start / bucket) * bucket; t <= now; t += bucket)
        points.push([t, counts.get(t) ?? 0]);
      const lines = (crash.logTail ?? '').split('\n');
      if (lines.at(-1) === '') lines.pop();
      const subject = crash.workload ?? crash.pod;

      return renderPage(
        c,
        deps,
        { title: `Crash of ${crash.pod}`, active: 'crashes' },
        <>
          <h1>
            Crash of <span class="ns">{crash.namespace}/</span>
            {crash.pod} <span class="muted">· {crash.container}</span>
          </h1>
          <div class="grid2">
            <Section title="Termination">
              <dl class="facts" data-testid="termination">
                <dt>Reason</dt>
                <dd>
                  <Badge tone={toneOf(crash.reason)}>{crash.reason}</Badge>
                </dd>
                <dt>Exit code</dt>
                <dd>
                  {crash.exitCode}
                  {crash.signal
                    ? ` (${signalName(crash.signal)})`
                    : crash.exitCode > 128
                      ? ` (${signalName(crash.exitCode - 128)})`
                      : ''}
                </dd>
                <dt>Restart</dt>
                <dd>
                  {crash.restartCount}
                  {crash.covers > 1 ? (
                    <span class="muted">
                      {' '}
                      (stands for {crash.covers} restarts Lookout could not see one by one)
                    </span>
                  ) : null}
                </dd>
                <dt>Started</dt>
                <dd>{crash.startedAt ? utc(crash.startedAt) : '—'}</dd>
                <dt>Finished</dt>
                <dd>
                  {crash.finishedAt ? utc(crash.finishedAt) : '—'}
                  {crash.startedAt && crash.finishedAt ? (
                    <span class="muted"> (ran {shortDuration(crash.finishedAt - crash.startedAt)})</span>
                  ) : null}
                </dd>
                <dt>Node</dt>
                <dd>{crash.node ?? '—'}</dd>
                <dt>Workload</dt>
                <dd>
                  {crash.workload ? (
                    <a
                      href={workloadHref(
                        crash.cluster,
                        crash.workloadKind ?? 'Deployment',
                        crash.namespace,
                        crash.workload,
                      )}
                    >
                      {crash.workloadKind?.toLowerCase()}/{crash.workload}
                    </a>
                  ) : (
                    '—'
                  )}
                </dd>
                <dt>Pod</dt>
                <dd>
                  <a href={podHref(crash.cluster, crash.namespace, crash.pod)}>{crash.pod}</a>{' '}
                  <span class="muted">({crash.cluster})</span>
                </dd>
                <dt>Liveness probe</dt>
                <dd>{crash.livenessProbe ? 'yes' : 'no'}</dd>
                {crash.message ? (
                  <>
                    <dt>Message</dt>
                    <dd class="msg">{crash.message}</dd>
                  </>
                ) : null}
              </dl>
            </Section>
            <Section title="What it likely means">
              <p data-testid="hint">{hint.summary}</p>
              <p>
                <b>Next:</b> {hint.next}
              </p>
            </Section>
          </div>

          <Section
            title={`Log tail (${lines.length} lines)`}
            id="log"
            actions={
              crash.logTail ? (
                <a href={`/ui/crashes/${crash.id}/log`} download class="button" data-testid="download-log">
                  Download
                </a>
              ) : null
            }
          >
            {crash.logStatus !== 'ok' ? (
              <Notice tone="info">
                {crash.logStatus === 'pending'
                  ? 'The log is still being fetched.'
                  : `The log could not be fetched${crash.logError ? `: ${crash.logError}` : '.'}`}
              </Notice>
            ) : null}
            {crash.logTruncated ? (
              <p class="muted small">Only the end of the log was kept (size limit).</p>
            ) : null}
            {lines.length > 0 ? (
              <div class="log-box" data-log>
                <input
                  type="search"
                  placeholder="Find in log"
                  aria-label="Find in log"
                  data-log-search
                  data-testid="log-search"
                />
                <span class="muted small" data-log-count></span>
                <pre class="log" data-testid="log">
                  {lines.map((l, i) => (
                    <span class="line" data-n={i + 1}>
                      {l}
                      {'\n'}
                    </span>
                  ))}
                </pre>
              </div>
            ) : null}
          </Section>

          <div class="grid2">
            <Section title="Events around the crash">
              <Table
                head={['When', 'Type', 'Reason', 'Message', 'Count']}
                rows={around.items.length + crash.warningEvents.length}
                testid="related-events"
                empty="No events recorded around it."
              >
                {around.items.length > 0
                  ? around.items.map((e) => (
                      <tr>
                        <td>
                          <Time at={e.lastAt} now={now} />
                        </td>
                        <td>
                          <Badge tone={e.type === 'Warning' ? 'warn' : 'muted'}>{e.type}</Badge>
                        </td>
                        <td>{e.reason}</td>
                        <td class="msg">{e.message}</td>
                        <td class="num">{e.countTo}</td>
                      </tr>
                    ))
                  : crash.warningEvents.map((e) => (
                      <tr>
                        <td>
                          <Time at={e.lastAt} now={now} />
                        </td>
                        <td>
                          <Badge tone="warn">Warning</Badge>
                        </td>
                        <td>{e.reason}</td>
                        <td class="msg">{e.message}</td>
                        <td class="num">{e.count}</td>
                      </tr>
                    ))}
              </Table>
              <p>
                <a href={objectHref(crash.cluster, 'Pod', crash.namespace, crash.pod)}>
                  The pod's whole history
                </a>
              </p>
            </Section>
            <Section title={`Crash history of ${subject}`}>
              <JsonData
                id="crash-history"
                data={{ unit: 'count', series: [{ name: 'crashes per hour', points }] }}
              />
              <Chart
                spec={{
                  source: 'data',
                  data: 'crash-history',
                  kind: 'bars',
                  title: `${history.items.length} crashes in the last ${HISTORY_DAYS} days`,
                  testid: 'crash-history',
                }}
              />
              <p>
                <a
                  href={`/ui/crashes?${new URLSearchParams({ namespace: crash.namespace, ...(crash.workload ? { workload: crash.workload } : { pod: crash.pod }) }).toString()}`}
                >
                  List them
                </a>
              </p>
            </Section>
          </div>
        </>,
      );
    });
  };
}
