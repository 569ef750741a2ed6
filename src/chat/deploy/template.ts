// App templates: YAML files of Kubernetes objects with `${parameter}` placeholders, parsed and
// checked once at load (every problem reported with its file and path) so a deploy never fails on them.
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { dnsLabel, obj } from '../../config/schema-kit.js';
import { APP_NAME_MAX } from './app-name.js';
import { kindInfo, supportedKinds } from './kinds.js';

/** Parameters every template gets from the conversation. */
export const BUILTIN_PARAMETERS = ['app', 'namespace', 'replicas'] as const;

const PARAM_NAME = /^[a-z_][a-z0-9_]*$/;
/** `${name}`, or `$${name}` for a literal `${name}`. */
const PLACEHOLDER = /\$(\$?)\{([^}]*)\}/g;
const WHOLE_PLACEHOLDER = /^\$\{([a-z_][a-z0-9_]*)\}$/;

const paramName = z
  .string()
  .regex(PARAM_NAME, 'must be lower-case letters, digits and "_" (like db_password)')
  .refine((n) => !(BUILTIN_PARAMETERS as readonly string[]).includes(n), {
    message: `is set by the conversation (${BUILTIN_PARAMETERS.join(', ')}); pick another name`,
  });

const parameterSchema = z.discriminatedUnion('type', [
  obj({
    name: paramName,
    /** A password made at deploy time: random letters and digits, never shown or stored by Lookout. */
    type: z.literal('secret'),
    length: z.number().int().min(12).max(128).default(24),
    description: z.string().optional(),
  }),
  obj({
    name: paramName,
    type: z.literal('string'),
    default: z.string(),
    description: z.string().optional(),
  }),
  obj({
    name: paramName,
    type: z.literal('integer'),
    default: z.number().int(),
    description: z.string().optional(),
  }),
]);

const manifestSchema = z.looseObject({
  apiVersion: z.string({ error: 'is required' }).min(1),
  kind: z.string({ error: 'is required' }).min(1),
  metadata: z.looseObject({
    name: z.string({ error: 'is required' }).min(1),
  }),
});

const templateSchema = obj({
  name: dnsLabel(),
  title: z.string().min(1).max(64),
  description: z.string().max(500).default(''),
  parameters: z.array(parameterSchema).default([]),
  /** The Service whose node port is the app's address. */
  expose: obj({
    service: z.string().min(1),
    /** The Service port (its name or number) the URL points at. */
    port: z.union([z.string().min(1), z.number().int().min(1).max(65535)]),
    scheme: z.enum(['http', 'https']).default('http'),
    path: z.string().startsWith('/').default('/'),
  }),
  objects: z.array(manifestSchema).min(1).max(30),
});

export type TemplateParameter = z.output<typeof parameterSchema>;
export type Manifest = z.output<typeof manifestSchema>;

export interface AppTemplate {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly parameters: readonly TemplateParameter[];
  readonly expose: {
    readonly service: string;
    readonly port: string | number;
    readonly scheme: string;
    readonly path: string;
  };
  readonly objects: readonly Manifest[];
  /** Where it was read from, for messages. */
  readonly source: string;
}

/** One problem in a template file. */
export interface TemplateIssue {
  /** `objects[2].spec.replicas`; empty for the file as a whole. */
  readonly path: string;
  readonly message: string;
}

export type TemplateParse =
  { readonly template: AppTemplate } | { readonly issues: readonly TemplateIssue[] };

/** Values for every placeholder: the conversation's answers plus the template's own parameters. */
export type TemplateValues = Readonly<Record<string, string | number>>;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/** Calls `visit` for every string value (with its path) and every key in `value`. */
function walk(
  value: unknown,
  path: readonly PropertyKey[],
  visit: (s: string, path: readonly PropertyKey[], isKey: boolean) => void,
): void {
  if (typeof value === 'string') visit(value, path, false);
  else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, i], visit));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, [...path, k], true);
      walk(v, [...path, k], visit);
    }
  }
}

/** The placeholder names a string uses (escaped `$${…}` excluded); malformed ones as `undefined`. */
function placeholders(s: string): Array<string | undefined> {
  const out: Array<string | undefined> = [];
  for (const m of s.matchAll(PLACEHOLDER)) {
    if (m[1]) continue;
    out.push(PARAM_NAME.test(m[2] ?? '') ? m[2] : undefined);
  }
  return out;
}

/** Replaces placeholders in one string; a string that is one placeholder keeps its value's type. */
function substitute(s: string, values: TemplateValues): string | number {
  const whole = WHOLE_PLACEHOLDER.exec(s);
  if (whole) {
    const v = values[whole[1]!];
    if (v !== undefined) return v;
  }
  return s.replace(PLACEHOLDER, (match, escaped: string, name: string) => {
    if (escaped) return `\${${name}}`;
    const v = values[name];
    return v === undefined ? match : String(v);
  });
}

/** A deep copy of `value` with every placeholder replaced. */
export function substituteAll(value: unknown, values: TemplateValues): unknown {
  if (typeof value === 'string') return substitute(value, values);
  if (Array.isArray(value)) return value.map((v) => substituteAll(v, values));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteAll(v, values)]));
  }
  return value;
}

