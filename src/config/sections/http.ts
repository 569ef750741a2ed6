// `http:` — the HTTP server: API, web UI, /metrics, /healthz, /readyz.
import { z } from 'zod';
import { listenAddress, obj } from '../schema-kit.js';

export const httpSchema = obj({
  /** `host:port` to listen on. Default: loopback only. */
  listen: listenAddress().prefault('127.0.0.1:8080'),
  /** The URL users reach Lookout at; used for links in notifications. */
  external_url: z.url().optional(),
});

export type HttpConfig = z.output<typeof httpSchema>;
