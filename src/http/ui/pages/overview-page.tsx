// The overview: one cluster at a glance, refreshed in place every few seconds (the browser
// script polls the live fragment), with node CPU and memory charts underneath.
import type { Context, Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { CHART_SERIES } from '../../../domain/query.js';
import { Badge, Chart, LabelChips, Stat, Table, Time, toneOf } from '../components.js';
import { oneLine } from '../format.js';
import { overviewSummary, type OverviewSummary } from '../overview-data.js';
import { renderPage } from '../render.js';
import { clusterOf, type UiDeps } from '../ui-deps.js';
import { objectHref, podHref } from '../links.js';

/** How often the browser refreshes the live part, in ms. */
export const LIVE_INTERVAL_MS = 5_000;

const Live: FC<{ s: OverviewSummary }> = ({ s }) => {
  const now = s.at;
  const notRunning = s.pods.total - (s.pods.byPhase.Running ?? 0) - (s.pods.byPhase.Succeeded ?? 0);
  return (
    <>
      <p class="muted small" data-testid="updated">
        {s.watching ? 'Updated ' : 'Waiting for the first sync of the cluster… '}
        <Time at={s.at} now={now} />
      </p>
      <div class="stats">
        <Stat
          label="Nodes ready"
          testid="nodes-ready"
          value={`${s.nodes.ready}/${s.nodes.total}`}
          tone={s.nodes.ready < s.nodes.total ? 'bad' : 'ok'}
        >
          {s.nodes.notReady.map((n) => (
            <div>
              <Badge tone="bad">{n.name}</Badge> {n.problems.join(', ')}
            </div>
          ))}
          {s.nodes.troubled.map((n) => (
            <div>
              <Badge tone="warn">{n.name}</Badge> {n.problems.join(', ')}
            </div>
          ))}
        </Stat>
        <Stat
          label="Pods"
          testid="pods-by-phase"
          value={s.pods.total}
          tone={notRunning > 0 ? 'warn' : 'ok'}
          href="/ui/pods"
        >
          <ul class="phases">
            {Object.entries(s.pods.byPhase).map(([phase, n]) => (
              <li>
                <span>{phase}</span> <b>{n}</b>
                <meter
                  min={0}
                  max={Math.max(1, s.pods.total)}
                  value={n}
                  class={toneOf(phase)}
                  aria-label={phase}
                />
              </li>
            ))}
          </ul>
        </Stat>
        <Stat
          label="Abnormal pods"
          testid="abnormal-count"
          value={s.abnormal.total}
          tone={s.abnormal.total > 0 ? 'bad' : 'ok'}
          href="/ui/pods?abnormal=1"
        />
        <Stat
          label="Crashes, last 24 h"
          testid="crash-count"
          value={s.crashes.lastDay}
          tone={s.crashes.lastDay > 0 ? 'warn' : 'ok'}
          href="/ui/crashes"
        />
        <Stat
          label="Firing alerts"
          testid="firing-count"
          value={s.alerts.firing.length}
          tone={s.alerts.firing.length > 0 ? 'bad' : 'ok'}
          href="/ui/alerts"
        >
          {s.alerts.suppressed > 0 ? (
            <span class="muted">{s.alerts.suppressed} silenced or inhibited</span>
          ) : null}
        </Stat>
      </div>

      <div class="grid2">
        <section class="card">
          <h2>Abnormal pods</h2>
          <Table
            head={['Pod', 'Reason', 'Since', 'Message']}
            rows={s.abnormal.items.length}
            testid="abnormal-pods"
            empty="No abnormal pods."
          >
            {s.abnormal.items.map((a) => (
              <tr>
                <td>
                  <a href={podHref(a.cluster, a.namespace, a.pod)}>
                    <span class="ns">{a.namespace}/</span>
                    {a.pod}
                  </a>
                  {a.container ? <span class="muted"> · {a.container}</span> : null}
                </td>
                <td>
                  <Badge tone={toneOf(a.reason)}>{a.reason}</Badge>
                </td>
                <td>
                  <Time at={a.beganAt} now={now} />
                </td>
                <td class="msg">{a.message ? oneLine(a.message, 140) : ''}</td>
              </tr>
            ))}
          </Table>
          {s.abnormal.total > s.abnormal.items.length ? (
            <p>
              <a href="/ui/pods?abnormal=1">All {s.abnormal.total} abnormal pods</a>
            </p>
          ) : null}
        </section>

        <section class="card">
          <h2>Firing alerts</h2>
          <Table
            head={['Alert', 'Where', 'Since']}
            rows={s.alerts.firing.length}
            testid="firing-alerts"
            empty="No alerts firing."
          >
            {s.alerts.firing.slice(0, 10).map((a) => (
              <tr>
                <td>
                  <Badge tone={a.labels.severity === 'critical' ? 'bad' : 'warn'}>
                    {a.labels.alertname ?? 'alert'}
                  </Badge>
                  <div class="msg">{oneLine(a.annotations.summary ?? '', 140)}</div>
                </td>
                <td>
                  <LabelChips
                    labels={a.labels}
                    skip={[
                      'alertname',
                      'severity',
                      'cluster',
                      'node',
                      'reason',
                      'restart_count',
                      'workload_kind',
                      'exit_code',
                    ]}
                  />
                </td>
                <td>
                  <Time at={a.startsAt} now={now} />
                </td>
              </tr>
            ))}
          </Table>
          {s.alerts.firing.length > 10 ? (
            <p>
              <a href="/ui/alerts">All {s.alerts.firing.length} firing alerts</a>
            </p>
          ) : null}
        </section>
      </div>

      <section class="card">
        <h2>Recent crashes</h2>
        <Table
          head={['When', 'Pod', 'Container', 'Reason', 'Exit']}
          rows={s.crashes.recent.length}
          testid="recent-crashes"
          empty="No crashes recorded."
        >
          {s.crashes.recent.map((c) => (
            <tr>
              <td>
                <a href={`/ui/crashes/${c.id}`}>
                  <Time at={c.finishedAt ?? c.observedAt} now={now} />
                </a>
              </td>
              <td>
                <a href={objectHref(c.cluster, 'Pod', c.namespace, c.pod)}>
                  <span class="ns">{c.namespace}/</span>
                  {c.pod}
                </a>
              </td>
              <td>{c.container}</td>
              <td>
                <Badge tone={toneOf(c.reason)}>{c.reason}</Badge>
              </td>
              <td>{c.exitCode}</td>
            </tr>
          ))}
        </Table>
      </section>
    </>
  );
};

export function overviewPages(deps: UiDeps) {
  const summary = (c: Context) => {
    const cluster = clusterOf(c, deps);
    if (!cluster) return undefined;
    return overviewSummary(cluster, {
      store: deps.store,
      state: deps.state(cluster),
      alerting: deps.alerting,
      now: deps.now(),
    });
  };

  return (app: Hono): void => {
    const page = async (c: Context) => {
      const s = await summary(c);
      if (!s) {
        return renderPage(
          c,
          deps,
          { title: 'Overview', active: 'overview' },
          <>
            <h1>Overview</h1>
            <p class="empty">No clusters are configured. Add one under `clusters:` in the configuration.</p>
          </>,
        );
      }
      return renderPage(
        c,
        deps,
        { title: 'Overview', active: 'overview', perCluster: true },
        <>
          <h1>Overview</h1>
          <div
            id="live"
            data-live={`/ui/overview/live?cluster=${encodeURIComponent(s.cluster)}`}
            data-interval={String(LIVE_INTERVAL_MS)}
          >
            <Live s={s} />
          </div>
          <div class="grid2">
            <Chart
              spec={{
                source: 'query',
                query: 'node-cpu',
                title: 'Node CPU used (%)',
                params: { cluster: s.cluster, range: '1h', top: String(CHART_SERIES) },
                testid: 'chart-node-cpu',
              }}
            />
            <Chart
              spec={{
                source: 'query',
                query: 'node-memory',
                title: 'Node memory available (%)',
                params: { cluster: s.cluster, range: '1h', top: String(CHART_SERIES) },
                testid: 'chart-node-memory',
              }}
            />
          </div>
        </>,
      );
    };
    app.get('/', (c) => c.redirect('/ui/', 302));
    app.get('/ui', (c) => c.redirect('/ui/', 302));
    app.get('/ui/', page);
    app.get('/ui/overview', page);

    app.get('/ui/overview/live', async (c) => {
      const s = await summary(c);
      if (!s) return c.html('<p class="empty">No clusters are configured.</p>');
      c.header('cache-control', 'no-store');
      return c.html(<Live s={s} />);
    });

    app.get('/api/v1/overview', async (c) => {
      const asked = c.req.query('cluster');
      if (asked && !deps.clusters.includes(asked))
        return c.json({ error: { code: 'not_found', message: `no cluster named "${asked}"` } }, 404);
      const s = await summary(c);
      if (!s) return c.json({ error: { code: 'not_found', message: 'no clusters are configured' } }, 404);
      return c.json(s);
    });
  };
}
