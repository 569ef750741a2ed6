// Message templates: Liquid (LiquidJS) with output escaped for the target markup, a few filters
// for logs and markup, and the data a template sees (the notification plus ready-made fields).
import type * as LiquidModule from 'liquidjs';
import type { Liquid } from 'liquidjs';
import type { Labels } from '../domain/alert.js';
import type { Notification, NotificationAlert } from '../domain/notification.js';
import { lazyRequire } from '../lib/lazy-require.js';
import { signalName } from './explain.js';
import { bold, codeBlock, escapeFor, inlineCode, link, type MarkupFormat } from './markup.js';

/** LiquidJS is loaded when the first template is parsed. */
const liquid = lazyRequire<typeof LiquidModule>('liquidjs');

/** A template that failed to parse; the message says where. */
export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

export interface CompiledTemplate {
  readonly source: string;
  readonly format: MarkupFormat;
  render(data: MessageData): string;
}

/** Longest a template may take to render; a runaway loop must not stall a delivery worker. */
const RENDER_LIMIT_MS = 2000;

function createEngine(format: MarkupFormat): Liquid {
  const engine = new (liquid().Liquid)({
    // Templates come from the config file: no file-system includes, no prototype lookups.
    templates: {},
    ownPropertyOnly: true,
    strictFilters: true,
    timezoneOffset: 0,
    outputEscape: (value: unknown) => escapeFor(format, stringify(value)),
    parseLimit: 1_000_000,
  });
  engine.registerFilter('tail_lines', (value: unknown, count: unknown) =>
    tailLines(stringify(value), num(count, 20)),
  );
  engine.registerFilter('head_lines', (value: unknown, count: unknown) =>
    headLines(stringify(value), num(count, 20)),
  );
  engine.registerFilter('tail_chars', (value: unknown, count: unknown) =>
    tailChars(stringify(value), num(count, 2000)),
  );
  engine.registerFilter('time', (value: unknown) => formatTime(stringify(value)));
  engine.registerFilter('label_list', (value: unknown) => labelList(value as Labels | undefined));
  // Markup filters produce markup, so their output is not escaped again: they must come last.
  engine.registerFilter('bold', { raw: true, handler: (value: unknown) => bold(format, stringify(value)) });
  engine.registerFilter('code', {
    raw: true,
    handler: (value: unknown) => codeBlock(format, stringify(value)),
  });
  engine.registerFilter('code_inline', {
    raw: true,
    handler: (value: unknown) => inlineCode(format, stringify(value)),
  });
  engine.registerFilter('link', {
    raw: true,
    handler: (value: unknown, url: unknown) => link(format, stringify(value), stringify(url)),
  });
  return engine;
}

/**
 * Parses a template for a markup format. Throws {@link TemplateError} for syntax errors and
 * unknown filters, so a bad template is a config error, not a failed notification at 3 a.m.
 */
export function compileTemplate(source: string, format: MarkupFormat): CompiledTemplate {
  const engine = createEngine(format);
  let parsed: ReturnType<Liquid['parse']>;
  try {
    parsed = engine.parse(source);
  } catch (error) {
    throw new TemplateError(describeLiquidError(error), { cause: error });
  }
  return {
    source,
    format,
    render(data: MessageData): string {
      const out = engine.renderSync(parsed, data, { renderLimit: RENDER_LIMIT_MS }) as unknown;
      return tidy(stringify(out));
    },
  };
}

/** The problem with a template, or undefined when it parses. */
export function checkTemplate(source: string, format: MarkupFormat): string | undefined {
  try {
    compileTemplate(source, format);
    return undefined;
  } catch (error) {
    return error instanceof TemplateError ? error.message : String(error);
  }
}

function describeLiquidError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // LiquidJS appends a source excerpt after the first line; the first line has the position.
  return `invalid template: ${message.split('\n')[0]}`;
}

