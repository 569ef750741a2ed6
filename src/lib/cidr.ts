// IP addresses and CIDR ranges as a config names them (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`).
import { isIP } from 'node:net';

export interface AddressRange {
  readonly address: string;
  /** Undefined for a single address. */
  readonly prefix: number | undefined;
  readonly type: 'ipv4' | 'ipv6';
}

/** Parses `entry`, or says why it is not an IP address or CIDR range. */
export function parseAddressRange(entry: string): AddressRange | { readonly problem: string } {
  const [address = '', prefix, extra] = entry.trim().split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined)
    return { problem: `"${entry}" is not an IP address or a CIDR range such as 10.0.0.0/8` };
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefix === undefined) return { address, prefix: undefined, type };
  const max = family === 4 ? 32 : 128;
  if (!/^\d+$/.test(prefix) || Number(prefix) > max)
    return { problem: `"${entry}": the prefix length must be 0 to ${max}` };
  return { address, prefix: Number(prefix), type };
}
