// Serves a Hono app on a real socket and closes it promptly (open keep-alive and streaming
// connections are cut at shutdown instead of holding it up).
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';

export interface RunningServer {
  /** The address actually bound (port 0 resolves to a real port). */
  readonly address: AddressInfo;
  readonly url: string;
  close(): Promise<void>;
}

export async function startHttpServer(
  app: Hono,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  const server = serve({ fetch: app.fetch, hostname: listen.host, port: listen.port }) as Server;
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    address,
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Streaming responses (SSE, log follow) never go idle; give them a moment, then cut.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      }),
  };
}
