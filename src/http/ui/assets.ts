// The web UI's static files, served by Lookout itself: the stylesheet and browser modules from
// `ui/`, and the uPlot chart library from its installed package. Read once, then answered from
// memory with an ETag (a conditional request costs no body).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** The `ui/` folder of the installation (next to `src/` and `dist/`). */
export function uiAssetDir(): string {
  return fileURLToPath(new URL('../../../ui/', import.meta.url));
}

/** Files of the uPlot package Lookout serves under /ui/assets/vendor/. */
function vendorFiles(): Record<string, string> {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot/dist/uPlot.esm.js'));
  return {
    'vendor/uPlot.esm.js': join(dist, 'uPlot.esm.js'),
    'vendor/uPlot.min.css': join(dist, 'uPlot.min.css'),
  };
}

export function assetRoutes(options: { dir?: string } = {}) {
  const dir = normalize(options.dir ?? uiAssetDir());
  const cache = new Map<string, Asset | null>();
  let vendor: Record<string, string> | undefined;

  const load = (name: string): Asset | null => {
    const cached = cache.get(name);
    if (cached !== undefined) return cached;
    vendor ??= vendorFiles();
    const file = vendor[name] ?? normalize(join(dir, name));
    const type = TYPES[extname(file)];
    let asset: Asset | null = null;
    // Only known file types, and nothing outside the asset folder (no `..`).
    if (type && (vendor[name] !== undefined || file.startsWith(dir.endsWith(sep) ? dir : dir + sep))) {
      try {
        const body = readFileSync(file);
        asset = { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
      } catch {
        asset = null;
      }
    }
    cache.set(name, asset);
    return asset;
  };

  return (app: Hono): void => {
    app.get('/ui/assets/*', (c) => {
      const name = decodeURIComponent(c.req.path.slice('/ui/assets/'.length));
      const asset = name.includes('\0') ? null : load(name);
      if (!asset) return c.text('not found', 404);
      const headers = {
        'content-type': asset.type,
        etag: asset.etag,
        // Not fingerprinted: revalidate after a few minutes so an upgrade shows soon.
        'cache-control': 'public, max-age=300',
        'x-content-type-options': 'nosniff',
      };
      if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, headers);
      return c.body(new Uint8Array(asset.body), 200, headers);
    });
    app.get('/favicon.ico', (c) => c.redirect('/ui/assets/favicon.svg', 301));
  };
}
