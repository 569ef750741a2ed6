// The API description covers every API route Lookout serves: the whole composition (history,
// alerting, delivery, queries, access, overview) and whatever the composition root mounts.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { undocumentedRoutes } from '../../src/http/api/openapi.js';
import { createLookout, type Lookout } from '../../src/main.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { tempDir } from '../support/tmp.js';

describe('/api/openapi.json', () => {
  const dir = tempDir('lookout-openapi-');
  afterAll(() => dir.remove());
  // A cluster that is never contacted: nothing here is started.
  writeFileSync(
    join(dir.path, 'none.yaml'),
    'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n',
  );
  const config = parseConfig(
    `storage:\n  url: sqlite:${join(dir.path, 'l.db')}\nhttp:\n  auth:\n    mode: none\nclusters:\n  - name: demo\n    kubeconfig: ${join(dir.path, 'none.yaml')}\n`,
    { env: {} },
  );
  let app: Lookout['app'];
  beforeAll(async () => {
    app = (await createLookout({ config, log: silentLogger() })).app;
  });

  it('describes every API route the composition root serves', () => {
    expect(undocumentedRoutes(app.routes)).toEqual([]);
  });

  it('is served without sign-in, as OpenAPI 3.1 with the served paths', async () => {
    const res = await app.request('/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/events',
      '/api/v1/crashes/{id}',
      '/api/v2/silences',
      '/api/v1/query/{name}',
      '/api/v1/auth/tokens',
      '/api/v1/overview',
    ])
      expect(Object.keys(doc.paths), path).toContain(path);
    expect(Object.keys(doc.paths['/api/v2/silences']!).sort()).toEqual(['get', 'post']);
    expect(JSON.stringify(doc)).not.toContain('Not described yet');
  });
});
