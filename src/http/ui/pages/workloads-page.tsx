// Workloads (Deployments, StatefulSets, DaemonSets, Jobs, ReplicaSets): replicas and
// conditions now, and a page per workload with its pods, autoscaler, crashes and events.
import type { Context, Hono } from 'hono';
import type { WorkloadKind, WorkloadSnapshot } from '../../../domain/kube.js';
import { queryCrashes } from '../../../store/repos/crash-repo.js';
import { queryEvents } from '../../../store/repos/event-repo.js';
import { Badge, Chart, ConditionsSection, CrashTable, Section, Table, Time, toneOf } from '../components.js';
import { RANGES } from '../format.js';
import { podHref, timelineHref, workloadHref } from '../links.js';
import { renderErrorPage, renderPage } from '../render.js';
import { param, type UiDeps } from '../ui-deps.js';
import { podStatus } from './pods-page.js';

const KINDS: readonly WorkloadKind[] = ['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'ReplicaSet'];
const PAGE_SIZE = 200;

/** Conditions that say something is wrong. */
export function workloadProblems(w: WorkloadSnapshot): string[] {
  const out: string[] = [];
  for (const [type, cond] of Object.entries(w.conditions)) {
    if (type === 'Available' && cond.status === 'False')
      out.push(`not available${cond.reason ? ` (${cond.reason})` : ''}`);
    if (type === 'Progressing' && cond.reason === 'ProgressDeadlineExceeded') out.push('rollout stuck');
    if ((type === 'ReplicaFailure' || type === 'Failed') && cond.status === 'True')
      out.push(cond.reason ?? type);
  }
  if (w.kind !== 'Job' && w.ready < w.desired) out.push(`${w.desired - w.ready} not ready`);
  return out;
}

function replicas(w: WorkloadSnapshot): string {
  if (w.kind === 'Job')
    return `${w.succeeded ?? 0}/${w.completions ?? 1} done${w.failed ? `, ${w.failed} failed` : ''}`;
  return `${w.ready}/${w.desired}`;
}

export function workloadsPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/workloads', (c: Context) => {
      const now = deps.now();
      const kindParam = param(c, 'kind');
      const kind = KINDS.find((k) => k === kindParam);
      const namespace = param(c, 'namespace');
      const q = param(c, 'q')?.toLowerCase();
      const troubled = param(c, 'troubled') === '1';
      const rows: Array<{ cluster: string; w: WorkloadSnapshot; problems: string[] }> = [];
      for (const cluster of deps.clusters) {
        for (const w of deps.state(cluster)?.workloads(kind) ?? []) {
          // ReplicaSets of Deployments are shown through their Deployment unless asked for.
          if (!kind && w.kind === 'ReplicaSet') continue;
          if (namespace && w.namespace !== namespace) continue;
          if (q && !w.name.toLowerCase().includes(q)) continue;
          const problems = workloadProblems(w);
          if (troubled && problems.length === 0) continue;
          rows.push({ cluster, w, problems });
        }
      }
      rows.sort(
        (a, b) =>
          b.problems.length - a.problems.length ||
          a.w.namespace.localeCompare(b.w.namespace) ||
          a.w.name.localeCompare(b.w.name),
      );
      return renderPage(
        c,
        deps,
        { title: 'Workloads', active: 'workloads' },
        <>
          <h1>Workloads</h1>
          <form method="get" action="/ui/workloads" class="filters" role="search">
            <input
              type="search"
              name="q"
              value={q ?? ''}
              placeholder="name contains"
              aria-label="Name"
              class="grow"
            />
            <input name="namespace" value={namespace ?? ''} placeholder="namespace" aria-label="Namespace" />
            <select name="kind" aria-label="Kind">
              <option value="">all kinds</option>
              {KINDS.map((k) => (
                <option value={k} selected={k === kind}>
                  {k}
                </option>
              ))}
            </select>
            <label class="check">
              <input type="checkbox" name="troubled" value="1" checked={troubled} /> with problems only
            </label>
            <button type="submit">Filter</button>
          </form>
          <p class="muted small">
            {rows.length.toLocaleString('en')} workloads
            {rows.length > PAGE_SIZE ? `, the first ${PAGE_SIZE} shown` : ''}
          </p>
          <Table
            head={['Workload', 'Kind', 'Ready', 'Up to date', 'Available', 'Age', 'Problems']}
            rows={rows.length}
            testid="workloads"
            empty="No workloads match."
          >
            {rows.slice(0, PAGE_SIZE).map(({ cluster, w, problems }) => (
              <tr>
                <td>
                  <a href={workloadHref(cluster, w.kind, w.namespace, w.name)}>
                    <span class="ns">{w.namespace}/</span>
                    {w.name}
                  </a>
                </td>
                <td>{w.kind}</td>
                <td class="num">{replicas(w)}</td>
                <td class="num">{w.updated}</td>
                <td class="num">{w.available}</td>
                <td>
                  <Time at={w.createdAt} now={now} />
                </td>
                <td>
                  {problems.map((p) => (
                    <Badge tone="bad">{p}</Badge>
                  ))}
                </td>
              </tr>
            ))}
          </Table>
        </>,
      );
    });

    app.get('/ui/workloads/:cluster/:kind/:namespace/:name', async (c) => {
      const now = deps.now();
      const { cluster, kind, namespace, name } = c.req.param();
      const state = deps.state(cluster);
      const w = state
        ?.workloads()
        .find((x) => x.kind === kind && x.namespace === namespace && x.name === name);
      const crashes = await queryCrashes(deps.store.db, deps.store.dialect, {
        cluster,
        namespace,
        workload: name,
        limit: 20,
      });
      const events = await queryEvents(deps.store.db, deps.store.dialect, {
        cluster,
        namespace,
        ...(w ? { involvedUid: w.uid } : { object: `${kind}/${name}` }),
        limit: 30,
      });
      if (!w && crashes.items.length === 0 && events.items.length === 0) {
        return renderErrorPage(
          c,
          deps,
          404,
          'No such workload',
          `Lookout knows no ${kind} ${namespace}/${name} in cluster "${cluster}".`,
        );
      }
      const pods = (state?.pods(namespace) ?? []).filter(
        (p) =>
          (p.workload?.kind === kind && p.workload.name === name) ||
          (p.owner?.kind === kind && p.owner.name === name),
      );
      const hpas = (state?.hpas() ?? []).filter(
        (h) => h.namespace === namespace && h.target.kind === kind && h.target.name === name,
      );
      const range = param(c, 'range') ?? '6h';
      const problems = w ? workloadProblems(w) : [];
      return renderPage(
        c,
        deps,
        { title: `${kind} ${name}`, active: 'workloads' },
        <>
          <h1>
            <span class="ns">
              {namespace}/{kind.toLowerCase()}/
            </span>
            {name}{' '}
            {problems.map((p) => (
              <Badge tone="bad">{p}</Badge>
            ))}
          </h1>
          {w ? (
            <div class="grid2">
              <Section title="Replicas">
                <dl class="facts" data-testid="workload-state">
                  <dt>Ready</dt>
                  <dd>{replicas(w)}</dd>
                  <dt>Up to date</dt>
                  <dd>{w.updated}</dd>
                  <dt>Available</dt>
                  <dd>{w.available}</dd>
                  <dt>Generation</dt>
                  <dd>
                    {w.observedGeneration}/{w.generation}
                  </dd>
                  <dt>Created</dt>
                  <dd>
                    <Time at={w.createdAt} now={now} />
                  </dd>
                  {hpas.map((h) => (
                    <>
                      <dt>Autoscaler</dt>
                      <dd>
                        <a href={`/ui/hpa?namespace=${encodeURIComponent(namespace)}`}>{h.name}</a>:{' '}
                        {h.currentReplicas} → {h.desiredReplicas} (min {h.minReplicas}, max {h.maxReplicas})
                        {h.currentCpuUtilization !== undefined
                          ? `, CPU ${h.currentCpuUtilization}%/${h.targetCpuUtilization ?? '?'}%`
                          : ''}
                      </dd>
                    </>
                  ))}
                </dl>
              </Section>
              <ConditionsSection conditions={w.conditions} now={now} />
            </div>
          ) : null}
          <Section title={`Pods (${pods.length})`}>
            <Table
              head={['Pod', 'Status', 'Restarts', 'Node', 'Age']}
              rows={pods.length}
              testid="workload-pods"
              empty="No pods now."
            >
              {pods.map((p) => {
                const status = podStatus(p);
                return (
                  <tr>
                    <td>
                      <a href={podHref(cluster, p.namespace, p.name)}>{p.name}</a>
                    </td>
                    <td>
                      <Badge tone={toneOf(status)}>{status}</Badge>
                    </td>
                    <td class="num">{p.containers.reduce((n, k) => n + k.restartCount, 0)}</td>
                    <td>{p.node ?? '—'}</td>
                    <td>
                      <Time at={p.createdAt} now={now} />
                    </td>
                  </tr>
                );
              })}
            </Table>
          </Section>
          <Section
            title="Usage"
            actions={
              <form method="get" class="inline">
                <select name="range" aria-label="Range" data-autosubmit>
                  {RANGES.map(([v, label]) => (
                    <option value={v} selected={v === range}>
                      {label}
                    </option>
                  ))}
                </select>
              </form>
            }
          >
            <div class="grid2">
              <Chart
                spec={{
                  source: 'query',
                  query: 'container-cpu',
                  title: 'CPU, % of limit',
                  params: { cluster, namespace, range },
                  filter: { pod: `${name}-*` },
                }}
              />
              <Chart
                spec={{
                  source: 'query',
                  query: 'container-memory',
                  title: 'Memory, % of limit',
                  params: { cluster, namespace, range },
                  filter: { pod: `${name}-*` },
                }}
              />
            </div>
          </Section>
          <div class="grid2">
            <Section
              title="Crashes"
              actions={
                <a href={`/ui/crashes?${new URLSearchParams({ namespace, workload: name }).toString()}`}>
                  All
                </a>
              }
            >
              <CrashTable crashes={crashes.items} of="workload" now={now} testid="workload-crashes" />
            </Section>
            <Section
              title="Events"
              actions={<a href={timelineHref(cluster, kind, namespace, name, w?.uid)}>Timeline</a>}
            >
              <Table head={['When', 'Reason', 'Message']} rows={events.items.length} empty="No events.">
                {events.items.map((e) => (
                  <tr>
                    <td>
                      <Time at={e.lastAt} now={now} />
                    </td>
                    <td>
                      <Badge tone={e.type === 'Warning' ? 'warn' : 'muted'}>{e.reason}</Badge>
                    </td>
                    <td class="msg">{e.message}</td>
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
