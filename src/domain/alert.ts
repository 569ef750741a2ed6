// Alerts as Alertmanager models them: labels identify an alert, annotations describe it,
// startsAt/endsAt bound it. Pure data; no I/O.

export type Labels = Readonly<Record<string, string>>;

export interface Alert {
  readonly labels: Labels;
  readonly annotations: Labels;
  /** Epoch ms. */
  readonly startsAt: number;
  /** Epoch ms; undefined while firing with no known end. */
  readonly endsAt?: number | undefined;
  readonly generatorURL?: string | undefined;
  /** Epoch ms of the last change seen. */
  readonly updatedAt: number;
}

export type AlertStatus = 'firing' | 'resolved';

/** Whether the alert is resolved at `now` (its end lies in the past). */
export function alertStatus(alert: Pick<Alert, 'endsAt'>, now: number): AlertStatus {
  return alert.endsAt !== undefined && alert.endsAt <= now ? 'resolved' : 'firing';
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const SEPARATOR = 0xff;
const encoder = new TextEncoder();

/**
 * Alertmanager's fingerprint of a label set: FNV-1a 64 over the sorted names and values,
 * each followed by a 0xff separator, as 16 hex digits. Equal labels → equal fingerprint.
 */
export function fingerprint(labels: Labels): string {
  let hash = FNV_OFFSET;
  const add = (byte: number): void => {
    hash ^= BigInt(byte);
    hash = (hash * FNV_PRIME) & MASK;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const byte of encoder.encode(name)) add(byte);
    add(SEPARATOR);
    for (const byte of encoder.encode(labels[name])) add(byte);
    add(SEPARATOR);
  }
  return hash.toString(16).padStart(16, '0');
}
