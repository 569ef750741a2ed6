import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildRouteTree, groupKeyFor, groupLabelsFor, matchRoutes, type RouteSpec } from './route.js';

const tree: RouteSpec = {
  receiver: 'default',
  group_by: ['alertname'],
  routes: [
    { matchers: ['severity="critical"'], receiver: 'pager', continue: true },
    {
      matchers: ['team="a"'],
      receiver: 'team-a',
      group_by: ['...'],
      routes: [
        { match: { env: 'prod' }, match_re: { region: 'eu.*' }, receiver: 'team-a-prod', group_by: [] },
      ],
    },
    { matchers: ['team=~"a|b"'], receiver: 'team-ab' },
  ],
};

describe('route tree', () => {
  const root = buildRouteTree(tree);

  it('stops at the first matching child unless it continues', () => {
    const names = (labels: Record<string, string>) => matchRoutes(root, labels).map((r) => r.receiver);
    expect(names({ severity: 'critical', team: 'a' })).toEqual(['pager', 'team-a']);
    expect(names({ team: 'b' })).toEqual(['team-ab']);
    expect(names({ team: 'a', env: 'prod', region: 'eu-west' })).toEqual(['team-a-prod']);
    expect(names({ severity: 'critical' })).toEqual(['pager']);
    expect(names({ x: '1' })).toEqual(['default']);
  });

  it('builds keys and ids as Alertmanager does, with sorted matchers', () => {
    const leaf = root.routes[1]!.routes[0]!;
    // A legacy match_re value is kept (and printed) anchored, as Alertmanager 0.25 does.
    expect(leaf.key).toBe('{}/{team="a"}/{env="prod",region=~"^(?:eu.*)$"}');
    expect(leaf.id).toBe('{}/{team="a"}/{env="prod",region=~"^(?:eu.*)$"}/0');
    expect(root.id).toBe('{}');
  });

  it('inherits group_by, and an empty group_by list keeps the parent’s (group-by-all)', () => {
    const teamA = root.routes[1]!;
    const leaf = teamA.routes[0]!;
    expect(teamA.groupByAll).toBe(true);
    expect(leaf.groupByAll).toBe(true);
    expect(leaf.groupWait).toBe(30_000);
    const labels = { alertname: 'X', team: 'a', env: 'prod', region: 'eu' };
    expect(groupKeyFor(leaf, groupLabelsFor(leaf, labels))).toBe(
      '{}/{team="a"}/{env="prod",region=~"^(?:eu.*)$"}:{alertname="X", env="prod", region="eu", team="a"}',
    );
    expect(groupKeyFor(root, groupLabelsFor(root, { other: '1' }))).toBe('{}:{}');
  });

  it('always places an alert somewhere, on routes whose whole path matches', () => {
    const labels = fc.record(
      {
        severity: fc.constantFrom('critical', 'warning'),
        team: fc.constantFrom('a', 'b', 'c'),
        env: fc.constantFrom('prod', 'dev'),
        region: fc.constantFrom('eu-1', 'us-1'),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(labels, (l) => {
        const routes = matchRoutes(root, l);
        expect(routes.length).toBeGreaterThan(0);
        for (const r of routes)
          for (const m of r.matchers) expect(m.matches(l[m.name as keyof typeof l] ?? '')).toBe(true);
        // Only the `continue: true` route can add a second placement.
        expect(routes.length).toBeLessThanOrEqual(2);
      }),
    );
  });
});
