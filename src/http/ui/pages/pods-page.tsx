// Pods: what runs now (filterable, paged), and a page per pod with its current state, its
// containers, its lifecycle log, abnormal periods, crashes, events and usage charts.
import type { Context, Hono } from 'hono';
import type { ContainerSnapshot, PodSnapshot } from '../../../domain/kube.js';
import { queryAbnormal, queryLifecycle } from '../../../store/repos/pod-history-repo.js';
import { queryCrashes } from '../../../store/repos/crash-repo.js';
import { queryEvents } from '../../../store/repos/event-repo.js';
import {
  Badge,
  Chart,
  ConditionsSection,
  CrashTable,
  Notice,
  Section,
  Table,
  Time,
  toneOf,
} from '../components.js';
import { bytes, cores, RANGES, shortDuration, utc } from '../format.js';
import { podHref, timelineHref, workloadHref } from '../links.js';
import { renderErrorPage, renderPage } from '../render.js';
import { param, type UiDeps } from '../ui-deps.js';

const PAGE_SIZE = 100;

/** What `kubectl get pods` shows in STATUS, near enough. */
export function podStatus(p: PodSnapshot): string {
  if (p.deletingAt !== undefined) return 'Terminating';
  if (p.reason) return p.reason;
  for (const c of p.containers) {
    if (c.type === 'init' && c.state.kind !== 'terminated') {
      return c.state.kind === 'waiting' && c.state.reason ? `Init:${c.state.reason}` : 'Init';
    }
  }
  for (const c of p.containers) {
    if (c.type !== 'app') continue;
    if (c.state.kind === 'waiting' && c.state.reason) return c.state.reason;
    if (c.state.kind === 'terminated' && c.state.reason) return c.state.reason;
  }
  return p.phase;
}

function readiness(p: PodSnapshot): string {
  const app = p.containers.filter((c) => c.type === 'app');
  return `${app.filter((c) => c.ready).length}/${app.length}`;
}

function restarts(p: PodSnapshot): number {
  return p.containers.reduce((n, c) => n + c.restartCount, 0);
}

function stateText(c: ContainerSnapshot, now: number): string {
  const s = c.state;
  if (s.kind === 'waiting') return `waiting${s.reason ? `: ${s.reason}` : ''}`;
  if (s.kind === 'running') return `running${s.startedAt ? ` for ${shortDuration(now - s.startedAt)}` : ''}`;
  return `terminated: ${s.reason} (exit ${s.exitCode})`;
}

