import { describe, expect, it } from 'vitest';
import { cpuNanos, memoryBytes, nodeUsageOf, podUsageOf } from './metrics-api.js';

describe('metrics.k8s.io parsing', () => {
  it('reads CPU as integer nanocores and memory as bytes, whatever suffix metrics-server uses', () => {
    expect(cpuNanos('123456789n')).toBe(123_456_789);
    expect(cpuNanos('250m')).toBe(250_000_000);
    expect(cpuNanos('1500u')).toBe(1_500_000);
    expect(cpuNanos('2')).toBe(2_000_000_000);
    expect(memoryBytes('104857Ki')).toBe(104_857 * 1024);
    expect(memoryBytes('1Gi')).toBe(2 ** 30);
    expect(memoryBytes('12e6')).toBe(12_000_000);
    expect(cpuNanos('lots')).toBeUndefined();
    expect(memoryBytes(undefined)).toBeUndefined();
  });

  it('reads each item, and refuses one it cannot read whole', () => {
    const nodes = [
      { metadata: { name: 'n1' }, usage: { cpu: '100m', memory: '1Mi' } },
      { metadata: {}, usage: { cpu: '100m', memory: '1Mi' } },
      { metadata: { name: 'n3' }, usage: { cpu: 'x', memory: '1Mi' } },
    ].map(nodeUsageOf);
    expect(nodes).toEqual([
      { node: 'n1', cpuNanos: 100_000_000, memoryBytes: 2 ** 20 },
      undefined,
      undefined,
    ]);
    const pods = [
      {
        metadata: { name: 'web', namespace: 'shop' },
        containers: [
          { name: 'app', usage: { cpu: '5n', memory: '2Ki' } },
          { name: 'proxy', usage: { cpu: '0', memory: '0' } },
        ],
      },
      { metadata: { name: 'bad', namespace: 'shop' }, containers: [{ name: 'app', usage: { cpu: '1m' } }] },
      { metadata: { name: 'nameless-namespace' }, containers: [] },
    ].map(podUsageOf);
    expect(pods).toEqual([
      {
        namespace: 'shop',
        pod: 'web',
        containers: [
          { name: 'app', cpuNanos: 5, memoryBytes: 2048 },
          { name: 'proxy', cpuNanos: 0, memoryBytes: 0 },
        ],
      },
      undefined,
      undefined,
    ]);
  });
});
