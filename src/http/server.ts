// Serves a Hono app on a real socket and closes it promptly (open keep-alive and streaming
// connections are cut at shutdown instead of holding it up).
import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import type { HttpApp } from './app.js';

export interface RunningServer {
  /** The address actually bound (port 0 resolves to a real port). */
  readonly address: AddressInfo;
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `app`: a plain Hono app, or one from createHttpApp with its direct routes in front. */
export async function startHttpServer(
  app: Hono | HttpApp,
  listen: { host: string; port: number },
): Promise<RunningServer> {
  const adaptor = getRequestListener(app.fetch, { hostname: listen.host });
  // The adaptor answers its own failures (500), so its promise is not awaited.
  const hono: RequestListener = (req, res) => void adaptor(req, res);
  const server = createServer('listener' in app ? app.listener(hono) : hono);
  server.listen(listen.port, listen.host);
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