/** Blank lines left by skipped sections collapse to one; trailing spaces go. */
function tidy(text: string): string {
  return text
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function stringify(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function num(value: unknown, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : fallback;
}

/** The last `count` non-empty-at-the-end lines. */
export function tailLines(text: string, count: number): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  return lines.slice(-count).join('\n');
}

export function headLines(text: string, count: number): string {
  return text.split('\n').slice(0, count).join('\n');
}

/** The last `count` characters, starting at a line boundary when one is near. */
export function tailChars(text: string, count: number): string {
  if (text.length <= count) return text;
  const tail = text.slice(-count);
  const newline = tail.indexOf('\n');
  return `…${newline >= 0 && newline < count / 4 ? tail.slice(newline + 1) : tail}`;
}

/** `2026-01-02T03:04:05.678Z` → `2026-01-02 03:04:05 UTC`; other text unchanged. */
export function formatTime(value: string): string {
  const ms = Date.parse(value);
  if (!value || Number.isNaN(ms) || value.startsWith('0001-')) return '';
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function labelList(labels: Labels | undefined): string {
  if (!labels) return '';
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// What a template sees.

export type AlertKind = 'crash' | 'abnormal' | 'created' | 'event' | 'generic';

export interface AlertView extends NotificationAlert {
  readonly kind: AlertKind;
  readonly firing: boolean;
  /** 🔴 critical, 🟠 warning, 🔵 info or other, ✅ resolved. */
  readonly icon: string;
  /** What the alert is about: `payments/api-7f9c · container api`, `node worker-3`, … */
  readonly heading: string;
  /** One line for compact lists. */
  readonly line: string;
  /** `SIGKILL` when the exit code or signal says so. */
  readonly signalName: string;
  readonly started: string;
  readonly ended: string;
  /** Labels other than alertname and the ones the heading already shows. */
  readonly otherLabels: Labels;
}

export interface MessageData {
  readonly version: '4';
  readonly status: Notification['status'];
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: Labels;
  readonly commonLabels: Labels;
  readonly commonAnnotations: Labels;
  readonly externalURL: string;
  readonly truncatedAlerts: number;
  readonly notificationReason: string;
  readonly alerts: readonly AlertView[];
  readonly firing: readonly AlertView[];
  readonly resolved: readonly AlertView[];
  /** Up to three alerts shown in full (firing ones first). */
  readonly details: readonly AlertView[];
  /** The rest, for a compact list (up to {@link COMPACT_LIMIT}). */
  readonly others: readonly AlertView[];
  /** How many alerts neither list shows. */
  readonly moreCount: number;
  readonly icon: string;
  /** `FIRING`, `RESOLVED`, or `FIRING 2 · RESOLVED 1`. */
  readonly statusText: string;
  /** The common alertname (with a count when several), else `N alerts`. */
  readonly headline: string;
  readonly cluster: string;
  /** The rendered title (plain text); set by the receiver before rendering the body. */
  title: string;
}

const DETAIL_LIMIT = 3;
const COMPACT_LIMIT = 25;
const CRASH_ALERTS = new Set(['ContainerCrashed', 'ContainerOOMKilled', 'PodCrashLooping']);

function classify(alert: NotificationAlert): AlertKind {
  const { labels, annotations } = alert;
  const name = labels.alertname ?? '';
  if (CRASH_ALERTS.has(name) || annotations.log_tail !== undefined || annotations.exit_code !== undefined) {
    return 'crash';
  }
  if (name === 'PodCreated') return 'created';
  if (name === 'WarningEvent' || (annotations.first_seen !== undefined && annotations.object !== undefined)) {
    return 'event';
  }
  if (labels.pod !== undefined && (labels.reason !== undefined || annotations.warning_events !== undefined)) {
    return 'abnormal';
  }
  return 'generic';
}

function iconOf(alert: NotificationAlert): string {
  if (alert.status === 'resolved') return '✅';
  const severity = alert.labels.severity ?? '';
  if (severity === 'critical' || severity === 'error' || severity === 'page') return '🔴';
  if (severity === 'warning') return '🟠';
  return '🔵';
}

function headingOf(alert: NotificationAlert, kind: AlertKind): string {
  const l = alert.labels;
  const a = alert.annotations;
  const ns = l.namespace ? `${l.namespace}/` : '';
  if (kind === 'event') {
    return `${a.kind ?? 'Object'} ${ns}${a.object ?? l.object ?? ''}`.trim();
  }
  if (l.pod) return `${ns}${l.pod}${l.container ? ` · container ${l.container}` : ''}`;
  if (l.workload) return `${ns}${l.workload_kind ? `${l.workload_kind}/` : ''}${l.workload}`;
  for (const key of [
    'deployment',
    'statefulset',
    'daemonset',
    'job_name',
    'horizontalpodautoscaler',
    'persistentvolumeclaim',
  ]) {
    if (l[key]) return `${ns}${l[key]}`;
  }
  if (l.node) return `node ${l.node}`;
  if (l.instance) return `${l.alertname ?? 'alert'} on ${l.instance}`;
  return l.alertname ?? 'alert';
}

function signalOf(alert: NotificationAlert): string {
  const signal = Number(alert.annotations.signal ?? '');
  if (Number.isInteger(signal) && signal > 0) return signalName(signal);
  const code = Number(alert.annotations.exit_code ?? '');
  if (Number.isInteger(code) && code > 128 && code < 160) return signalName(code - 128);
  return '';
}

function lineOf(alert: NotificationAlert, kind: AlertKind, heading: string): string {
  const l = alert.labels;
  const a = alert.annotations;
  const name = l.alertname ?? '';
  const firstLine = (text: string | undefined, max = 140): string => {
    const line = (text ?? '').split('\n')[0]!.trim();
    return line.length > max ? `${line.slice(0, max - 1)}…` : line;
  };
  switch (kind) {
    case 'crash': {
      const facts = [
        l.reason,
        a.exit_code !== undefined ? `exit ${a.exit_code}` : undefined,
        a.restart_count !== undefined ? `restarts ${a.restart_count}` : undefined,
      ].filter(Boolean);
      return `${heading}: ${name}${facts.length > 0 ? ` (${facts.join(', ')})` : ''}`;
    }
    case 'abnormal':
      return `${heading}: ${l.reason ?? name}${a.summary ? ` — ${firstLine(a.summary)}` : ''}`;
    case 'created':
      return `${heading} created${l.node ? ` on ${l.node}` : ''}`;
    case 'event':
      return `${heading}: ${a.reason ?? l.reason ?? ''}${a.count ? ` ×${a.count}` : ''} — ${firstLine(a.message)}`;
    case 'generic': {
      const text = firstLine(a.summary ?? a.description);
      return `${name}${heading !== name ? ` ${heading}` : ''}${text ? `: ${text}` : ''}`;
    }
  }
}

const HEADING_LABELS = new Set(['alertname', 'namespace', 'pod', 'container', 'cluster', 'severity']);

function viewOf(alert: NotificationAlert): AlertView {
  const kind = classify(alert);
  const heading = headingOf(alert, kind);
  const otherLabels = Object.fromEntries(
    Object.entries(alert.labels).filter(([k]) => !HEADING_LABELS.has(k)),
  );
  return {
    ...alert,
    kind,
    firing: alert.status === 'firing',
    icon: iconOf(alert),
    heading,
    line: lineOf(alert, kind, heading),
    signalName: signalOf(alert),
    started: formatTime(alert.startsAt),
    ended: alert.status === 'resolved' ? formatTime(alert.endsAt) : '',
    otherLabels,
  };
}

/** Builds what templates see from a notification (whose alerts may be an incident's merged set). */
export function messageData(notification: Notification): MessageData {
  const alerts = notification.alerts.map(viewOf);
  const firing = alerts.filter((a) => a.firing);
  const resolved = alerts.filter((a) => !a.firing);
  const ordered = [...firing, ...resolved];
  const detailCount = Math.min(DETAIL_LIMIT, firing.length > 0 ? firing.length : resolved.length);
  const details = ordered.slice(0, detailCount);
  const rest = ordered.slice(detailCount);
  const others = rest.slice(0, COMPACT_LIMIT);
  const names = new Set(alerts.map((a) => a.labels.alertname ?? ''));
  const commonName = notification.commonLabels.alertname ?? (names.size === 1 ? [...names][0]! : '');
  const count = alerts.length + notification.truncatedAlerts;
  const headline = commonName ? (count > 1 ? `${commonName} ×${count}` : commonName) : `${count} alerts`;
  const anyFiring = firing.length > 0;
  const statusText =
    anyFiring && resolved.length > 0
      ? `FIRING ${firing.length} · RESOLVED ${resolved.length}`
      : anyFiring
        ? 'FIRING'
        : 'RESOLVED';
  const worst = firing.find((a) => a.icon === '🔴') ?? firing.find((a) => a.icon === '🟠') ?? firing[0];
  return {
    version: '4',
    status: notification.status,
    receiver: notification.receiver,
    groupKey: notification.groupKey,
    groupLabels: notification.groupLabels,
    commonLabels: notification.commonLabels,
    commonAnnotations: notification.commonAnnotations,
    externalURL: notification.externalURL,
    truncatedAlerts: notification.truncatedAlerts,
    notificationReason: notification.notificationReason ?? '',
    alerts,
    firing,
    resolved,
    details,
    others,
    moreCount: rest.length - others.length,
    icon: worst?.icon ?? '✅',
    statusText,
    headline,
    cluster: notification.commonLabels.cluster ?? '',
    title: '',
  };
}

// ---------------------------------------------------------------------------------------------
// Defaults. Written in the same template language users write, so they can start from them
// (docs/notifications.md prints them). Literal text avoids characters any format reserves.

/** The title line, rendered as plain text (Slack's header, Telegram's first line). */
export const DEFAULT_TITLE = `{{ icon }} {{ statusText }} · {{ headline }}{% if cluster != "" %} · {{ cluster }}{% endif %}`;

/** The body shared by Telegram and Slack; markup comes only from the filters. */
export const DEFAULT_BODY = `
{% for a in details %}
{% case a.kind %}
{% when "crash" %}
{{ a.icon }} {{ a.heading | bold }}
{% if a.labels.cluster %}Cluster {{ a.labels.cluster }} · {% endif %}{% if a.labels.node %}node {{ a.labels.node }}{% endif %}{% if a.labels.workload %} · {{ a.labels.workload_kind }} {{ a.labels.workload }}{% endif %}
Reason {{ a.labels.reason | default: a.labels.alertname | bold }}{% if a.annotations.exit_code %} · exit code {{ a.annotations.exit_code | bold }}{% endif %}{% if a.signalName != "" %} ({{ a.signalName }}){% endif %}{% if a.annotations.restart_count %} · restarts {{ a.annotations.restart_count }}{% endif %}
{% if a.annotations.hint %}💡 {{ a.annotations.hint }}{% endif %}
{% if a.annotations.log_tail %}{{ "Last log lines" | bold }}
{{ a.annotations.log_tail | tail_lines: 25 | tail_chars: 1800 | code }}{% endif %}
{% if a.annotations.warning_events %}{{ "Recent warning events" | bold }}
{{ a.annotations.warning_events | tail_lines: 8 | tail_chars: 1000 | code }}{% endif %}
{% when "abnormal" %}
{{ a.icon }} {{ a.heading | bold }}
{% if a.labels.cluster %}Cluster {{ a.labels.cluster }}{% endif %}{% if a.labels.node %} · node {{ a.labels.node }}{% endif %}{% if a.labels.workload %} · {{ a.labels.workload_kind }} {{ a.labels.workload }}{% endif %}
Status {{ a.labels.reason | default: a.labels.alertname | bold }}{% if a.annotations.summary %} · {{ a.annotations.summary }}{% endif %}
{% if a.annotations.description %}{{ a.annotations.description }}{% endif %}
{% if a.annotations.hint %}💡 {{ a.annotations.hint }}{% endif %}
{% if a.annotations.warning_events %}{{ "Recent warning events" | bold }}
{{ a.annotations.warning_events | tail_lines: 8 | tail_chars: 1200 | code }}{% endif %}
{% when "created" %}
🆕 {{ "New pod" | bold }} {{ a.heading }}
{% if a.labels.cluster %}Cluster {{ a.labels.cluster }}{% endif %}{% if a.labels.node %} · node {{ a.labels.node }}{% endif %}{% if a.labels.workload %} · {{ a.labels.workload_kind }} {{ a.labels.workload }}{% endif %}
{% if a.annotations.summary %}{{ a.annotations.summary }}{% endif %}
{% when "event" %}
{{ a.icon }} {{ "Kubernetes event" | bold }}
Kind: {{ a.annotations.kind }}
Namespace: {{ a.labels.namespace }}
Reason: {{ a.annotations.reason | default: a.labels.reason }}
Time: {{ a.annotations.first_seen }} → {{ a.annotations.last_seen }}
Count: {{ a.annotations.count }}
Type: {{ a.annotations.type }}
Host: {{ a.annotations.host }}
Object: {{ a.annotations.object }}
Message: {{ a.annotations.message }}
{% else %}
{{ a.icon }} {{ a.heading | bold }}
{% if a.annotations.summary %}{{ a.annotations.summary }}{% endif %}
{% if a.annotations.description %}{{ a.annotations.description }}{% endif %}
{% if a.otherLabels.size != 0 %}{{ a.otherLabels | label_list }}{% endif %}
{%- endcase %}
{% if a.firing %}Since {{ a.started }}{% else %}Resolved {{ a.ended }}{% if a.started != "" %} (since {{ a.started }}){% endif %}{% endif %}

{% endfor %}
{% if others.size > 0 %}
{% for a in others %}{{ a.icon }} {{ a.line }}
{% endfor %}{% endif %}
{% if moreCount > 0 %}… and {{ moreCount }} more{% endif %}
{% if truncatedAlerts > 0 %}{{ truncatedAlerts }} more alerts were left out of this notification.{% endif %}
`;

/** Telegram's default: the title in bold, then the body. */
export const DEFAULT_TELEGRAM_MESSAGE = `{{ title | bold }}\n${DEFAULT_BODY}`;
