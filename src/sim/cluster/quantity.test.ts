import { describe, expect, it } from 'vitest';
import {
  bytes,
  formatBinary,
  formatKi,
  formatMilliCpu,
  formatNanoCpu,
  milliCpu,
  parseQuantity,
} from './quantity.js';

describe('quantities', () => {
  it('parses CPU and memory the way Kubernetes writes them', () => {
    expect(milliCpu('100m')).toBe(100);
    expect(milliCpu('0.5')).toBe(500);
    expect(milliCpu('2')).toBe(2000);
    expect(milliCpu(1)).toBe(1000);
    expect(milliCpu('250000000n')).toBe(250);
    expect(bytes('128Mi')).toBe(128 * 2 ** 20);
    expect(bytes('1Gi')).toBe(2 ** 30);
    expect(bytes('1G')).toBe(1e9);
    expect(bytes('16393076Ki')).toBe(16393076 * 1024);
    expect(bytes('1e3')).toBe(1000);
  });

  it('answers undefined (and 0 from milliCpu and bytes) for malformed values', () => {
    expect(parseQuantity('12 apples')).toBeUndefined();
    expect(parseQuantity(undefined)).toBeUndefined();
    expect(milliCpu('lots')).toBe(0);
  });

  it('prints usage as metrics-server does and spec values canonically', () => {
    expect(formatNanoCpu(0.25)).toBe('250000000n');
    expect(formatKi(2 ** 30)).toBe('1048576Ki');
    expect(formatMilliCpu(250)).toBe('250m');
    expect(formatMilliCpu(2000)).toBe('2');
    expect(formatBinary(512 * 2 ** 20)).toBe('512Mi');
  });
});
