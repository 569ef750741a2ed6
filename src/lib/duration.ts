// Durations in the Prometheus/Alertmanager notation: 30s, 5m, 1h30m, 7d, 500ms.
// Config values are parsed to milliseconds and printed back in the same notation.

const UNITS: ReadonlyArray<readonly [string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** Parses `1h30m` into milliseconds; returns undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed === '0') return 0;
  const match = DURATION_RE.exec(trimmed);
  if (!match) return undefined;
  let total = 0;
  let any = false;
  for (let i = 0; i < UNITS.length; i++) {
    const part = match[i + 1];
    if (part === undefined) continue;
    any = true;
    total += Number(part) * UNITS[i]![1];
  }
  return any ? total : undefined;
}

/** Formats milliseconds as duration text in days and smaller units: 90000 → `1m30s`, 0 → `0s`. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const [unit, size] of UNITS.slice(2)) {
    if (rest >= size) {
      const n = Math.floor(rest / size);
      rest -= n * size;
      out += `${n}${unit}`;
    }
  }
  return out;
}
