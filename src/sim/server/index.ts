// The simulated Kubernetes API server: node:http(s) in front of the object store, speaking the
// real wire protocol (discovery, OpenAPI v2 protobuf, verbs, watches, tables, logs, metrics) so
// that kubectl and client-node work unchanged. Faults and a bearer token can be switched on.
import { timingSafeEqual } from 'node:crypto';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { silentLogger } from '../../telemetry/logger.js';
import type { MetricsSource, PodLogSource } from '../contracts.js';
import { FaultInjector } from '../faults.js';
import type { ObjectStore } from '../object-store.js';
import { ApiStatusError } from '../status-error.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  DEFAULT_VERSION,
  versionDocument,
  type VersionInfo,
} from './discovery.js';
import { handleFaultsRequest } from './faults-endpoint.js';
import { negotiate, send, sendStatus, sendText, statusOf } from './http-util.js';
import { buildKubeconfig } from './kubeconfig.js';
import { OpenApiEndpoint } from './openapi-endpoint.js';
import { ResourceApi } from './resource-api.js';
import { parseApiPath } from './route.js';
import { selfSignedCertificate } from './tls.js';
import { WatchRegistry } from './watch-stream.js';

export type { FaultInjector } from '../faults.js';

export interface SimServerOptions {
  store: ObjectStore;
  logs: PodLogSource;
  metrics: MetricsSource;
  /** Default 127.0.0.1:0 (a free port). */
  host?: string;
  port?: number;
  /** HTTPS with a self-signed certificate generated at start. */
  tls?: boolean;
  /** When set, requests need `Authorization: Bearer <token>` (401 Status otherwise). */
  token?: string;
  /** Default a 1.32.x (within kubectl 1.27–1.33, so the kubectl dispatcher picks 1.32). */
  version?: { major: string; minor: string; gitVersion: string };
  /** Default 60_000. */
  bookmarkIntervalMs?: number;
  log?: Logger;
}

export interface SimServer {
  readonly url: string;
  readonly faults: FaultInjector;
  /** A kubeconfig (YAML) that kubectl and client-node can use unchanged (token + CA data for TLS). */
  kubeconfig(options?: { context?: string; namespace?: string }): string;
  close(): Promise<void>;
}

const UNAUTHORIZED = new ApiStatusError(401, 'Unauthorized', 'Unauthorized');

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export async function startSimServer(options: SimServerOptions): Promise<SimServer> {
  const host = options.host ?? '127.0.0.1';
  const log = (options.log ?? silentLogger()).child({ component: 'sim-apiserver' });
  const version: VersionInfo = options.version ?? DEFAULT_VERSION;
  const watches = new WatchRegistry();
  const faults = new FaultInjector(watches, options.token);
  const streams = new Set<() => void>();
  const api = new ResourceApi({
    store: options.store,
    logs: options.logs,
    metrics: options.metrics,
    faults,
    watches,
    bookmarkIntervalMs: options.bookmarkIntervalMs ?? 60_000,
    log,
    streams,
  });
  const openapi = new OpenApiEndpoint(version.gitVersion);
  const certificate = options.tls ? await selfSignedCertificate(host) : undefined;
  let serverAddress = '';

  async function route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname;
    if (path === '/_sim/faults') {
      if (faults.token !== undefined && !tokenMatches(req.headers.authorization, faults.token))
        throw UNAUTHORIZED;
      return handleFaultsRequest(req, res, faults);
    }
    if (
      faults.token !== undefined &&
      (faults.tokenRevoked || !tokenMatches(req.headers.authorization, faults.token))
    )
      throw UNAUTHORIZED;
    const latency = faults.latencyFor(path);
    if (latency > 0) await sleep(latency);
    const failure = faults.requestFailure(path);
    if (failure) throw failure;

    const method = req.method ?? 'GET';
    if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendText(res, 200, 'ok');
    if (path === '/version' || path === '/version/') return send(res, 200, versionDocument(version));
    if (path.startsWith('/openapi/')) return openapi.serve(req, res, path);
    const parsed = parseApiPath(path);
    if (parsed?.kind === 'resource') return api.handle(req, res, url, parsed.route);
    if (method !== 'GET')
      throw new ApiStatusError(
        405,
        'MethodNotAllowed',
        'the server does not allow this method on the requested resource',
      );
    const form = negotiate(req.headers.accept, false);
    const plain = form.kind === 'yaml' ? form : ({ kind: 'json' } as const);
    if (path === '/api' || path === '/api/') return send(res, 200, apiVersions(serverAddress), plain);
    if (path === '/apis' || path === '/apis/') return send(res, 200, apiGroupList(), plain);
    if (parsed?.kind === 'group') {
      const group = apiGroup(parsed.group);
      if (group) return send(res, 200, group, plain);
    }
    if (parsed?.kind === 'group-version')
      return send(res, 200, apiResourceList(parsed.group, parsed.version), plain);
    throw new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  }

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    const url = new URL(req.url ?? '/', 'http://sim.invalid');
    res.on('close', () =>
      log.debug(
        {
          method: req.method,
          path: url.pathname,
          query: url.search,
          contentType: req.headers['content-type'],
          userAgent: req.headers['user-agent'],
          status: res.statusCode,
          ms: Math.round(performance.now() - started),
        },
        'request',
      ),
    );
    route(req, res, url).catch((error: unknown) => {
      const status = statusOf(error);
      if (!(error instanceof ApiStatusError)) log.error({ err: error, path: url.pathname }, 'request failed');
      if (res.headersSent) {
        if (!res.writableEnded) res.end();
        return;
      }
      sendStatus(res, status);
    });
  };

  const server: Server = certificate
    ? createHttpsServer({ key: certificate.key, cert: certificate.cert }, handler)
    : createHttpServer(handler);
  // Watches and log follows are long-lived; the server's request timeouts must not cut them.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  serverAddress = `${hostPart}:${address.port}`;
  const url = `${certificate ? 'https' : 'http'}://${serverAddress}`;
  log.info(
    { url, tls: Boolean(certificate), auth: options.token !== undefined },
    'simulated API server listening',
  );

  let closing: Promise<void> | undefined;
  return {
    url,
    faults,
    kubeconfig: (kc = {}) =>
      buildKubeconfig({
        server: url,
        token: faults.token,
        caCert: certificate?.cert,
        context: kc.context,
        namespace: kc.namespace ?? 'default',
      }),
    close() {
      closing ??= (async () => {
        faults.dispose();
        watches.closeAll();
        for (const stop of [...streams]) stop();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
