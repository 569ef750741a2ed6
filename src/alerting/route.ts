// The routing tree, as Alertmanager builds and walks it: options inherited from the parent,
// matchers sorted, depth-first search where the first matching child wins unless it continues.
import type { Labels } from '../domain/alert.js';
import { labelSetString } from './label-set.js';
import { compareMatchers, matchersString, newMatcher, parseMatchers, type Matcher } from './matcher.js';

/** One `route:` node as the configuration gives it (durations in ms; absent means inherit). */
export interface RouteSpec {
  readonly receiver?: string | undefined;
  readonly group_by?: readonly string[] | undefined;
  readonly continue?: boolean | undefined;
  readonly match?: Readonly<Record<string, string>> | undefined;
  readonly match_re?: Readonly<Record<string, string>> | undefined;
  readonly matchers?: readonly string[] | undefined;
  readonly group_wait?: number | undefined;
  readonly group_interval?: number | undefined;
  readonly repeat_interval?: number | undefined;
  readonly mute_time_intervals?: readonly string[] | undefined;
  readonly active_time_intervals?: readonly string[] | undefined;
  readonly routes?: readonly RouteSpec[] | undefined;
}

export interface RouteNode {
  /** Unique in the tree: the key plus the position among siblings (Alertmanager's `Route.ID()`). */
  readonly id: string;
  /** The matcher path from the root, e.g. `{}/{team="x"}` (Alertmanager's `Route.Key()`). */
  readonly key: string;
  readonly matchers: readonly Matcher[];
  readonly continue: boolean;
  readonly receiver: string;
  readonly groupBy: ReadonlySet<string>;
  /** `group_by: ['...']`: every label is a group label. */
  readonly groupByAll: boolean;
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: number;
  /** Not inherited, as in Alertmanager. */
  readonly muteTimeIntervals: readonly string[];
  readonly activeTimeIntervals: readonly string[];
  readonly routes: readonly RouteNode[];
}

/** Alertmanager's defaults for the root route. */
export const ROUTE_DEFAULTS = {
  groupWait: 30_000,
  groupInterval: 5 * 60_000,
  repeatInterval: 4 * 3600_000,
} as const;

interface Inherited {
  receiver: string;
  groupBy: ReadonlySet<string>;
  groupByAll: boolean;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
}

/** Builds the tree from the (validated) configuration. */
export function buildRouteTree(spec: RouteSpec): RouteNode {
  const root: Inherited = {
    receiver: '',
    groupBy: new Set(),
    groupByAll: false,
    ...ROUTE_DEFAULTS,
  };
  return buildNode(spec, root, undefined, undefined);
}

function buildNode(
  spec: RouteSpec,
  parent: Inherited,
  parentKey: string | undefined,
  position: number | undefined,
): RouteNode {
  const opts: Inherited = { ...parent };
  if (spec.receiver) opts.receiver = spec.receiver;
  // Alertmanager keeps the parent's group_by unless the list names at least one label:
  // `['...']` turns on group-by-all, and an empty list inherits.
  const named = (spec.group_by ?? []).filter((l) => l !== '...');
  if (named.length > 0) {
    opts.groupBy = new Set(named);
    opts.groupByAll = false;
  } else if (spec.group_by?.includes('...')) {
    opts.groupByAll = true;
  }
  if (spec.group_wait !== undefined) opts.groupWait = spec.group_wait;
  if (spec.group_interval !== undefined) opts.groupInterval = spec.group_interval;
  if (spec.repeat_interval !== undefined) opts.repeatInterval = spec.repeat_interval;

  const matchers: Matcher[] = [];
  for (const [name, value] of Object.entries(spec.match ?? {})) matchers.push(newMatcher('=', name, value));
  // Alertmanager 0.25 keeps a legacy match_re value in its anchored form, and prints it so.
  for (const [name, value] of Object.entries(spec.match_re ?? {})) {
    matchers.push(newMatcher('=~', name, `^(?:${value})$`));
  }
  for (const line of spec.matchers ?? []) matchers.push(...parseMatchers(line));
  matchers.sort(compareMatchers);

  const key = parentKey === undefined ? matchersString(matchers) : `${parentKey}/${matchersString(matchers)}`;
  const id = position === undefined ? key : `${key}/${position}`;
  const routes = (spec.routes ?? []).map((child, i) => buildNode(child, opts, key, i));
  return {
    id,
    key,
    matchers,
    continue: spec.continue ?? false,
    ...opts,
    muteTimeIntervals: spec.mute_time_intervals ?? [],
    activeTimeIntervals: spec.active_time_intervals ?? [],
    routes,
  };
}

/**
 * A route Lookout adds itself, outside the configured tree (chat subscriptions): it matches
 * every alert, behaves as a first child with `continue: true` (so the configured tree still
 * sees every alert), and groups by the root's labels plus `groupBy`. Its key cannot clash with
 * a configured route's, and adding one leaves the configured routes' ids (and groups) as they were.
 */
export interface ImplicitRouteSpec {
  /** The receiver it delivers to; not one of the configured receivers. */
  readonly receiver: string;
  /** Labels to group by on top of the root route's (e.g. `namespace`, `cluster`). */
  readonly groupBy: readonly string[];
}

export function buildImplicitRoute(root: RouteNode, spec: ImplicitRouteSpec): RouteNode {
  const key = `${root.key}/implicit:${spec.receiver}`;
  return {
    id: key,
    key,
    matchers: [],
    continue: true,
    receiver: spec.receiver,
    groupBy: root.groupByAll ? root.groupBy : new Set([...root.groupBy, ...spec.groupBy]),
    groupByAll: root.groupByAll,
    groupWait: root.groupWait,
    groupInterval: root.groupInterval,
    repeatInterval: root.repeatInterval,
    muteTimeIntervals: [],
    activeTimeIntervals: [],
    routes: [],
  };
}

/**
 * The routes that handle an alert: depth-first, children in order, the first matching child
 * ends the search unless it has `continue: true`; a node none of whose children match handles
 * the alert itself. Empty when the node's own matchers fail.
 */
export function matchRoutes(node: RouteNode, labels: Labels): RouteNode[] {
  for (const m of node.matchers) {
    if (!m.matches(labels[m.name] ?? '')) return [];
  }
  const all: RouteNode[] = [];
  for (const child of node.routes) {
    const matches = matchRoutes(child, labels);
    all.push(...matches);
    if (matches.length > 0 && !child.continue) break;
  }
  if (all.length === 0) all.push(node);
  return all;
}

/** Every node of the tree, depth first. */
export function walkRoutes(node: RouteNode, visit: (route: RouteNode) => void): void {
  visit(node);
  for (const child of node.routes) walkRoutes(child, visit);
}

/** The labels an alert is grouped by on a route (names absent from the alert are left out). */
export function groupLabelsFor(route: RouteNode, labels: Labels): Labels {
  if (route.groupByAll) return labels;
  const out: Record<string, string> = {};
  for (const name of route.groupBy) {
    const value = labels[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

/** Alertmanager's group key: `{}/{team="x"}:{alertname="A", namespace="n"}`. */
export function groupKeyFor(route: RouteNode, groupLabels: Labels): string {
  return `${route.key}:${labelSetString(groupLabels)}`;
}
