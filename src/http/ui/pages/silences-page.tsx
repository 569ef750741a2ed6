// Silences: the list (active, pending, expired) with the alerts each one mutes now, a form to
// create one (prefilled from an alert's labels), and expiry. Changes go through Alertmanager's
// v2 API in process, so the same validation and the same records apply as for amtool.
import type { Context, Hono } from 'hono';
import type { AlertRecord } from '../../../alerting/alert-record.js';
import { MatcherError, matcherString, parseMatcher } from '../../../alerting/matcher.js';
import { silenceMatches, silenceState, type Silence } from '../../../alerting/silence.js';
import { parseDuration } from '../../../lib/duration.js';
import { isAdmin } from '../../auth/principal.js';
import { CsrfField } from '../layout.js';
import { Badge, LabelChips, Notice, Section, Table, Time } from '../components.js';
import { renderPage } from '../render.js';
import { param, principalOf, type UiDeps } from '../ui-deps.js';

const DURATIONS: ReadonlyArray<readonly [string, string]> = [
  ['1h', '1 hour'],
  ['2h', '2 hours'],
  ['4h', '4 hours'],
  ['12h', '12 hours'],
  ['1d', '1 day'],
  ['3d', '3 days'],
  ['7d', '1 week'],
];

const STATE_ORDER = { active: 0, pending: 1, expired: 2 } as const;

function matcherText(s: Silence): string[] {
  return s.matchers.map((m) =>
    matcherString({
      name: m.name,
      type: m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=',
      value: m.value,
    }),
  );
}

interface FormValues {
  readonly matchers: string;
  readonly duration: string;
  readonly createdBy: string;
  readonly comment: string;
}

