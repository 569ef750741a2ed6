// Kubernetes resource quantities for the simulator: parse `100m`, `0.5`, `128Mi`, `1G`, `2e3`
// into numbers, and print CPU and memory the way the kubelet and metrics-server do.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const QUANTITY_RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The numeric value of a quantity (cores for CPU, bytes for memory); undefined if malformed. */
export function parseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const m = QUANTITY_RE.exec(value.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return base * (BINARY[suffix] ?? DECIMAL[suffix] ?? 1);
}

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
    const size = BINARY[unit]!;
    if (byteCount >= size && byteCount % size === 0) return `${byteCount / size}${unit}`;
  }
  return String(Math.round(byteCount));
}