export function podsPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/pods', async (c: Context) => {
      const now = deps.now();
      const cluster = param(c, 'cluster');
      const clusters = cluster && deps.clusters.includes(cluster) ? [cluster] : deps.clusters;
      const namespace = param(c, 'namespace');
      const node = param(c, 'node');
      const phase = param(c, 'phase');
      const q = param(c, 'q')?.toLowerCase();
      const abnormalOnly = param(c, 'abnormal') === '1' || param(c, 'abnormal') === 'true';
      const offset = Math.max(0, Number(param(c, 'offset') ?? 0) || 0);

      let abnormalUids: Map<string, string[]> | undefined;
      if (abnormalOnly) {
        abnormalUids = new Map();
        for (const name of clusters) {
          const open = await queryAbnormal(deps.store.db, {
            cluster: name,
            namespace,
            open: true,
            limit: 5000,
          });
          for (const a of open.items)
            abnormalUids.set(a.podUid, [...(abnormalUids.get(a.podUid) ?? []), a.reason]);
        }
      }
      const rows: Array<{ cluster: string; pod: PodSnapshot }> = [];
      for (const name of clusters) {
        for (const pod of deps.state(name)?.pods(namespace) ?? []) {
          if (node && pod.node !== node) continue;
          if (phase && pod.phase !== phase) continue;
          if (q && !pod.name.toLowerCase().includes(q)) continue;
          if (abnormalUids && !abnormalUids.has(pod.uid)) continue;
          rows.push({ cluster: name, pod });
        }
      }
      rows.sort(
        (a, b) =>
          a.pod.namespace.localeCompare(b.pod.namespace) ||
          a.pod.name.localeCompare(b.pod.name) ||
          a.cluster.localeCompare(b.cluster),
      );
      const shown = rows.slice(offset, offset + PAGE_SIZE);
      const url = new URL(c.req.url);
      const pageLink = (o: number): string => {
        const p = new URLSearchParams(url.searchParams);
        p.set('offset', String(o));
        return `/ui/pods?${p.toString()}`;
      };
      return renderPage(
        c,
        deps,
        { title: 'Pods', active: 'pods' },
        <>
          <h1>Pods</h1>
          <form method="get" action="/ui/pods" class="filters" role="search">
            <input
              type="search"
              name="q"
              value={q ?? ''}
              placeholder="pod name contains"
              aria-label="Pod name"
              class="grow"
            />
            <input name="namespace" value={namespace ?? ''} placeholder="namespace" aria-label="Namespace" />
            <input name="node" value={node ?? ''} placeholder="node" aria-label="Node" />
            <select name="phase" aria-label="Phase">
              <option value="">any phase</option>
              {['Running', 'Pending', 'Succeeded', 'Failed', 'Unknown'].map((p) => (
                <option value={p} selected={p === phase}>
                  {p}
                </option>
              ))}
            </select>
            <label class="check">
              <input type="checkbox" name="abnormal" value="1" checked={abnormalOnly} /> abnormal only
            </label>
            <button type="submit">Filter</button>
          </form>
          <p class="muted small">
            {rows.length.toLocaleString('en')} pods
            {rows.length > PAGE_SIZE
              ? `, ${offset + 1}–${Math.min(rows.length, offset + PAGE_SIZE)} shown`
              : ''}
          </p>
          <Table
            head={['Pod', 'Ready', 'Status', 'Restarts', 'Node', 'Age']}
            rows={shown.length}
            testid="pods"
            empty="No pods match."
          >
            {shown.map(({ cluster: cl, pod }) => {
              const status = podStatus(pod);
              const reasons = abnormalUids?.get(pod.uid);
              return (
                <tr>
                  <td>
                    <a href={podHref(cl, pod.namespace, pod.name)}>
                      <span class="ns">{pod.namespace}/</span>
                      {pod.name}
                    </a>
                  </td>
                  <td class="num">{readiness(pod)}</td>
                  <td>
                    <Badge tone={toneOf(status)}>{status}</Badge>
                    {reasons
                      ?.filter((r) => r !== status)
                      .map((r) => (
                        <Badge tone="bad">{r}</Badge>
                      ))}
                  </td>
                  <td class="num">{restarts(pod)}</td>
                  <td>{pod.node ?? '—'}</td>
                  <td>
                    <Time at={pod.createdAt} now={now} />
                  </td>
                </tr>
              );
            })}
          </Table>
          {rows.length > PAGE_SIZE ? (
            <nav class="pager">
              {offset > 0 ? (
                <a href={pageLink(Math.max(0, offset - PAGE_SIZE))}>« Previous</a>
              ) : (
                <span class="muted">First</span>
              )}
              {offset + PAGE_SIZE < rows.length ? (
                <a href={pageLink(offset + PAGE_SIZE)}>Next »</a>
              ) : (
                <span class="muted">Last</span>
              )}
            </nav>
          ) : null}
        </>,
      );
    });

    app.get('/ui/pods/:cluster/:namespace/:name', async (c) => {
      const now = deps.now();
      const { cluster, namespace, name } = c.req.param();
      const pod = deps.state(cluster)?.pod(namespace, name);
      const lifecycle = await queryLifecycle(deps.store.db, { cluster, namespace, pod: name, limit: 200 });
      if (!pod && lifecycle.length === 0) {
        return renderErrorPage(
          c,
          deps,
          404,
          'No such pod',
          `Lookout knows no pod ${namespace}/${name} in cluster "${cluster}".`,
        );
      }
      const crashes = await queryCrashes(deps.store.db, deps.store.dialect, {
        cluster,
        namespace,
        pod: name,
        limit: 20,
      });
      const abnormal = (await queryAbnormal(deps.store.db, { cluster, namespace, limit: 2000 })).items.filter(
        (a) => a.pod === name,
      );
      // By the pod's uid while it exists (indexed); a deleted pod is found by its name.
      const events = await queryEvents(deps.store.db, deps.store.dialect, {
        cluster,
        namespace,
        ...(pod ? { involvedUid: pod.uid } : { object: `Pod/${name}` }),
        limit: 30,
      });
      const range = param(c, 'range') ?? '6h';
      const status = pod ? podStatus(pod) : 'Deleted';

      return renderPage(
        c,
        deps,
        { title: `Pod ${name}`, active: 'pods' },
        <>
          <h1>
            <span class="ns">{namespace}/</span>
            {name} <Badge tone={toneOf(status)}>{status}</Badge>
          </h1>
          {!pod ? <Notice tone="info">This pod no longer exists; its history is below.</Notice> : null}
          {pod ? (
            <div class="grid2">
              <Section title="Current state">
                <dl class="facts" data-testid="pod-state">
                  <dt>Phase</dt>
                  <dd>{pod.phase}</dd>
                  <dt>Node</dt>
                  <dd>
                    {pod.node ? (
                      <a href={`/ui/pods?node=${encodeURIComponent(pod.node)}`}>{pod.node}</a>
                    ) : (
                      'not scheduled'
                    )}
                  </dd>
                  <dt>Workload</dt>
                  <dd>
                    {pod.workload ? (
                      <a href={workloadHref(cluster, pod.workload.kind, namespace, pod.workload.name)}>
                        {pod.workload.kind.toLowerCase()}/{pod.workload.name}
                      </a>
                    ) : (
                      '—'
                    )}
                  </dd>
                  <dt>Created</dt>
                  <dd>
                    <Time at={pod.createdAt} now={now} /> <span class="muted">{utc(pod.createdAt)}</span>
                  </dd>
                  <dt>Pod IP</dt>
                  <dd>{pod.podIP ?? '—'}</dd>
                  <dt>QoS</dt>
                  <dd>{pod.qosClass ?? '—'}</dd>
                  <dt>Restart policy</dt>
                  <dd>{pod.restartPolicy}</dd>
                  {pod.message ? (
                    <>
                      <dt>Message</dt>
                      <dd class="msg">{pod.message}</dd>
                    </>
                  ) : null}
                </dl>
              </Section>
              <ConditionsSection conditions={pod.conditions} now={now} />
            </div>
          ) : null}
          {pod ? (
            <Section title="Containers">
              <Table
                head={[
                  'Container',
                  'State',
                  'Ready',
                  'Restarts',
                  'CPU req/lim',
                  'Memory req/lim',
                  'Last termination',
                  'Image',
                ]}
                rows={pod.containers.length}
                testid="containers"
              >
                {pod.containers.map((k) => (
                  <tr>
                    <td>
                      {k.name} {k.type !== 'app' ? <span class="muted">({k.type})</span> : null}
                    </td>
                    <td>
                      <Badge tone={toneOf(k.state.kind === 'running' ? 'running' : stateText(k, now))}>
                        {stateText(k, now)}
                      </Badge>
                    </td>
                    <td>{k.ready ? 'yes' : 'no'}</td>
                    <td class="num">{k.restartCount}</td>
                    <td>
                      {cores(k.requests.cpu)} / {cores(k.limits.cpu)}
                    </td>
                    <td>
                      {bytes(k.requests.memory)} / {bytes(k.limits.memory)}
                    </td>
                    <td>
                      {k.lastTerminated ? (
                        <>
                          {k.lastTerminated.reason} (exit {k.lastTerminated.exitCode}){' '}
                          <Time at={k.lastTerminated.finishedAt} now={now} />
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                    <td class="msg">{k.image}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          ) : null}

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
                <noscript>
                  <button type="submit">Show</button>
                </noscript>
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
                  filter: { pod: name },
                  testid: 'chart-pod-cpu',
                }}
              />
              <Chart
                spec={{
                  source: 'query',
                  query: 'container-memory',
                  title: 'Memory, % of limit',
                  params: { cluster, namespace, range },
                  filter: { pod: name },
                  testid: 'chart-pod-memory',
                }}
              />
            </div>
          </Section>

          <div class="grid2">
            <Section title="Lifecycle">
              <Table
                head={['When', 'What', 'Detail']}
                rows={lifecycle.length}
                testid="lifecycle"
                empty="Nothing recorded."
              >
                {lifecycle.map((e) => (
                  <tr>
                    <td>
                      <Time at={e.at} now={now} />
                    </td>
                    <td>
                      <Badge tone={e.action === 'deleted' ? 'warn' : 'info'}>{e.action}</Badge>
                    </td>
                    <td class="msg">{e.detail}</td>
                  </tr>
                ))}
              </Table>
            </Section>
            <Section title="Abnormal periods">
              <Table
                head={['Reason', 'Container', 'Began', 'Ended']}
                rows={abnormal.length}
                testid="abnormal-periods"
                empty="None recorded."
              >
                {abnormal.map((a) => (
                  <tr>
                    <td>
                      <Badge tone={a.endedAt === null ? 'bad' : 'muted'}>{a.reason}</Badge>
                    </td>
                    <td>{a.container || '—'}</td>
                    <td>
                      <Time at={a.beganAt} now={now} />
                    </td>
                    <td>{a.endedAt === null ? <b>ongoing</b> : <Time at={a.endedAt} now={now} />}</td>
                  </tr>
                ))}
              </Table>
            </Section>
          </div>

          <div class="grid2">
            <Section title="Crashes">
              <CrashTable crashes={crashes.items} of="pod" now={now} testid="pod-crashes" />
            </Section>
            <Section
              title="Events"
              actions={<a href={timelineHref(cluster, 'Pod', namespace, name, pod?.uid)}>Timeline</a>}
            >
              <Table
                head={['When', 'Reason', 'Message', 'Count']}
                rows={events.items.length}
                testid="pod-events"
                empty="No events."
              >
                {events.items.map((e) => (
                  <tr>
                    <td>
                      <Time at={e.lastAt} now={now} />
                    </td>
                    <td>
                      <Badge tone={e.type === 'Warning' ? 'warn' : 'muted'}>{e.reason}</Badge>
                    </td>
                    <td class="msg">{e.message}</td>
                    <td class="num">{e.countTo}</td>
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
