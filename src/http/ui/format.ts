// How the pages write times, sizes and durations: short relative times with the exact UTC time
// one hover away, and Kubernetes-style quantities.

/** `45s`, `12m`, `3h`, `2d`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/** `5m ago`; `in 3h` for times ahead. */
export function relative(at: number, now: number): string {
  return at > now + 1000 ? `in ${shortDuration(at - now)}` : `${shortDuration(now - at)} ago`;
}

/** `2026-05-01 12:03:04 UTC`. */
export function utc(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function bytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  const units = ['B', 'Ki', 'Mi', 'Gi', 'Ti'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)}${units[i]}`;
}

export function cores(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '—';
  return n < 1 ? `${Math.round(n * 1000)}m` : `${Number(n.toFixed(2))}`;
}

/** Shortens text to one line of at most `max` characters. */
export function oneLine(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** Durations the range pickers offer, with their labels. */
export const RANGES: ReadonlyArray<readonly [string, string]> = [
  ['1h', 'last hour'],
  ['6h', 'last 6 hours'],
  ['24h', 'last day'],
  ['7d', 'last week'],
];
