import { describe, expect, it } from 'vitest';
import { TABLE_COLUMNS } from '../domain/query.js';
import { formatCell, formatScaleEvents, formatTime, formatValue } from './format.js';

describe('value formatting', () => {
  it('writes each unit the way Kubernetes users read it', () => {
    expect(formatValue(31.25, 'percent')).toBe('31%');
    expect(formatValue(5.908, 'percent')).toBe('5.9%');
    expect(formatValue(830 * 1024 * 1024, 'bytes')).toBe('830Mi');
    expect(formatValue(1.5 * 1024 ** 3, 'bytes')).toBe('1.5Gi');
    expect(formatValue(512, 'bytes')).toBe('512');
    expect(formatValue(0.25, 'cores')).toBe('250m');
    expect(formatValue(1.25, 'cores')).toBe('1.25');
    expect(formatValue(3, 'count')).toBe('3');
    expect(formatValue(NaN, 'count')).toBe('–');
  });

  it('shows absent limits and requests in words, and missing values as a dash', () => {
    const [, , , , , cpuOfLimit] = TABLE_COLUMNS['top-pods'];
    expect(formatCell({ absent: 'no-limit' }, cpuOfLimit!)).toBe('no limit');
    expect(formatCell({ absent: 'no-request' }, cpuOfLimit!)).toBe('no request');
    expect(formatCell(null, cpuOfLimit!)).toBe('–');
    expect(formatCell(50, cpuOfLimit!)).toBe('50%');
  });

  it('writes times in the given zone and scale events newest first', () => {
    const t = Date.UTC(2026, 10, 23, 13, 56);
    expect(formatTime(t)).toBe('13:56');
    expect(formatTime(t, 'Asia/Taipei', true)).toBe('23 Nov 21:56');
    expect(
      formatScaleEvents(
        [
          { at: t, from: 6, to: 7 },
          { at: t - 86_400_000, from: null, to: 6 },
        ],
        'UTC',
        t + 60_000,
      ),
    ).toBe('6→7 13:56, ?→6 22 Nov 13:56');
    expect(formatScaleEvents([], 'UTC')).toBe('none');
  });
});
