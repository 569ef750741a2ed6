// The address a request came from, for the sign-in throttle and the sign-in log. Behind a
// reverse proxy (an ingress controller) every request arrives from the proxy, so one person's
// wrong passwords would lock everyone out: when the socket's peer is one of
// `http.trusted_proxies`, the client is the right-most X-Forwarded-For entry that is not itself
// a trusted proxy. X-Forwarded-For from anyone else is ignored (a client could write anything).
import { BlockList, isIP } from 'node:net';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import { parseAddressRange } from '../lib/cidr.js';

/** IPv4 peers of a dual-stack socket look like `::ffff:10.0.0.1`. */
function plain(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export class ClientAddress {
  readonly #trusted = new BlockList();
  readonly #any: boolean;

  /** `trusted`: addresses and CIDR ranges of the proxies in front of Lookout (checked by config). */
  constructor(trusted: readonly string[] = []) {
    for (const entry of trusted) {
      const range = parseAddressRange(entry);
      if ('problem' in range) throw new Error(range.problem);
      if (range.prefix === undefined) this.#trusted.addAddress(range.address, range.type);
      else this.#trusted.addSubnet(range.address, range.prefix, range.type);
    }
    this.#any = trusted.length > 0;
  }

  #isTrusted(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.#trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  }

  /**
   * The client's address, given the socket's peer and the X-Forwarded-For header. Undefined
   * when there is no peer (in-process requests).
   */
  resolve(peer: string | undefined, forwardedFor: string | undefined): string | undefined {
    if (peer === undefined) return undefined;
    let client = plain(peer);
    if (!this.#any || !forwardedFor || !this.#isTrusted(client)) return client;
    const hops = forwardedFor
      .split(',')
      .map((h) => plain(h.trim()))
      .filter((h) => isIP(h) !== 0);
    // Walk back from the proxy nearest to Lookout; the first hop no trusted proxy vouches for
    // is the client. When every hop is a trusted proxy, the left-most one is as far as we know.
    for (let i = hops.length - 1; i >= 0; i--) {
      client = hops[i]!;
      if (!this.#isTrusted(client)) break;
    }
    return client;
  }

  /** The client's address for a request served by Hono on Node. */
  of(c: Context): string | undefined {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      // In-process requests (tests, the UI's own API calls) have no socket.
      return undefined;
    }
    return this.resolve(peer, c.req.header('x-forwarded-for'));
  }
}