/** Reads the form's matchers: one per line (or comma-separated), in Alertmanager's syntax. */
export function parseMatcherLines(text: string): {
  matchers: ReturnType<typeof parseMatcher>[];
  error?: string;
} {
  const parts = text
    .split(/\n|,(?=\s*[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:=|!=|=~|!~))/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const matchers = [];
  for (const part of parts) {
    try {
      matchers.push(parseMatcher(part));
    } catch (error) {
      if (!(error instanceof MatcherError)) throw error;
      return { matchers: [], error: `${part}: ${error.message}` };
    }
  }
  return { matchers };
}

export function silencesPages(deps: UiDeps) {
  const { alerting } = deps;

  const matching = (matchers: ReturnType<typeof parseMatcher>[], now: number): AlertRecord[] =>
    matchers.length === 0
      ? []
      : [...alerting.alerts()].filter(
          (a) => a.endsAt > now && matchers.every((m) => m.matches(a.labels[m.name] ?? '')),
        );

  const form = (c: Context, values: FormValues, error?: string, status: 200 | 400 = 200) => {
    const now = alerting.now();
    const principal = principalOf(c);
    const admin = isAdmin(principal);
    const parsed = parseMatcherLines(values.matchers);
    const affected = parsed.error ? [] : matching(parsed.matchers, now);
    return renderPage(
      c,
      deps,
      { title: 'New silence', active: 'silences', status },
      <>
        <h1>New silence</h1>
        {!admin ? <Notice tone="info">You are a viewer: only admins can create silences.</Notice> : null}
        {error ? (
          <Notice tone="bad" testid="silence-error">
            {error}
          </Notice>
        ) : null}
        <form method="post" action="/ui/silences" class="stack" data-testid="silence-form">
          <CsrfField principal={principal} />
          <label>
            Matchers{' '}
            <span class="muted small">(one per line: name="value", name=~"regex", name!="value")</span>
            <textarea
              name="matchers"
              rows={Math.max(3, values.matchers.split('\n').length + 1)}
              required
              data-testid="silence-matchers"
            >
              {values.matchers}
            </textarea>
          </label>
          <div class="row">
            <label>
              For
              <select name="duration" data-testid="silence-duration">
                {DURATIONS.map(([v, label]) => (
                  <option value={v} selected={v === values.duration}>
                    {label}
                  </option>
                ))}
              </select>
            </label>
            <label class="grow">
              Created by
              <input name="createdBy" value={values.createdBy} required />
            </label>
          </div>
          <label>
            Comment
            <input
              name="comment"
              value={values.comment}
              required
              placeholder="why, and who is on it"
              data-testid="silence-comment"
            />
          </label>
          <div class="row">
            <button type="submit" disabled={!admin} data-testid="silence-submit">
              Create silence
            </button>
          </div>
        </form>
        <Section title={`Alerts it would silence now (${affected.length})`}>
          <Table
            head={['Alert', 'Labels', 'Since']}
            rows={affected.length}
            testid="silence-preview"
            empty="No firing alert matches these matchers."
          >
            {affected.slice(0, 100).map((a) => (
              <tr>
                <td>
                  <Badge tone="warn">{a.labels.alertname ?? 'alert'}</Badge>
                </td>
                <td>
                  <LabelChips labels={a.labels} skip={['alertname']} />
                </td>
                <td>
                  <Time at={a.startsAt} now={now} />
                </td>
              </tr>
            ))}
          </Table>
        </Section>
      </>,
    );
  };

  return (app: Hono): void => {
    app.get('/ui/silences', (c: Context) => {
      const now = alerting.now();
      const admin = isAdmin(principalOf(c));
      const alerts = [...alerting.alerts()].filter((a) => a.endsAt > now);
      const list = alerting
        .silences()
        .map((s) => ({ s, state: silenceState(s, now) }))
        .sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state] || b.s.updatedAt - a.s.updatedAt);
      const notice = param(c, 'notice');
      return renderPage(
        c,
        deps,
        { title: 'Silences', active: 'silences' },
        <>
          <h1>Silences</h1>
          {notice === 'created' ? <Notice tone="ok">Silence {param(c, 'id') ?? ''} created.</Notice> : null}
          {notice === 'expired' ? <Notice tone="ok">Silence expired.</Notice> : null}
          {admin ? (
            <p>
              <a class="button" href="/ui/silences/new" data-testid="new-silence">
                New silence
              </a>
            </p>
          ) : null}
          <Table
            head={['State', 'Matchers', 'Mutes now', 'Starts', 'Ends', 'By', 'Comment', '']}
            rows={list.length}
            testid="silences"
            empty="No silences."
          >
            {list.slice(0, 500).map(({ s, state }) => (
              <tr id={s.id} data-testid="silence-row" data-silence-id={s.id}>
                <td>
                  <Badge tone={state === 'active' ? 'ok' : state === 'pending' ? 'info' : 'muted'}>
                    {state}
                  </Badge>
                </td>
                <td>
                  <span class="chips">
                    {matcherText(s).map((m) => (
                      <span class="chip">{m}</span>
                    ))}
                  </span>
                </td>
                <td class="num">
                  {state === 'active' ? alerts.filter((a) => silenceMatches(s, a.labels)).length : '—'}
                </td>
                <td>
                  <Time at={s.startsAt} now={now} />
                </td>
                <td>
                  <Time at={s.endsAt} now={now} />
                </td>
                <td>{s.createdBy}</td>
                <td class="msg">{s.comment}</td>
                <td>
                  {admin && state !== 'expired' ? (
                    <form
                      method="post"
                      action={`/ui/silences/${s.id}/expire`}
                      class="inline"
                      data-confirm="Expire this silence?"
                    >
                      <CsrfField principal={principalOf(c)} />
                      <button type="submit" class="small danger" data-testid="expire-silence">
                        Expire
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

    app.get('/ui/silences/new', (c) => {
      const fp = param(c, 'fp');
      const alert = fp ? [...alerting.alerts()].find((a) => a.fingerprint === fp) : undefined;
      const prefilled = alert
        ? Object.entries(alert.labels)
            .sort(([a], [b]) => (a === 'alertname' ? -1 : b === 'alertname' ? 1 : a.localeCompare(b)))
            .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
            .join('\n')
        : '';
      return form(c, {
        matchers: param(c, 'matchers') ?? prefilled,
        duration: param(c, 'duration') ?? '2h',
        createdBy: param(c, 'createdBy') ?? principalOf(c)?.name ?? '',
        comment: param(c, 'comment') ?? '',
      });
    });

    app.post('/ui/silences', async (c) => {
      const body = await c.req.parseBody();
      const text = (k: string): string => (typeof body[k] === 'string' ? body[k] : '').trim();
      const values: FormValues = {
        matchers: text('matchers'),
        duration: text('duration') || '2h',
        createdBy: text('createdBy') || (principalOf(c)?.name ?? ''),
        comment: text('comment'),
      };
      const parsed = parseMatcherLines(values.matchers);
      if (parsed.error) return form(c, values, parsed.error, 400);
      if (parsed.matchers.length === 0) return form(c, values, 'Give at least one matcher.', 400);
      const ms = parseDuration(values.duration);
      if (ms === undefined || ms <= 0) return form(c, values, `"${values.duration}" is not a duration.`, 400);
      if (!values.comment) return form(c, values, 'Say why in the comment.', 400);
      const now = alerting.now();
      const answer = await deps.api.send<{ silenceID: string }>(c, 'POST', '/api/v2/silences', {
        matchers: parsed.matchers.map((m) => ({
          name: m.name,
          value: m.value,
          isRegex: m.type === '=~' || m.type === '!~',
          isEqual: m.type === '=' || m.type === '=~',
        })),
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + ms).toISOString(),
        createdBy: values.createdBy,
        comment: values.comment,
      });
      if (!answer.ok || !answer.body)
        return form(c, values, `Lookout refused the silence: ${answer.message}`, 400);
      deps.log.info(
        { silence: answer.body.silenceID, by: principalOf(c)?.name },
        'silence created from the web UI',
      );
      return c.redirect(`/ui/silences?notice=created&id=${encodeURIComponent(answer.body.silenceID)}`, 303);
    });

    app.post('/ui/silences/:id/expire', async (c) => {
      const id = c.req.param('id');
      const answer = await deps.api.send(c, 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
      if (!answer.ok) {
        return renderPage(
          c,
          deps,
          { title: 'Silences', active: 'silences', status: 400 },
          <>
            <h1>Silences</h1>
            <Notice tone="bad">
              Could not expire silence {id}: {answer.message}
            </Notice>
            <p>
              <a href="/ui/silences">Back to the silences</a>
            </p>
          </>,
        );
      }
      deps.log.info({ silence: id, by: principalOf(c)?.name }, 'silence expired from the web UI');
      return c.redirect('/ui/silences?notice=expired', 303);
    });
  };
}
