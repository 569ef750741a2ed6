import { describe, expect, it } from 'vitest';
import { BehaviourCatalog, interpretCommand } from './behaviour.js';

describe('container behaviour', () => {
  it('runs an sh -c script: echoes, sleeps, then exits with its code', () => {
    const b = interpretCommand(['sh', '-c', 'echo starting; sleep 2; echo "giving up"; exit 3']);
    expect(b.exit).toEqual({ afterMs: [2000, 2000], code: 3 });
    expect(b.script).toEqual([
      { delayMs: 0, text: 'starting' },
      { delayMs: 2000, text: 'giving up' },
    ]);
  });

  it('treats loops and unknown programs as running until stopped', () => {
    expect(
      interpretCommand(['/bin/sh', '-c', 'while true; do echo tick; sleep 5; done']).exit,
    ).toBeUndefined();
    expect(interpretCommand(['sh', '-c', 'nginx -g "daemon off;"']).exit).toBeUndefined();
    expect(interpretCommand(['/usr/local/bin/server', '--port=8080'])).toEqual({});
  });

  it('knows sleep, true and false', () => {
    expect(interpretCommand(['sleep', '3600']).exit).toEqual({ afterMs: [3_600_000, 3_600_000], code: 0 });
    expect(interpretCommand(['false']).exit?.code).toBe(1);
    expect(interpretCommand(['true']).exit?.code).toBe(0);
    expect(interpretCommand(['sleep', 'infinity']).exit).toBeUndefined();
  });

  it('prefers what a scenario registered for the image, whatever the tag spelling', () => {
    const catalog = new BehaviourCatalog();
    catalog.set('nginx:1.27', { exit: { afterMs: [1000, 1000], code: 137 }, logs: 'go' });
    const b = catalog.forContainer({ name: 'c', image: 'docker.io/library/nginx:1.27' }, 1);
    expect(b.exit?.code).toBe(137);
    expect(b.logs.name).toBe('go');
    expect(catalog.forContainer({ name: 'c', image: 'nginx:1.28' }, 1).logs.name).toBe('nginx');
  });
});
