// The history API: events, crashes (with logs), pods (current, abnormal, recently created).
// Filters match the CLI's; lists are newest first with cursor pagination.
import type { Hono } from 'hono';
import type { PodSnapshot } from '../../domain/kube.js';
import type { ClusterStateView } from '../../history/cluster-state.js';
import type { Store } from '../../store/index.js';
import { getCrash, queryCrashes, type CrashRecord } from '../../store/repos/crash-repo.js';
import { eventHistogram, queryEvents } from '../../store/repos/event-repo.js';
import { queryAbnormal, queryLifecycle } from '../../store/repos/pod-history-repo.js';
import { ApiError } from '../errors.js';
import { durationParam, intParam, stringParam, timeParam } from './query-params.js';

export interface HistoryApiDeps {
  readonly store: Store;
  readonly clusters: readonly string[];
  readonly state: (cluster: string) => ClusterStateView | undefined;
}

/** A crash without its log, for lists. */
function crashSummary(c: CrashRecord): Omit<CrashRecord, 'logTail'> & { logLines: number } {
  const { logTail, ...rest } = c;
  return { ...rest, logLines: logTail ? logTail.split('\n').filter(Boolean).length : 0 };
}

export function historyApi(deps: HistoryApiDeps) {
  return (app: Hono): void => {
    const { store } = deps;

    app.get('/api/v1/events', async (c) => {
      const page = await queryEvents(store.db, store.dialect, {
        cluster: stringParam(c, 'cluster'),
        namespace: stringParam(c, 'namespace'),
        reason: stringParam(c, 'reason'),
        type: stringParam(c, 'type'),
        object: stringParam(c, 'object'),
        since: timeParam(c, 'since'),
        until: timeParam(c, 'until'),
        search: stringParam(c, 'search'),
        limit: intParam(c, 'limit', 1, 1000),
        cursor: stringParam(c, 'cursor'),
      });
      return c.json(page);
    });

    app.get('/api/v1/events/histogram', async (c) => {
      const until = timeParam(c, 'until') ?? Date.now();
      const since = timeParam(c, 'since') ?? until - 24 * 3600_000;
      if (since >= until) throw new ApiError(400, 'bad_request', 'since must be before until');
      const bucketMs =
        durationParam(c, 'bucket') ?? Math.max(60_000, Math.ceil((until - since) / 60 / 60_000) * 60_000);
      const buckets = await eventHistogram(
        store.db,
        {
          cluster: stringParam(c, 'cluster'),
          namespace: stringParam(c, 'namespace'),
          reason: stringParam(c, 'reason'),
          type: stringParam(c, 'type'),
          search: stringParam(c, 'search'),
          since,
          until,
          bucketMs,
        },
        store.dialect,
      );
      return c.json({ since, until, bucketMs, buckets });
    });

    app.get('/api/v1/crashes', async (c) => {
      const page = await queryCrashes(store.db, store.dialect, {
        cluster: stringParam(c, 'cluster'),
        namespace: stringParam(c, 'namespace'),
        pod: stringParam(c, 'pod'),
        container: stringParam(c, 'container'),
        workload: stringParam(c, 'workload'),
        reason: stringParam(c, 'reason'),
        since: timeParam(c, 'since'),
        until: timeParam(c, 'until'),
        search: stringParam(c, 'search'),
        limit: intParam(c, 'limit', 1, 1000),
        cursor: stringParam(c, 'cursor'),
      });
      return c.json({ items: page.items.map(crashSummary), nextCursor: page.nextCursor });
    });

    app.get('/api/v1/crashes/:id', async (c) => {
      const id = Number(c.req.param('id'));
      if (!Number.isInteger(id) || id < 1)
        throw new ApiError(400, 'bad_request', 'id must be a positive integer');
      const crash = await getCrash(store.db, id);
      if (!crash) throw new ApiError(404, 'not_found', `no crash with id ${id}`);
      return c.json(crash);
    });

    app.get('/api/v1/pods', async (c) => {
      const cluster = stringParam(c, 'cluster');
      const namespace = stringParam(c, 'namespace');
      if (cluster && !deps.clusters.includes(cluster))
        throw new ApiError(404, 'not_found', `no cluster named "${cluster}"`);
      if (c.req.query('abnormal') === 'true') {
        const page = await queryAbnormal(store.db, {
          cluster,
          namespace,
          reason: stringParam(c, 'reason'),
          open: c.req.query('all') !== 'true',
          since: timeParam(c, 'since'),
          limit: intParam(c, 'limit', 1, 5000),
          cursor: stringParam(c, 'cursor'),
        });
        return c.json(page);
      }
      if (c.req.query('created') === 'true') {
        const items = await queryLifecycle(store.db, {
          cluster,
          namespace,
          action: 'created',
          since: timeParam(c, 'since') ?? Date.now() - 3600_000,
          limit: intParam(c, 'limit', 1, 10_000),
        });
        return c.json({ items });
      }
      const clusters = cluster ? [cluster] : deps.clusters;
      const items: Array<{ cluster: string; pod: PodSnapshot }> = [];
      for (const name of clusters)
        for (const pod of deps.state(name)?.pods(namespace) ?? []) items.push({ cluster: name, pod });
      items.sort(
        (a, b) => a.pod.namespace.localeCompare(b.pod.namespace) || a.pod.name.localeCompare(b.pod.name),
      );
      return c.json({ items });
    });

    app.get('/api/v1/pods/:cluster/:namespace/:name', async (c) => {
      const { cluster, namespace, name } = c.req.param();
      const pod = deps.state(cluster)?.pod(namespace, name);
      const lifecycle = await queryLifecycle(store.db, { cluster, namespace, pod: name, limit: 200 });
      if (!pod && lifecycle.length === 0)
        throw new ApiError(404, 'not_found', `no pod ${namespace}/${name} in cluster "${cluster}"`);
      const crashes = await queryCrashes(store.db, store.dialect, {
        cluster,
        namespace,
        pod: name,
        limit: 50,
      });
      const abnormal = await queryAbnormal(store.db, { cluster, namespace, limit: 200 });
      return c.json({
        cluster,
        pod: pod ?? null,
        lifecycle,
        crashes: crashes.items.map(crashSummary),
        abnormal: abnormal.items.filter((p) => p.pod === name),
      });
    });
  };
}
