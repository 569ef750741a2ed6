import { describe, expect, it } from 'vitest';
import { buildOpenApi, openApiPath, undocumentedRoutes } from './openapi.js';

describe('the OpenAPI document', () => {
  it('writes Hono path parameters the OpenAPI way', () => {
    expect(openApiPath('/api/v1/crashes/:id{[0-9]+}')).toBe('/api/v1/crashes/{id}');
    expect(openApiPath('/api/v1/pods/:cluster/:namespace/:name')).toBe(
      '/api/v1/pods/{cluster}/{namespace}/{name}',
    );
    expect(openApiPath('/api/v1/notifications/:id/resend')).toBe('/api/v1/notifications/{id}/resend');
  });

  it('describes only what is served, and marks routes it has no description for', () => {
    const doc = buildOpenApi([
      { method: 'ALL', path: '/*' },
      { method: 'GET', path: '/api/v1/crashes/:id' },
      { method: 'GET', path: '/ui/crashes' },
      { method: 'GET', path: '/api/v1/brand-new' },
    ]) as {
      openapi: string;
      paths: Record<string, Record<string, { summary: string; description: string }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toEqual(['/api/v1/brand-new', '/api/v1/crashes/{id}']);
    expect(doc.paths['/api/v1/crashes/{id}']!.get!.summary).toContain('log tail');
    expect(doc.paths['/api/v1/crashes/{id}']!.get!.description).toContain('signed-in');
    expect(doc.paths['/api/v1/brand-new']!.get!.summary).toBe('Not described yet');
    expect(
      undocumentedRoutes([
        { method: 'GET', path: '/api/v1/brand-new' },
        { method: 'GET', path: '/ui/x' },
      ]),
    ).toEqual(['GET /api/v1/brand-new']);
  });

  it('says which calls need no sign-in and which need an admin', () => {
    const doc = buildOpenApi([
      { method: 'GET', path: '/healthz' },
      { method: 'POST', path: '/api/v2/silences' },
    ]) as { paths: Record<string, Record<string, { security?: unknown[]; description: string }>> };
    expect(doc.paths['/healthz']!.get!.security).toEqual([]);
    expect(doc.paths['/api/v2/silences']!.post!.description).toBe('Admins only.');
  });
});
