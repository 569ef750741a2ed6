// The alerting configuration compiled for the engine: the route tree, receivers with their
// integrations, inhibition rules, named time intervals and the timeouts.
import type { InhibitRuleSpec } from './inhibitor.js';
import {
  buildImplicitRoute,
  buildRouteTree,
  type ImplicitRouteSpec,
  type RouteNode,
  type RouteSpec,
} from './route.js';
import { parseTimeInterval, type TimeInterval, type TimeIntervalSpec } from './time-interval.js';

/** One integration of a receiver: the n-th entry of its `<kind>_configs` list. */
export interface IntegrationSpec {
  readonly kind: string;
  readonly index: number;
  readonly sendResolved: boolean;
}

export interface ReceiverSpec {
  readonly name: string;
  readonly integrations: readonly IntegrationSpec[];
}

export interface AlertingSetup {
  readonly route: RouteNode;
  /**
   * Routes Lookout adds outside the configured tree (chat subscriptions); every alert is
   * routed to each of them before the tree is walked.
   */
  readonly implicitRoutes?: readonly RouteNode[] | undefined;
  readonly receivers: ReadonlyMap<string, ReceiverSpec>;
  readonly inhibitRules: readonly InhibitRuleSpec[];
  readonly timeIntervals: ReadonlyMap<string, readonly TimeInterval[]>;
  /** `global.resolve_timeout`: how long an alert without an end stays firing. */
  readonly resolveTimeoutMs: number;
  /** How long notification-log entries and expired silences are kept. */
  readonly retentionMs: number;
  /** Back link in notifications (`externalURL`). */
  readonly externalUrl: string;
  /** End time given to firing alerts that arrive through the Alertmanager webhook intake. */
  readonly intakeResolveTimeoutMs: number;
}

/**
 * Alertmanager's `send_resolved` defaults per integration kind; kinds not listed default to
 * true. A receiver's own `send_resolved` always wins.
 */
export const SEND_RESOLVED_DEFAULTS: Readonly<Record<string, boolean>> = {
  webhook: true,
  telegram: true,
  slack: false,
  nats: true,
};

/** The integrations of a receiver, read from its `<kind>_configs` lists in key order. */
export function integrationsOf(receiver: Readonly<Record<string, unknown>>): IntegrationSpec[] {
  const out: IntegrationSpec[] = [];
  for (const [key, value] of Object.entries(receiver)) {
    const m = /^([a-z0-9]+)_configs$/.exec(key);
    if (!m || !Array.isArray(value)) continue;
    const kind = m[1]!;
    value.forEach((config: unknown, index) => {
      const own = (config as { send_resolved?: unknown } | null)?.send_resolved;
      out.push({
        kind,
        index,
        sendResolved: typeof own === 'boolean' ? own : (SEND_RESOLVED_DEFAULTS[kind] ?? true),
      });
    });
  }
  return out;
}

/** What {@link compileSetup} reads: the `alerting:` section after validation. */
export interface AlertingSpec {
  readonly route: RouteSpec;
  readonly receivers: ReadonlyArray<Readonly<Record<string, unknown>> & { readonly name: string }>;
  readonly inhibit_rules: readonly InhibitRuleSpec[];
  readonly time_intervals: ReadonlyArray<{
    readonly name: string;
    readonly time_intervals: readonly TimeIntervalSpec[];
  }>;
  readonly mute_time_intervals?: ReadonlyArray<{
    readonly name: string;
    readonly time_intervals: readonly TimeIntervalSpec[];
  }>;
  readonly global: { readonly resolve_timeout: number };
  readonly data_retention: number;
  readonly external_url?: string | undefined;
  readonly intake_resolve_timeout?: number | undefined;
}

/** A receiver Lookout adds itself, with the one route that feeds it. */
export interface ImplicitReceiver extends ImplicitRouteSpec {
  /** Its one integration (e.g. `telegram` for chat subscriptions); index 0, sends resolved alerts. */
  readonly integration: string;
}

export function compileSetup(
  spec: AlertingSpec,
  options: { externalUrl?: string; implicitReceivers?: readonly ImplicitReceiver[] } = {},
): AlertingSetup {
  const route = buildRouteTree(spec.route);
  const receivers = new Map<string, ReceiverSpec>(
    spec.receivers.map((r) => [r.name, { name: r.name, integrations: integrationsOf(r) }]),
  );
  const implicitRoutes: RouteNode[] = [];
  for (const implicit of options.implicitReceivers ?? []) {
    if (receivers.has(implicit.receiver))
      throw new RangeError(`receiver "${implicit.receiver}" is configured already; pick another name`);
    receivers.set(implicit.receiver, {
      name: implicit.receiver,
      integrations: [{ kind: implicit.integration, index: 0, sendResolved: true }],
    });
    implicitRoutes.push(buildImplicitRoute(route, implicit));
  }
  const timeIntervals = new Map<string, TimeInterval[]>();
  for (const named of [...spec.time_intervals, ...(spec.mute_time_intervals ?? [])]) {
    timeIntervals.set(named.name, named.time_intervals.map(parseTimeInterval));
  }
  return {
    route,
    implicitRoutes,
    receivers,
    inhibitRules: spec.inhibit_rules,
    timeIntervals,
    resolveTimeoutMs: spec.global.resolve_timeout,
    retentionMs: spec.data_retention,
    externalUrl: (spec.external_url ?? options.externalUrl ?? '').replace(/\/$/, ''),
    intakeResolveTimeoutMs: spec.intake_resolve_timeout ?? 25 * 3600_000,
  };
}
