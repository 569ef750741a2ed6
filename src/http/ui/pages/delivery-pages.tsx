// Delivery: notifications Lookout gave up on (dead letters) with re-send, and the effective
// route tree with its receivers and inhibition rules, plus a form that shows where a given
// set of labels would be routed.
import type { Context, Hono } from 'hono';
import type { RouteNode } from '../../../alerting/route.js';
import { matchRoutes } from '../../../alerting/route.js';
import { matchersString } from '../../../alerting/matcher.js';
import { listDeadLetters } from '../../../store/repos/outbox-repo.js';
import { isAdmin } from '../../auth/principal.js';
import { Badge, LabelChips, Notice, Section, Table, Time } from '../components.js';
import { oneLine, shortDuration } from '../format.js';
import { CsrfField } from '../layout.js';
import { renderPage } from '../render.js';
import { param, principalOf, type UiDeps } from '../ui-deps.js';

const RouteTree = (props: {
  node: RouteNode;
  hit: ReadonlySet<string>;
  delivers: ReadonlySet<string>;
  depth: number;
}) => {
  const n = props.node;
  const groupBy = n.groupByAll ? '…' : [...n.groupBy].join(', ') || '—';
  return (
    <li class={props.hit.has(n.id) ? 'route hit' : 'route'} data-testid="route">
      <div class="route-head">
        <code>{props.depth === 0 ? 'root' : matchersString(n.matchers)}</code> → <b>{n.receiver}</b>
        {n.continue ? <Badge tone="info">continue</Badge> : null}
        {props.delivers.has(n.id) ? <Badge tone="ok">delivers here</Badge> : null}
      </div>
      <div class="muted small">
        group by {groupBy} · wait {shortDuration(n.groupWait)} · interval {shortDuration(n.groupInterval)} ·
        repeat {shortDuration(n.repeatInterval)}
        {n.muteTimeIntervals.length > 0 ? ` · muted during ${n.muteTimeIntervals.join(', ')}` : ''}
        {n.activeTimeIntervals.length > 0 ? ` · active during ${n.activeTimeIntervals.join(', ')}` : ''}
      </div>
      {n.routes.length > 0 ? (
        <ul>
          {n.routes.map((child) => (
            <RouteTree node={child} hit={props.hit} delivers={props.delivers} depth={props.depth + 1} />
          ))}
        </ul>
      ) : null}
    </li>
  );
};

