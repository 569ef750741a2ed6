import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { ClientAddress } from './client-address.js';
import { startHttpServer } from './server.js';

describe('ClientAddress', () => {
  it('takes the socket peer and ignores X-Forwarded-For when no proxy is trusted', () => {
    const a = new ClientAddress();
    expect(a.resolve('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
    expect(a.resolve('::ffff:203.0.113.9', undefined)).toBe('203.0.113.9');
    expect(a.resolve(undefined, '198.51.100.1')).toBeUndefined();
  });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    const a = new ClientAddress(['10.0.0.0/8']);
    expect(a.resolve('203.0.113.9', '198.51.100.1')).toBe('203.0.113.9');
  });

  it('takes the right-most hop that no trusted proxy vouches for', () => {
    const a = new ClientAddress(['10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    // client → 10.1.1.1 (trusted) → ingress 10.2.2.2 → Lookout
    expect(a.resolve('10.2.2.2', '198.51.100.1, 10.1.1.1')).toBe('198.51.100.1');
    // A client that writes its own X-Forwarded-For cannot choose its address.
    expect(a.resolve('10.2.2.2', '1.2.3.4, 198.51.100.1')).toBe('198.51.100.1');
    expect(a.resolve('::ffff:192.0.2.7', '2001:db8::5')).toBe('2001:db8::5');
    expect(a.resolve('fd00::1', '203.0.113.4,fd00::2')).toBe('203.0.113.4');
    // Only trusted hops, or nothing usable: as far as we can tell.
    expect(a.resolve('10.2.2.2', '10.9.9.9, 10.1.1.1')).toBe('10.9.9.9');
    expect(a.resolve('10.2.2.2', 'unknown, garbage')).toBe('10.2.2.2');
  });

  it('refuses an entry that is not an address or range', () => {
    expect(() => new ClientAddress(['10.0.0.0/33'])).toThrow(/prefix length must be 0 to 32/);
  });

  it('reads the peer of a real connection', async () => {
    const app = new Hono();
    const trusting = new ClientAddress(['127.0.0.1']);
    const plain = new ClientAddress();
    app.get('/', (c) => c.json({ trusting: trusting.of(c), plain: plain.of(c) }));
    const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(server.url, { headers: { 'x-forwarded-for': '198.51.100.1' } });
      expect(await res.json()).toEqual({ trusting: '198.51.100.1', plain: '127.0.0.1' });
    } finally {
      await server.close();
    }
    // In-process requests have no socket.
    expect(await (await app.request('/')).json()).toEqual({});
  });
});
