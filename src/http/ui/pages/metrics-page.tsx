// Metrics: the eight named resource queries as charts and `kubectl top` for nodes and pods,
// over a chosen range; and the autoscalers (HPA) with their replicas and targets.
import type { Context, Hono } from 'hono';
import { CHART_SERIES, QUERY_CATALOG, type QueryName } from '../../../domain/query.js';
import { Badge, Chart, Section, Table, Time } from '../components.js';
import { RANGES } from '../format.js';
import { workloadHref } from '../links.js';
import { renderPage } from '../render.js';
import { clusterOf, param, type UiDeps } from '../ui-deps.js';

/** Cluster- and node-level charts first: they are cheap; per-container ones can be large. */
const SERIES: readonly QueryName[] = [
  'node-cpu',
  'node-memory',
  'cluster-cpu',
  'node-memory-requests',
  'pods-running',
  'pods-abnormal',
  'container-cpu',
  'container-memory',
];

/** A table the browser fills from `/api/v1/query/{name}` (a table result). */
function QueryTable(props: { name: QueryName; params: Record<string, string | undefined>; testid: string }) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(props.params)) if (v) q.set(k, v);
  return (
    <div
      class="table-wrap"
      data-query-table={`/api/v1/query/${props.name}?${q.toString()}`}
      data-testid={props.testid}
    >
      <p class="muted small">Loading…</p>
      <noscript>Tables of live usage need JavaScript; `lookout top` prints them too.</noscript>
    </div>
  );
}

const RangePicker = (props: {
  range: string;
  namespace: string | undefined;
  cluster: string;
  namespaced?: boolean;
}) => (
  <form method="get" class="filters">
    <input type="hidden" name="cluster" value={props.cluster} />
    <select name="range" aria-label="Range" data-autosubmit data-testid="range">
      {RANGES.map(([v, label]) => (
        <option value={v} selected={v === props.range}>
          {label}
        </option>
      ))}
    </select>
    {props.namespaced === false ? null : (
      <input
        name="namespace"
        value={props.namespace ?? ''}
        placeholder="namespace (all)"
        aria-label="Namespace"
      />
    )}
    <button type="submit">Show</button>
  </form>
);

export function metricsPages(deps: UiDeps) {
  return (app: Hono): void => {
    app.get('/ui/metrics', (c: Context) => {
      const cluster = clusterOf(c, deps);
      const range = param(c, 'range') ?? '6h';
      const namespace = param(c, 'namespace');
      if (!cluster)
        return renderPage(
          c,
          deps,
          { title: 'Metrics', active: 'metrics' },
          <p class="empty">No clusters are configured.</p>,
        );
      return renderPage(
        c,
        deps,
        { title: 'Metrics', active: 'metrics', perCluster: true },
        <>
          <h1>Metrics</h1>
          <RangePicker range={range} namespace={namespace} cluster={cluster} />
          <div class="grid2">
            {SERIES.map((name) => {
              const spec = QUERY_CATALOG[name];
              return (
                <Chart
                  spec={{
                    source: 'query',
                    query: name,
                    title: spec.title,
                    params: {
                      cluster,
                      range,
                      namespace: spec.scope === 'namespace' ? namespace : undefined,
                      top: String(CHART_SERIES),
                    },
                    testid: `chart-${name}`,
                  }}
                />
              );
            })}
          </div>
          <Section title="Top nodes">
            <QueryTable name="top-nodes" params={{ cluster }} testid="top-nodes" />
          </Section>
          <Section title="Top pods">
            <QueryTable name="top-pods" params={{ cluster, namespace }} testid="top-pods" />
          </Section>
        </>,
      );
    });

    app.get('/ui/hpa', (c: Context) => {
      const now = deps.now();
      const cluster = clusterOf(c, deps);
      const namespace = param(c, 'namespace');
      const range = param(c, 'range') ?? '6h';
      const hpas = (cluster ? (deps.state(cluster)?.hpas() ?? []) : [])
        .filter((h) => !namespace || h.namespace === namespace)
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
      return renderPage(
        c,
        deps,
        { title: 'Autoscalers', active: 'hpa', perCluster: true },
        <>
          <h1>Horizontal pod autoscalers</h1>
          {cluster ? <RangePicker range={range} namespace={namespace} cluster={cluster} /> : null}
          <Table
            head={[
              'HPA',
              'Target',
              'CPU now / target',
              'Replicas',
              'Desired',
              'Min–max',
              'Last scale',
              'Conditions',
            ]}
            rows={hpas.length}
            testid="hpas"
            empty="No autoscalers."
          >
            {hpas.map((h) => {
              const limited = h.conditions.ScalingLimited?.status === 'True';
              const maxed = h.currentReplicas >= h.maxReplicas;
              return (
                <tr>
                  <td>
                    <span class="ns">{h.namespace}/</span>
                    {h.name}
                  </td>
                  <td>
                    {cluster ? (
                      <a
                        href={workloadHref(cluster, h.target.kind, h.namespace, h.target.name)}
                      >{`${h.target.kind.toLowerCase()}/${h.target.name}`}</a>
                    ) : null}
                  </td>
                  <td class="num">
                    {h.currentCpuUtilization ?? '?'}% / {h.targetCpuUtilization ?? '?'}%
                  </td>
                  <td class="num">{h.currentReplicas}</td>
                  <td class="num">{h.desiredReplicas}</td>
                  <td class="num">
                    {h.minReplicas}–{h.maxReplicas}
                  </td>
                  <td>
                    <Time at={h.lastScaleAt} now={now} />
                  </td>
                  <td>
                    {maxed ? <Badge tone="bad">at max</Badge> : null}
                    {limited ? (
                      <Badge tone="warn">{h.conditions.ScalingLimited?.reason ?? 'ScalingLimited'}</Badge>
                    ) : null}
                    {h.conditions.AbleToScale?.status === 'False' ? (
                      <Badge tone="bad">unable to scale</Badge>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </Table>
          {cluster ? (
            <Section title="Scale events">
              <QueryTable name="hpa" params={{ cluster, namespace, range }} testid="hpa-query" />
            </Section>
          ) : null}
        </>,
      );
    });
  };
}
