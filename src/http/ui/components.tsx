// Small building blocks of the pages: times, badges, label chips, stat cards, tables that
// scroll on a phone, pagers, chart placeholders the browser script draws into, and notices.
import type { Child, FC } from 'hono/jsx';
import type { CrashRecord } from '../../domain/history.js';
import { raw } from 'hono/html';
import { oneLine, relative, utc } from './format.js';

/** `5m ago`, with the exact time on hover and in `datetime`. */
export const Time: FC<{ at: number | null | undefined; now: number }> = ({ at, now }) =>
  at === null || at === undefined ? (
    <span class="muted">—</span>
  ) : (
    <time datetime={new Date(at).toISOString()} title={utc(at)}>
      {relative(at, now)}
    </time>
  );

export type Tone = 'bad' | 'warn' | 'ok' | 'info' | 'muted';

const BAD =
  /crash|backoff|err|fail|oom|evict|unknown|notready|killed|unhealthy|critical|firing|invalid|dead/i;
const WARN = /pending|warning|pressure|unschedulable|suppressed|silenced|progressing|expired/i;

/** A tone guessed from a Kubernetes or Lookout word (Warning, CrashLoopBackOff, Running…). */
export function toneOf(word: string): Tone {
  if (BAD.test(word)) return 'bad';
  if (WARN.test(word)) return 'warn';
  if (/running|ready|active|ok|normal|succeeded|completed|bound|resolved|sent/i.test(word)) return 'ok';
  return 'info';
}

export const Badge: FC<{
  tone?: Tone | undefined;
  children?: Child;
  title?: string | undefined;
  testid?: string;
}> = (p) => (
  <span class={`badge ${p.tone ?? 'info'}`} title={p.title} data-testid={p.testid}>
    {p.children}
  </span>
);

/** Label pairs as chips (`alertname=PodCrashLooping`). */
export const LabelChips: FC<{ labels: Readonly<Record<string, string>>; skip?: readonly string[] }> = ({
  labels,
  skip = [],
}) => (
  <span class="chips">
    {Object.entries(labels)
      .filter(([k]) => !skip.includes(k))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => (
        <span class="chip">
          <span class="k">{k}</span>=<span class="v">{v}</span>
        </span>
      ))}
  </span>
);

export const Stat: FC<{
  label: string;
  value: Child;
  tone?: Tone | undefined;
  href?: string;
  testid?: string;
  children?: Child;
}> = (p) => (
  <div class={`stat ${p.tone ?? ''}`} data-testid={p.testid}>
    <div class="label">{p.href ? <a href={p.href}>{p.label}</a> : p.label}</div>
    <div class="value">{p.value}</div>
    {p.children ? <div class="detail">{p.children}</div> : null}
  </div>
);

/** A table that scrolls sideways on narrow screens instead of squeezing its columns. */
export const Table: FC<{
  head: readonly string[];
  children?: Child;
  testid?: string;
  empty?: string;
  rows?: number;
}> = (p) =>
  p.rows === 0 ? (
    <p class="empty" data-testid={p.testid}>
      {p.empty ?? 'Nothing to show.'}
    </p>
  ) : (
    <div class="table-wrap">
      <table data-testid={p.testid}>
        <thead>
          <tr>
            {p.head.map((h) => (
              <th scope="col">{h}</th>
            ))}
          </tr>
        </thead>
        <tbody>{p.children}</tbody>
      </table>
    </div>
  );

/** Data for the browser script, as JSON that cannot end the script element early. */
export const JsonData: FC<{ id: string; data: unknown }> = ({ id, data }) => (
  <script type="application/json" id={id}>
    {raw(
      JSON.stringify(data)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029'),
    )}
  </script>
);

export interface ChartSpec {
  /**
   * `query`: fetch `/api/v1/query/{query}`; `histogram`: fetch `/api/v1/{query}` (the events
   * histogram's shape); `data`: read the JSON element `data`.
   */
  readonly source: 'query' | 'histogram' | 'data';
  readonly title: string;
  readonly query?: string | undefined;
  readonly params?: Readonly<Record<string, string | undefined>> | undefined;
  /** The id of a {@link JsonData} element holding `{ unit, kind, series: [{ name, points }] }`. */
  readonly data?: string | undefined;
  /** Keep only series whose labels include these. */
  readonly filter?: Readonly<Record<string, string>> | undefined;
  readonly kind?: 'line' | 'bars' | undefined;
  readonly testid?: string | undefined;
}

