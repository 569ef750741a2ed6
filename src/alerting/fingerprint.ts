// Alertmanager's label-set fingerprint (FNV-1a 64 over sorted names and values, 0xff separated)
// computed on two 32-bit halves: the same result as domain/alert.ts, without BigInt, for intake speed.
import type { Labels } from '../domain/alert.js';

const encoder = new TextEncoder();
const OFFSET_HI = 0xcbf29ce4;
const OFFSET_LO = 0x84222325;
// The FNV prime is 2^40 + 0x1b3.
const PRIME_LO = 0x1b3;

/** Hex fingerprint of a label set, identical to {@link import('../domain/alert.js').fingerprint}. */
export function fastFingerprint(labels: Labels): string {
  let hi = OFFSET_HI;
  let lo = OFFSET_LO;
  const mix = (byte: number): void => {
    lo = (lo ^ byte) >>> 0;
    const low = lo * PRIME_LO;
    const carry = Math.floor(low / 0x100000000);
    const nextHi = hi * PRIME_LO + carry + ((lo << 8) >>> 0);
    lo = low >>> 0;
    hi = nextHi >>> 0;
  };
  const addText = (text: string): void => {
    let ascii = true;
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) for (let i = 0; i < text.length; i++) mix(text.charCodeAt(i));
    else for (const byte of encoder.encode(text)) mix(byte);
  };
  for (const name of Object.keys(labels).sort()) {
    addText(name);
    mix(0xff);
    addText(labels[name]!);
    mix(0xff);
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
