// Kubernetes resource quantities for the simulator: parsed as everywhere in Lookout
// (src/domain/quantity.ts), printed the way the kubelet and metrics-server do.

import { parseQuantity } from '../../domain/quantity.js';

export { parseQuantity };

/** CPU in millicores from a quantity; 0 when absent or malformed. */
export function milliCpu(value: unknown): number {
  const v = parseQuantity(value);
  return v === undefined ? 0 : Math.round(v * 1000);
}

/** Bytes from a quantity; 0 when absent or malformed. */
export function bytes(value: unknown): number {
  const v = parseQuantity(value);
  return v === undefined ? 0 : Math.round(v);
}

/** `250m` (or whole cores when exact, as the API server canonicalises `1000m` → `1`). */
export function formatMilliCpu(millis: number): string {
  const m = Math.max(0, Math.round(millis));
  return m % 1000 === 0 ? String(m / 1000) : `${m}m`;
}

/** Nanocores, as metrics-server reports CPU usage: `123456789n`. */
export function formatNanoCpu(cores: number): string {
  return `${Math.max(0, Math.round(cores * 1e9))}n`;
}

/** Kibibytes, as the kubelet and metrics-server report memory: `1048576Ki`. */
export function formatKi(byteCount: number): string {
  return `${Math.max(0, Math.round(byteCount / 1024))}Ki`;
}

/** `512Mi`, `2Gi`: for spec-side values written by scenarios. */
export function formatBinary(byteCount: number): string {
  for (const unit of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'] as const) {
    const size = parseQuantity(`1${unit}`)!;
    if (byteCount >= size && byteCount % size === 0) return `${byteCount / size}${unit}`;
  }
  return String(Math.round(byteCount));
}