/** A box the browser script draws a uPlot chart into; says what it shows without script. */
export const Chart: FC<{ spec: ChartSpec }> = ({ spec }) => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(spec.params ?? {})) if (v) params.set(k, v);
  const src = !spec.query
    ? undefined
    : spec.source === 'query'
      ? `/api/v1/query/${spec.query}?${params.toString()}`
      : spec.source === 'histogram'
        ? `/api/v1/${spec.query}?${params.toString()}`
        : undefined;
  return (
    <figure class="chart" data-testid={spec.testid}>
      <figcaption>{spec.title}</figcaption>
      <div
        class="plot"
        data-chart={spec.kind ?? 'line'}
        data-src={src}
        data-format={spec.source === 'histogram' ? 'histogram' : undefined}
        data-data={spec.data}
        data-filter={spec.filter ? JSON.stringify(spec.filter) : undefined}
      >
        <noscript>Charts need JavaScript.</noscript>
      </div>
    </figure>
  );
};

/** A message at the top of a page after an action (`?notice=…`), or an error. */
export const Notice: FC<{ tone: 'ok' | 'bad' | 'info'; children?: Child; testid?: string }> = (p) => (
  <div
    class={`notice ${p.tone}`}
    role={p.tone === 'bad' ? 'alert' : 'status'}
    data-testid={p.testid ?? `notice-${p.tone}`}
  >
    {p.children}
  </div>
);

/** "Newer" and "Older" links of a keyset-paginated list. */
export const Pager: FC<{
  path: string;
  query: URLSearchParams;
  next?: string | undefined;
  param?: string;
}> = (p) => {
  const param = p.param ?? 'cursor';
  const first = new URLSearchParams(p.query);
  first.delete(param);
  const older = new URLSearchParams(p.query);
  if (p.next) older.set(param, p.next);
  const onFirst = !p.query.has(param);
  if (onFirst && !p.next) return null;
  return (
    <nav class="pager" aria-label="Pages">
      {onFirst ? <span class="muted">Newest</span> : <a href={`${p.path}?${first.toString()}`}>« Newest</a>}
      {p.next ? (
        <a href={`${p.path}?${older.toString()}`} rel="next" data-testid="older">
          Older »
        </a>
      ) : (
        <span class="muted">Oldest</span>
      )}
    </nav>
  );
};

export const Section: FC<{ title: string; id?: string; children?: Child; actions?: Child }> = (p) => (
  <section class="card" id={p.id}>
    <header class="card-head">
      <h2>{p.title}</h2>
      {p.actions ? <div class="actions">{p.actions}</div> : null}
    </header>
    {p.children}
  </section>
);

/** The conditions of a pod, node or workload: type, status, reason with message, since when. */
export const ConditionsSection: FC<{
  conditions: Readonly<
    Record<
      string,
      {
        status: string;
        reason?: string | undefined;
        message?: string | undefined;
        since?: number | undefined;
      }
    >
  >;
  now: number;
}> = ({ conditions, now }) => (
  <Section title="Conditions">
    <Table head={['Type', 'Status', 'Reason', 'Since']} rows={Object.keys(conditions).length}>
      {Object.entries(conditions).map(([type, cond]) => (
        <tr>
          <td>{type}</td>
          <td>
            <Badge tone={cond.status === 'True' ? 'ok' : 'warn'}>{cond.status}</Badge>
          </td>
          <td class="msg">
            {cond.reason ?? ''}{' '}
            {cond.message ? <span class="muted">{oneLine(cond.message, 140)}</span> : null}
          </td>
          <td>
            <Time at={cond.since} now={now} />
          </td>
        </tr>
      ))}
    </Table>
  </Section>
);

/**
 * The crashes of one pod (container and restart columns) or of one workload (pod column), each
 * row linking to its crash page.
 */
export const CrashTable: FC<{
  crashes: readonly CrashRecord[];
  of: 'pod' | 'workload';
  now: number;
  testid: string;
}> = ({ crashes, of, now, testid }) => (
  <Table
    head={
      of === 'pod' ? ['When', 'Container', 'Reason', 'Exit', 'Restart'] : ['When', 'Pod', 'Reason', 'Exit']
    }
    rows={crashes.length}
    testid={testid}
    empty="No crashes."
  >
    {crashes.map((k) => (
      <tr>
        <td>
          <a href={`/ui/crashes/${k.id}`}>
            <Time at={k.finishedAt ?? k.observedAt} now={now} />
          </a>
        </td>
        <td>{of === 'pod' ? k.container : k.pod}</td>
        <td>
          <Badge tone={toneOf(k.reason)}>{k.reason}</Badge>
        </td>
        <td class="num">{k.exitCode}</td>
        {of === 'pod' ? <td class="num">{k.restartCount}</td> : null}
      </tr>
    ))}
  </Table>
);
