// `alerting:` — Alertmanager 0.25's vocabulary and meaning: route, receivers, inhibit_rules,
// time_intervals, templates and global.resolve_timeout; every matcher and reference checked here.
import { z } from 'zod';
import { isValidLabelName } from '../../alerting/label-set.js';
import { MatcherError, parseMatchers } from '../../alerting/matcher.js';
import { regexError } from '../../alerting/regex.js';
import type { RouteSpec } from '../../alerting/route.js';
import { parseTimeInterval, TimeIntervalError } from '../../alerting/time-interval.js';
import { duration, obj } from '../schema-kit.js';
import { receiverSchema } from './receivers.js';

const labelName = z.string().refine(isValidLabelName, {
  message: 'is not a valid label name (letters, digits and "_", not starting with a digit)',
});

/** `matchers:` — each string holds one or more matchers such as `severity=~"critical|warning"`. */
const matcherLines = z.array(z.string()).superRefine((lines, ctx) => {
  lines.forEach((line, i) => {
    try {
      parseMatchers(line);
    } catch (error) {
      if (!(error instanceof MatcherError)) throw error;
      ctx.addIssue({ code: 'custom', path: [i], message: error.message });
    }
  });
});

/** Legacy `match:` — label name → exact value. */
const matchMap = z.record(z.string(), z.string()).superRefine((map, ctx) => {
  for (const name of Object.keys(map)) {
    if (!isValidLabelName(name))
      ctx.addIssue({ code: 'custom', path: [name], message: `invalid label name "${name}"` });
  }
});

/** Legacy `match_re:` — label name → regex, anchored as Alertmanager anchors it. */
const matchReMap = z.record(z.string(), z.string()).superRefine((map, ctx) => {
  for (const [name, pattern] of Object.entries(map)) {
    if (!isValidLabelName(name))
      ctx.addIssue({ code: 'custom', path: [name], message: `invalid label name "${name}"` });
    const problem = regexError(`^(?:${pattern})$`);
    if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
  }
});

interface RouteInput {
  receiver?: string | undefined;
  group_by?: string[] | undefined;
  continue?: boolean | undefined;
  match?: Record<string, string> | undefined;
  match_re?: Record<string, string> | undefined;
  matchers?: string[] | undefined;
  group_wait?: string | undefined;
  group_interval?: string | undefined;
  repeat_interval?: string | undefined;
  mute_time_intervals?: string[] | undefined;
  active_time_intervals?: string[] | undefined;
  routes?: RouteInput[] | undefined;
}

const routeSchema: z.ZodType<RouteSpec, RouteInput> = obj({
  /** Receiver for alerts this route handles; inherited from the parent when absent. */
  receiver: z.string().min(1).optional(),
  /** Labels that make up a group; `['...']` groups by all labels. Inherited when absent. */
  group_by: z
    .array(z.string())
    .optional()
    .superRefine((list, ctx) => {
      if (!list) return;
      const seen = new Set<string>();
      list.forEach((name, i) => {
        if (name === '...') return;
        if (!isValidLabelName(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [i],
            message: `invalid label name "${name}" in group_by list`,
          });
        }
        if (seen.has(name))
          ctx.addIssue({ code: 'custom', path: [i], message: `duplicated label "${name}" in group_by` });
        seen.add(name);
      });
      if (list.includes('...') && list.some((n) => n !== '...')) {
        ctx.addIssue({
          code: 'custom',
          message: 'cannot have wildcard group_by (`...`) and other labels at the same time',
        });
      }
    }),
  /** Keep matching the following sibling routes after this one matched. */
  continue: z.boolean().default(false),
  match: matchMap.optional(),
  match_re: matchReMap.optional(),
  matchers: matcherLines.optional(),
  group_wait: duration().optional(),
  /** Must not be zero (checked below, so `config print` still shows it as a duration). */
  group_interval: duration().optional(),
  repeat_interval: duration().optional(),
  /** Named time intervals during which this route sends nothing (not inherited). */
  mute_time_intervals: z.array(z.string().min(1)).optional(),
  /** Named time intervals outside which this route sends nothing (not inherited). */
  active_time_intervals: z.array(z.string().min(1)).optional(),
  get routes() {
    return z.array(routeSchema).optional();
  },
}).superRefine((route, ctx) => {
  for (const key of ['group_interval', 'repeat_interval'] as const) {
    if (route[key] === 0) ctx.addIssue({ code: 'custom', path: [key], message: `${key} cannot be zero` });
  }
});

const inhibitRuleSchema = obj({
  source_matchers: matcherLines.optional(),
  target_matchers: matcherLines.optional(),
  source_match: matchMap.optional(),
  source_match_re: matchReMap.optional(),
  target_match: matchMap.optional(),
  target_match_re: matchReMap.optional(),
  /** Labels whose values must be equal on source and target (missing on both counts as equal). */
  equal: z.array(labelName).optional(),
});

const rangeList = (kind: 'weekdays' | 'days_of_month' | 'months' | 'years') =>
  z.array(z.union([z.string(), z.number().int()]).transform((v) => String(v))).superRefine((list, ctx) => {
    list.forEach((item, i) => {
      try {
        parseTimeInterval({ [kind]: [item] });
      } catch (error) {
        if (!(error instanceof TimeIntervalError)) throw error;
        ctx.addIssue({ code: 'custom', path: [i], message: error.message });
      }
    });
  });