/** `key=value` pairs, one per line or comma-separated. */
function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(/[\n,]/)) {
    const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"?(.*?)"?\s*$/.exec(part);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export function deliveryPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/notifications', async (c: Context) => {
      const now = deps.now();
      const admin = isAdmin(principalOf(c));
      const receiver = param(c, 'receiver');
      const letters = await listDeadLetters(deps.store.db, { receiver, limit: 200 });
      const notice = param(c, 'notice');
      return renderPage(
        c,
        deps,
        { title: 'Notifications', active: 'notifications' },
        <>
          <h1>Undelivered notifications</h1>
          <p class="muted">
            Notifications a receiver refused until Lookout gave up (dead letters). Re-sending puts one back in
            the queue; it is sent at once.
          </p>
          {notice === 'resent' ? (
            <Notice tone="ok">Notification {param(c, 'id') ?? ''} is queued again.</Notice>
          ) : null}
          {notice === 'failed' ? (
            <Notice tone="bad">Could not re-send: {param(c, 'why') ?? 'unknown reason'}</Notice>
          ) : null}
          <form method="get" class="filters">
            <select name="receiver" aria-label="Receiver" data-autosubmit>
              <option value="">all receivers</option>
              {[...deps.alerting.setup.receivers.keys()].map((r) => (
                <option value={r} selected={r === receiver}>
                  {r}
                </option>
              ))}
            </select>
            <noscript>
              <button type="submit">Filter</button>
            </noscript>
          </form>
          <Table
            head={['Gave up', 'Receiver', 'Status', 'Alerts', 'Attempts', 'Last error', '']}
            rows={letters.length}
            testid="dead-letters"
            empty="Every notification was delivered."
          >
            {letters.map((d) => (
              <tr data-testid="dead-letter">
                <td>
                  <Time at={d.deadAt ?? d.createdAt} now={now} />
                </td>
                <td>
                  {d.receiver}{' '}
                  <span class="muted small">
                    {d.integration}[{d.integrationIndex}]
                  </span>
                </td>
                <td>
                  <Badge tone={d.status === 'firing' ? 'bad' : 'ok'}>{d.status}</Badge>
                </td>
                <td class="num">{d.alerts}</td>
                <td class="num">{d.attempts}</td>
                <td class="msg">{oneLine(d.lastError ?? '', 200)}</td>
                <td>
                  {admin ? (
                    <form method="post" action={`/ui/notifications/${d.id}/resend`} class="inline">
                      <CsrfField principal={principalOf(c)} />
                      <button type="submit" class="small" data-testid="resend">
                        Re-send
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </Table>
        </>,
      );
    });

    app.post('/ui/notifications/:id{[0-9]+}/resend', async (c) => {
      const id = c.req.param('id');
      const answer = await deps.api.send(c, 'POST', `/api/v1/notifications/${id}/resend`);
      if (!answer.ok) {
        return c.redirect(`/ui/notifications?notice=failed&why=${encodeURIComponent(answer.message)}`, 303);
      }
      deps.log.info(
        { notification: Number(id), by: principalOf(c)?.name },
        'dead letter re-sent from the web UI',
      );
      return c.redirect(`/ui/notifications?notice=resent&id=${id}`, 303);
    });

    app.get('/ui/routes', (c: Context) => {
      const setup = deps.alerting.setup;
      const labelsText = param(c, 'labels') ?? '';
      const labels = parseLabels(labelsText);
      const tested = Object.keys(labels).length > 0;
      const hits = tested ? matchRoutes(setup.route, labels) : [];
      const hit = new Set<string>();
      // Mark the matching routes and the path down to them.
      const mark = (n: RouteNode): boolean => {
        let any = hits.some((h) => h.id === n.id);
        for (const child of n.routes) any = mark(child) || any;
        if (any) hit.add(n.id);
        return any;
      };
      if (tested) mark(setup.route);
      return renderPage(
        c,
        deps,
        { title: 'Routes', active: 'routes' },
        <>
          <h1>Routing</h1>
          <Section title="Where would an alert go?">
            <form method="get" action="/ui/routes" class="filters">
              <input
                name="labels"
                value={labelsText}
                placeholder="labels: alertname=PodCrashLooping, namespace=shop, severity=warning"
                class="grow"
                aria-label="Labels"
                data-testid="route-labels"
              />
              <button type="submit">Test</button>
            </form>
            {tested ? (
              <p data-testid="route-result">
                <LabelChips labels={labels} /> goes to{' '}
                {hits.length === 0 ? (
                  <b>no receiver (the root route does not match)</b>
                ) : (
                  hits.map((h) => <Badge tone="ok">{h.receiver}</Badge>)
                )}
              </p>
            ) : null}
          </Section>
          <Section title="Route tree">
            <ul class="routes">
              <RouteTree node={setup.route} hit={hit} delivers={new Set(hits.map((h) => h.id))} depth={0} />
            </ul>
          </Section>
          <div class="grid2">
            <Section title="Receivers">
              <Table
                head={['Receiver', 'Integrations']}
                rows={setup.receivers.size}
                empty="No receivers configured."
              >
                {[...setup.receivers.values()].map((r) => (
                  <tr>
                    <td>{r.name}</td>
                    <td>
                      {r.integrations.length === 0
                        ? 'none (alerts are dropped)'
                        : r.integrations.map((i) => (
                            <Badge tone="info">
                              {i.kind}
                              {i.sendResolved ? '' : ' (no resolved)'}
                            </Badge>
                          ))}
                    </td>
                  </tr>
                ))}
              </Table>
            </Section>
            <Section title="Inhibition rules">
              <Table
                head={['When an alert matches', 'it mutes alerts matching', 'with equal']}
                rows={setup.inhibitRules.length}
                empty="No inhibition rules."
              >
                {setup.inhibitRules.map((r) => (
                  <tr>
                    <td>
                      <code>
                        {[
                          ...Object.entries(r.source_match ?? {}).map(([k, v]) => `${k}="${v}"`),
                          ...Object.entries(r.source_match_re ?? {}).map(([k, v]) => `${k}=~"${v}"`),
                          ...(r.source_matchers ?? []),
                        ].join(', ')}
                      </code>
                    </td>
                    <td>
                      <code>
                        {[
                          ...Object.entries(r.target_match ?? {}).map(([k, v]) => `${k}="${v}"`),
                          ...Object.entries(r.target_match_re ?? {}).map(([k, v]) => `${k}=~"${v}"`),
                          ...(r.target_matchers ?? []),
                        ].join(', ')}
                      </code>
                    </td>
                    <td>{(r.equal ?? []).join(', ') || '—'}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          </div>
        </>,
      );
    });
  };
}
