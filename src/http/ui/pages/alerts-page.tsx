// Alerts: what fires now, by aggregation group and receiver, and what resolved recently; each
// firing alert can be silenced with its labels prefilled as matchers.
import type { Context, Hono } from 'hono';
import type { AlertRecord } from '../../../alerting/alert-record.js';
import { MatcherError, parseMatcher, type Matcher } from '../../../alerting/matcher.js';
import { isAdmin } from '../../auth/principal.js';
import { Badge, LabelChips, Notice, Table, Time } from '../components.js';
import { oneLine } from '../format.js';
import { renderPage } from '../render.js';
import { param, principalOf, type UiDeps } from '../ui-deps.js';

type Show = 'firing' | 'resolved';

function silenceHref(a: AlertRecord): string {
  return `/ui/silences/new?fp=${encodeURIComponent(a.fingerprint)}`;
}

export function alertsPages(deps: UiDeps) {
  const { alerting } = deps;

  return (app: Hono): void => {
    app.get('/ui/alerts', (c: Context) => {
      const now = alerting.now();
      const show: Show = param(c, 'show') === 'resolved' ? 'resolved' : 'firing';
      const filterText = param(c, 'filter');
      const admin = isAdmin(principalOf(c));
      let filters: Matcher[] = [];
      let filterError: string | undefined;
      try {
        filters = (filterText ?? '')
          .split(/\s*,\s*(?=[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:=|!=|=~|!~))/)
          .filter((s) => s.trim() !== '')
          .map((s) => parseMatcher(s));
      } catch (error) {
        if (!(error instanceof MatcherError)) throw error;
        filterError = error.message;
      }
      const passes = (a: AlertRecord): boolean => filters.every((m) => m.matches(a.labels[m.name] ?? ''));

      const AlertRow = (props: { a: AlertRecord; receivers?: readonly string[] }) => {
        const a = props.a;
        const status = alerting.statusOf(a, now);
        const resolved = a.endsAt <= now;
        return (
          <tr data-fingerprint={a.fingerprint} data-testid="alert-row">
            <td>
              <Badge tone={resolved ? 'ok' : a.labels.severity === 'critical' ? 'bad' : 'warn'}>
                {a.labels.alertname ?? 'alert'}
              </Badge>
              <div class="msg">{oneLine(a.annotations.summary ?? a.annotations.description ?? '', 200)}</div>
            </td>
            <td>
              {resolved ? (
                <Badge tone="ok">resolved</Badge>
              ) : status.state === 'active' ? (
                <Badge tone="bad">firing</Badge>
              ) : (
                <>
                  <Badge tone="warn" testid="suppressed">
                    suppressed
                  </Badge>
                  {status.silencedBy.map((id) => (
                    <div class="small">
                      silenced by <a href={`/ui/silences#${id}`}>{id.slice(0, 8)}</a>
                    </div>
                  ))}
                  {status.inhibitedBy.length > 0 ? (
                    <div class="small">inhibited by {status.inhibitedBy.length} alert(s)</div>
                  ) : null}
                </>
              )}
            </td>
            <td>
              <LabelChips labels={a.labels} skip={['alertname']} />
            </td>
            <td>
              <Time at={a.startsAt} now={now} />
              {resolved ? (
                <div class="small">
                  ended <Time at={a.endsAt} now={now} />
                </div>
              ) : null}
            </td>
            {props.receivers ? <td>{props.receivers.join(', ')}</td> : null}
            <td>
              {!resolved && admin ? (
                <a class="button small" href={silenceHref(a)} data-testid="silence-alert">
                  Silence
                </a>
              ) : null}
            </td>
          </tr>
        );
      };

      let body;
      if (show === 'firing') {
        const groups = [...alerting.groups()]
          .map((g) => ({ g, alerts: [...g.alerts.values()].filter((a) => a.endsAt > now && passes(a)) }))
          .filter((x) => x.alerts.length > 0)
          .sort(
            (x, y) =>
              x.g.route.receiver.localeCompare(y.g.route.receiver) ||
              x.g.groupKey.localeCompare(y.g.groupKey),
          );
        const firing = groups.reduce((n, x) => n + x.alerts.length, 0);
        body = (
          <>
            <p class="muted small">
              {firing} alerts in {groups.length} groups
            </p>
            {groups.length === 0 ? <p class="empty">No alerts firing.</p> : null}
            {groups.map(({ g, alerts }) => (
              <section class="card" data-testid="alert-group">
                <header class="card-head">
                  <h2>
                    <LabelChips labels={g.labels} />
                  </h2>
                  <div class="actions muted small">
                    receiver <b>{g.route.receiver}</b> · route <code>{g.route.key}</code>
                  </div>
                </header>
                <Table head={['Alert', 'State', 'Labels', 'Since', '']}>
                  {alerts
                    .sort((a, b) => b.startsAt - a.startsAt)
                    .map((a) => (
                      <AlertRow a={a} />
                    ))}
                </Table>
              </section>
            ))}
          </>
        );
      } else {
        const resolved = [...alerting.alerts()]
          .filter((a) => a.endsAt <= now && passes(a))
          .sort((a, b) => b.endsAt - a.endsAt);
        body = (
          <>
            <p class="muted small">Alerts that resolved in the last 30 minutes.</p>
            <Table
              head={['Alert', 'State', 'Labels', 'When', 'Receivers', '']}
              rows={resolved.length}
              testid="resolved"
              empty="Nothing resolved recently."
            >
              {resolved.slice(0, 500).map((a) => (
                <AlertRow a={a} receivers={alerting.receiversOf(a)} />
              ))}
            </Table>
          </>
        );
      }
      return renderPage(
        c,
        deps,
        { title: 'Alerts', active: 'alerts' },
        <>
          <h1>Alerts</h1>
          <nav class="tabs">
            <a href="/ui/alerts" class={show === 'firing' ? 'active' : undefined}>
              Firing
            </a>
            <a href="/ui/alerts?show=resolved" class={show === 'resolved' ? 'active' : undefined}>
              Resolved
            </a>
          </nav>
          <form method="get" action="/ui/alerts" class="filters" role="search">
            <input type="hidden" name="show" value={show} />
            <input
              type="search"
              name="filter"
              value={filterText ?? ''}
              placeholder='matchers, e.g. severity="critical", namespace=~"shop|web"'
              aria-label="Filter"
              class="grow"
            />
            <button type="submit">Filter</button>
          </form>
          {filterError ? <Notice tone="bad">{filterError}</Notice> : null}
          {body}
        </>,
      );
    });
  };
}
