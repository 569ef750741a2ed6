// Lookout's own Prometheus metrics. One registry per running instance (no global state), so
// tests can build many instances in one process.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route'>;
}

export function createMetrics(options: { version: string; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const buildInfo = new Gauge({
    name: 'lookout_build_info',
    help: 'Always 1; the labels say which Lookout is running.',
    labelNames: ['version', 'node_version'],
    registers: [registry],
  });
  buildInfo.set({ version: options.version, node_version: process.version }, 1);
  return {
    registry,
    httpRequests: new Counter({
      name: 'lookout_http_requests_total',
      help: 'HTTP requests served, by route pattern and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'lookout_http_request_duration_seconds',
      help: 'Time to answer HTTP requests, by route pattern.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}
