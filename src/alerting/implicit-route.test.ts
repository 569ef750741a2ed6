import { describe, expect, it } from 'vitest';
import { Dispatcher } from './dispatcher.js';
import { compileSetup } from './setup.js';
import type { AlertRecord } from './alert-record.js';
import { fastFingerprint } from './fingerprint.js';

function alert(labels: Record<string, string>): AlertRecord {
  return {
    fingerprint: fastFingerprint(labels),
    labels,
    annotations: {},
    startsAt: 0,
    endsAt: 10_000,
    timeout: false,
    generatorURL: '',
    updatedAt: 0,
  };
}

const spec = {
  route: {
    receiver: 'default',
    group_by: ['alertname'],
    routes: [{ receiver: 'team', matchers: ['team="a"'] }],
  },
  receivers: [{ name: 'default' }, { name: 'team', webhook_configs: [{}] }],
  inhibit_rules: [],
  time_intervals: [],
  global: { resolve_timeout: 300_000 },
  data_retention: 3600_000,
};

describe('implicit routes', () => {
  it('route every alert to the implicit receiver first, without changing the configured routing', () => {
    const plain = new Dispatcher(compileSetup(spec));
    const withChat = new Dispatcher(
      compileSetup(spec, {
        implicitReceivers: [{ receiver: 'chat', integration: 'telegram', groupBy: ['namespace'] }],
      }),
    );
    const a = alert({ alertname: 'X', team: 'a', namespace: 'shop' });
    expect(plain.receiversOf(a)).toEqual(['team']);
    expect(withChat.receiversOf(a)).toEqual(['chat', 'team']);
    expect(withChat.receiversOf(alert({ alertname: 'Y' }))).toEqual(['chat', 'default']);
    // Configured routes keep their ids, so stored groups stay valid when the feature is switched on.
    expect(withChat.setup.route.routes[0]!.id).toBe(plain.setup.route.routes[0]!.id);
  });

  it('group by the root labels plus its own, and refuse a configured receiver name', () => {
    const setup = compileSetup(spec, {
      implicitReceivers: [{ receiver: 'chat', integration: 'telegram', groupBy: ['namespace'] }],
    });
    expect([...setup.implicitRoutes![0]!.groupBy].sort()).toEqual(['alertname', 'namespace']);
    expect(setup.receivers.get('chat')?.integrations).toEqual([
      { kind: 'telegram', index: 0, sendResolved: true },
    ]);
    expect(() =>
      compileSetup(spec, { implicitReceivers: [{ receiver: 'team', integration: 'telegram', groupBy: [] }] }),
    ).toThrow(/configured already/);
  });
});