/** Sample values for checking a template: the longest app name, so length limits show at load. */
function sampleValues(
  template: Pick<AppTemplate, 'parameters'>,
  maxReplicas = 3,
): Record<string, string | number> {
  const values: Record<string, string | number> = {
    app: 'a'.repeat(APP_NAME_MAX),
    namespace: 'default',
    replicas: maxReplicas,
  };
  for (const p of template.parameters) {
    values[p.name] = p.type === 'secret' ? 'x'.repeat(p.length) : p.default;
  }
  return values;
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function nameProblem(kind: string, name: string): string | undefined {
  if (kind === 'Service') {
    if (name.length > 63 || !DNS_1035_LABEL.test(name))
      return 'must be a DNS-1035 label (lower-case letters, digits and "-", starting with a letter, at most 63 characters)';
    return undefined;
  }
  // Pods of a workload are named `<name>-<hash>-<suffix>`; the API keeps such names to labels.
  if (kind === 'Deployment' || kind === 'StatefulSet') {
    if (name.length > 52 || !DNS_1123_LABEL.test(name))
      return 'must be a DNS-1123 label of at most 52 characters (its pods add a suffix)';
    return undefined;
  }
  if (name.length > 253 || !DNS_1123_SUBDOMAIN.test(name)) return 'must be a DNS-1123 subdomain';
  return undefined;
}

/** Parses and checks one template file's text. */
export function parseTemplate(text: string, source: string): TemplateParse {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // One broken token makes the parser report every later one too; the first is the one to fix.
    const first = doc.errors[0]!;
    const line = (first.message.split('\n')[0] ?? first.message).replace(/:$/, '');
    const hint = /flow-map|flow-seq/.test(line) ? " (inside { } or [ ], quote placeholders: '${app}')" : '';
    return { issues: [{ path: '', message: `${line}${hint}` }] };
  }
  const parsed = templateSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    return {
      issues: parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    };
  }
  const t = parsed.data;
  const issues: TemplateIssue[] = [];
  const add = (path: readonly PropertyKey[], message: string): void => {
    issues.push({ path: formatPath(path), message });
  };

  const known = new Set<string>(BUILTIN_PARAMETERS);
  t.parameters.forEach((p, i) => {
    if (known.has(p.name)) add(['parameters', i, 'name'], `"${p.name}" is declared twice`);
    known.add(p.name);
  });

  const used = new Set<string>();
  const checkPlaceholders = (value: unknown, root: readonly PropertyKey[]): void => {
    walk(value, root, (s, path, isKey) => {
      const names = placeholders(s);
      if (names.length === 0) return;
      if (isKey) {
        add(path, 'placeholders are only allowed in values, not in keys');
        return;
      }
      for (const name of names) {
        if (name === undefined)
          add(path, `"${s}" has a malformed placeholder (write \${name}, or $\${ for a literal)`);
        else if (!known.has(name))
          add(path, `unknown parameter \${${name}} (known: ${[...known].join(', ')})`);
        else used.add(name);
      }
    });
  };
  checkPlaceholders(t.objects, ['objects']);
  checkPlaceholders(t.expose.service, ['expose', 'service']);

  t.objects.forEach((o, i) => {
    if (!kindInfo(o.apiVersion, o.kind))
      add(
        ['objects', i, 'kind'],
        `${o.apiVersion} ${o.kind} is not supported (supported: ${supportedKinds()})`,
      );
    const ns = (o.metadata as { namespace?: unknown }).namespace;
    if (ns !== undefined && ns !== '${namespace}')
      add(
        ['objects', i, 'metadata', 'namespace'],
        'leave it out: the app goes to the namespace chosen in the conversation',
      );
  });
  if (!used.has('app'))
    add(['objects'], 'no object name uses ${app}: two deploys of this template would collide');
  if (!used.has('replicas'))
    add(
      ['objects'],
      'nothing uses ${replicas}, but the conversation asks for it (set a Deployment\'s spec.replicas to "${replicas}")',
    );
  if (issues.length > 0) return { issues };

  // A trial render with the longest app name catches names that become invalid or too long.
  const values = sampleValues(t);
  const rendered = substituteAll(t.objects, values) as Manifest[];
  const seen = new Map<string, number>();
  rendered.forEach((o, i) => {
    const name = String(o.metadata.name);
    const problem = nameProblem(o.kind, name);
    if (problem)
      add(
        ['objects', i, 'metadata', 'name'],
        `with a ${APP_NAME_MAX}-character app name it becomes "${name}", which ${problem}`,
      );
    const key = `${o.kind}/${name}`;
    const first = seen.get(key);
    if (first !== undefined)
      add(
        ['objects', i, 'metadata', 'name'],
        `${o.kind} "${t.objects[i]!.metadata.name}" is also objects[${first}]`,
      );
    else seen.set(key, i);
    if (
      o.kind === 'Deployment' &&
      typeof (o.spec as { replicas?: unknown } | undefined)?.replicas === 'string'
    )
      add(['objects', i, 'spec', 'replicas'], 'must be a number or a placeholder of an integer parameter');
  });
  const exposed = String(substituteAll(t.expose.service, values));
  const svc = rendered.find((o) => o.kind === 'Service' && o.metadata.name === exposed);
  if (!svc) {
    add(['expose', 'service'], `no Service named "${t.expose.service}" among the objects`);
  } else {
    const spec = svc.spec as { type?: string; ports?: Array<{ name?: string; port?: number }> } | undefined;
    if (spec?.type !== 'NodePort' && spec?.type !== 'LoadBalancer')
      add(
        ['expose', 'service'],
        `Service "${t.expose.service}" must be of type NodePort (it is ${spec?.type ?? 'ClusterIP'})`,
      );
    const port = t.expose.port;
    if (!(spec?.ports ?? []).some((p) => p.name === port || p.port === port))
      add(['expose', 'port'], `Service "${t.expose.service}" has no port ${JSON.stringify(port)}`);
  }
  if (!rendered.some((o) => kindInfo(o.apiVersion, o.kind)?.workload))
    add(['objects'], 'there is no Deployment or StatefulSet to roll out');
  if (issues.length > 0) return { issues };

  return {
    template: {
      name: t.name,
      title: t.title,
      description: t.description,
      parameters: t.parameters,
      expose: t.expose,
      objects: t.objects,
      source,
    },
  };
}