const timeIntervalSchema = obj({
  times: z
    .array(obj({ start_time: z.string(), end_time: z.string() }))
    .optional()
    .superRefine((times, ctx) => {
      times?.forEach((t, i) => {
        try {
          parseTimeInterval({ times: [t] });
        } catch (error) {
          if (!(error instanceof TimeIntervalError)) throw error;
          ctx.addIssue({ code: 'custom', path: [i], message: error.message });
        }
      });
    }),
  weekdays: rangeList('weekdays').optional(),
  days_of_month: rangeList('days_of_month').optional(),
  months: rangeList('months').optional(),
  years: rangeList('years').optional(),
  /** IANA time zone (e.g. Europe/Berlin), `UTC` (default) or `Local`. */
  location: z
    .string()
    .optional()
    .superRefine((zone, ctx) => {
      if (zone === undefined) return;
      try {
        parseTimeInterval({ location: zone });
      } catch (error) {
        if (!(error instanceof TimeIntervalError)) throw error;
        ctx.addIssue({ code: 'custom', message: error.message });
      }
    }),
});

const namedTimeIntervals = obj({
  name: z.string().min(1),
  time_intervals: z.array(timeIntervalSchema),
});

const DEFAULT_RECEIVER = 'default';

const alertingShape = obj({
  global: obj({
    /** How long an alert without an end time stays firing without an update (Alertmanager: 5m). */
    resolve_timeout: duration().prefault('5m'),
  }).prefault({}),
  /** The routing tree. Without it, every alert goes to the `default` receiver. */
  route: routeSchema.optional(),
  receivers: z.array(receiverSchema).optional(),
  inhibit_rules: z.array(inhibitRuleSchema).default([]),
  time_intervals: z.array(namedTimeIntervals).default([]),
  /** Alertmanager's older name for `time_intervals`; both are accepted. */
  mute_time_intervals: z.array(namedTimeIntervals).default([]),
  /** Template files for receivers' messages. */
  templates: z.array(z.string().min(1)).default([]),
  /** The link notifications carry back to Lookout (`externalURL`); defaults to the HTTP address. */
  external_url: z.url().optional(),
  /**
   * How long the notification log, expired silences and resolved alerts are kept
   * (Alertmanager's `--data.retention`).
   */
  data_retention: duration().prefault('120h'),
  /**
   * Firing alerts received through the Alertmanager webhook intake carry no end time, and the
   * sending Alertmanager repeats them only every repeat_interval: they resolve after this long
   * without news (a resolved notification ends them earlier).
   */
  intake_resolve_timeout: duration().prefault('25h'),
});

type AlertingShape = z.output<typeof alertingShape>;

function checkReferences(c: AlertingShape, ctx: z.RefinementCtx): void {
  const receivers = c.receivers ?? [];
  const names = new Set<string>();
  receivers.forEach((r, i) => {
    if (names.has(r.name)) {
      ctx.addIssue({
        code: 'custom',
        path: ['receivers', i, 'name'],
        message: `receiver name "${r.name}" is not unique`,
      });
    }
    names.add(r.name);
  });
  const intervals = new Set<string>();
  for (const key of ['time_intervals', 'mute_time_intervals'] as const) {
    c[key].forEach((ti, i) => {
      if (intervals.has(ti.name)) {
        ctx.addIssue({
          code: 'custom',
          path: [key, i, 'name'],
          message: `time interval "${ti.name}" is not unique`,
        });
      }
      intervals.add(ti.name);
    });
  }
  const route = c.route;
  if (!route) {
    if (c.receivers !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['route'],
        message: 'is required when receivers are configured (the root route names the default receiver)',
      });
    }
    return;
  }
  if (!route.receiver)
    ctx.addIssue({
      code: 'custom',
      path: ['route', 'receiver'],
      message: 'root route must specify a default receiver',
    });
  if (
    route.matchers?.length ||
    Object.keys(route.match ?? {}).length ||
    Object.keys(route.match_re ?? {}).length
  ) {
    ctx.addIssue({ code: 'custom', path: ['route'], message: 'root route must not have any matchers' });
  }
  if (route.continue)
    ctx.addIssue({
      code: 'custom',
      path: ['route', 'continue'],
      message: 'cannot have continue in root route',
    });
  if (route.mute_time_intervals?.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['route', 'mute_time_intervals'],
      message: 'root route must not have any mute time intervals',
    });
  }
  if (route.active_time_intervals?.length) {
    ctx.addIssue({
      code: 'custom',
      path: ['route', 'active_time_intervals'],
      message: 'root route must not have any active time intervals',
    });
  }
  const known = c.receivers === undefined ? new Set([DEFAULT_RECEIVER]) : names;
  const walk = (node: RouteSpec, path: (string | number)[]): void => {
    if (node.receiver !== undefined && !known.has(node.receiver)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'receiver'],
        message: `undefined receiver "${node.receiver}" used in route`,
      });
    }
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      node[key]?.forEach((name, i) => {
        if (!intervals.has(name)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, key, i],
            message: `undefined time interval "${name}" used in route`,
          });
        }
      });
    }
    node.routes?.forEach((child, i) => walk(child, [...path, 'routes', i]));
  };
  walk(route, ['route']);
}

export const alertingSchema = alertingShape.superRefine(checkReferences).transform((c) => ({
  ...c,
  route: c.route ?? { receiver: DEFAULT_RECEIVER, continue: false },
  // Without receivers, alerts still group and show in the API; they are just not sent anywhere.
  receivers: c.receivers ?? [receiverSchema.parse({ name: DEFAULT_RECEIVER })],
}));

export type AlertingConfig = z.output<typeof alertingSchema>;
