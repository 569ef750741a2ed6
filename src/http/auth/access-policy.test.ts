import { describe, expect, it } from 'vitest';
import { denial } from './access-policy.js';
import type { Principal } from './principal.js';

const admin: Principal = { name: 'ann', role: 'admin', via: 'session' };
const viewer: Principal = { name: 'victor', role: 'viewer', via: 'session' };
const ingest: Principal = { name: 'prometheus', role: 'ingest', via: 'token' };

describe('access policy', () => {
  it('lets admins do anything', () => {
    for (const [m, p] of [
      ['POST', '/api/v2/silences'],
      ['DELETE', '/api/v1/auth/tokens/3'],
      ['GET', '/ui/users'],
      ['POST', '/api/v1/notifications/4/resend'],
    ] as const)
      expect(denial(admin, m, p)).toBeUndefined();
  });

  it('lets viewers read everything but the admin areas, and change only their own sign-in', () => {
    expect(denial(viewer, 'GET', '/api/v1/events')).toBeUndefined();
    expect(denial(viewer, 'HEAD', '/ui/crashes/4')).toBeUndefined();
    expect(denial(viewer, 'POST', '/ui/logout')).toBeUndefined();
    expect(denial(viewer, 'POST', '/api/v2/silences')).toMatch(/viewer and may only read/);
    expect(denial(viewer, 'DELETE', '/api/v2/silence/x')).toMatch(/may only read/);
    for (const path of [
      '/api/v1/chat/users',
      '/api/v1/audit',
      '/api/v1/auth/tokens',
      '/ui/users',
      '/ui/access',
      '/ui/access/tokens',
    ])
      expect(denial(viewer, 'GET', path), path).toMatch(/only admins/);
    // A prefix is a path segment, not any string that starts alike.
    expect(denial(viewer, 'GET', '/ui/usersx')).toBeUndefined();
  });

  it('lets ingest tokens push alerts and nothing else', () => {
    expect(denial(ingest, 'POST', '/api/v2/alerts')).toBeUndefined();
    expect(denial(ingest, 'POST', '/api/v1/intake/alertmanager')).toBeUndefined();
    expect(denial(ingest, 'GET', '/api/v2/alerts')).toMatch(/may only push alerts/);
    expect(denial(ingest, 'POST', '/api/v2/silences')).toMatch(/may only push alerts/);
    expect(denial(ingest, 'GET', '/ui/')).toMatch(/may only push alerts/);
  });
});
