import { describe, expect, it } from 'vitest';
import { explainTermination, signalName } from './explain.js';

describe('explainTermination', () => {
  it('calls an OOMKilled container out of memory and names its limit', () => {
    const e = explainTermination({ reason: 'OOMKilled', exitCode: 137, memoryLimit: '256Mi' });
    expect(e.cause).toBe('oom');
    expect(e.summary).toContain('more memory than its limit of 256Mi');
    expect(e.next).toContain('resources.limits.memory');
    expect(e.text).toBe(`${e.summary} Next: ${e.next}`);
  });

  it('tells a liveness-probe kill apart from an OOM kill with the same exit code 137', () => {
    const probe = explainTermination({ reason: 'Error', exitCode: 137, livenessProbeFailed: true });
    expect(probe.cause).toBe('liveness-probe');
    expect(probe.next).toContain('startupProbe');
    const bare = explainTermination({ reason: 'Error', exitCode: 137 });
    expect(bare.cause).toBe('signal-9');
    expect(bare.summary).toContain('not reported as OOMKilled');
  });

  it.each([
    [1, 'exit-1', 'general error'],
    [2, 'exit-2', 'invalid arguments'],
    [126, 'exit-126', 'could not be executed'],
    [127, 'exit-127', 'not found'],
    [139, 'signal-11', 'segmentation fault'],
    [143, 'signal-15', 'SIGTERM'],
    [134, 'signal-6', 'aborted'],
    [0, 'exit-0', 'successfully'],
    [42, 'exit-42', 'exit code 42'],
  ])('explains exit code %i', (exitCode, cause, words) => {
    const e = explainTermination({ reason: exitCode === 0 ? 'Completed' : 'Error', exitCode });
    expect(e.cause).toBe(cause);
    expect(e.summary).toContain(words);
    expect(e.next.length).toBeGreaterThan(20);
  });

  it('explains runtime start failures with the runtime message', () => {
    const e = explainTermination({ reason: 'StartError', exitCode: 128, message: 'exec: "/app": not found' });
    expect(e.cause).toBe('cannot-run');
    expect(e.summary).toContain('exec: "/app": not found');
  });

  it('uses the signal when there is no exit code', () => {
    expect(explainTermination({ signal: 11 }).cause).toBe('signal-11');
    expect(explainTermination({}).cause).toBe('unknown');
  });

  it('names signals', () => {
    expect(signalName(9)).toBe('SIGKILL');
    expect(signalName(31)).toBe('signal 31');
  });
});
