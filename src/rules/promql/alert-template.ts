// Prometheus' alert templating for labels and annotations: Go template actions that print a
// pipeline — `{{ $labels.pod }}`, `{{ $value | humanize }}`, `{{ printf "%.1f" $value }}`.
// Control structures (if/range/with) are refused when the rule file loads, with the reason.
import { goFloat, goG, goPrint, goSprintf, type TemplateValue } from './go-format.js';

/** What a template sees: the alert's labels, its value, and Lookout's external labels and URL. */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalURL: string;
}

export class TemplateError extends Error {}

type Operand =
  | { readonly kind: 'var'; readonly name: string; readonly fields: readonly string[] }
  | { readonly kind: 'dot'; readonly fields: readonly string[] }
  | { readonly kind: 'literal'; readonly value: TemplateValue }
  | { readonly kind: 'call'; readonly name: string }
  | { readonly kind: 'sub'; readonly pipeline: Pipeline };

interface Command {
  /** A function name when the command calls one; its arguments follow. */
  readonly fn?: string;
  readonly args: readonly Operand[];
}

type Pipeline = readonly Command[];

type Node =
  { readonly kind: 'text'; readonly text: string } | { readonly kind: 'action'; readonly pipeline: Pipeline };

const KEYWORDS = new Set([
  'if',
  'else',
  'end',
  'range',
  'with',
  'define',
  'template',
  'block',
  'break',
  'continue',
  'nil',
]);

type Fn = (args: readonly TemplateValue[]) => TemplateValue;

const FUNCTIONS: Readonly<Record<string, Fn>> = {
  humanize: (a) => humanize(num(a, 'humanize')),
  humanize1024: (a) => humanize1024(num(a, 'humanize1024')),
  humanizePercentage: (a) => `${goG(num(a, 'humanizePercentage') * 100, 4)}%`,
  humanizeDuration: (a) => humanizeDuration(num(a, 'humanizeDuration')),
  humanizeTimestamp: (a) => humanizeTimestamp(num(a, 'humanizeTimestamp')),
  printf: (a) => {
    const [format, ...rest] = a;
    if (typeof format !== 'string') throw new TemplateError('printf needs a format string first');
    return goSprintf(format, rest);
  },
  print: (a) => a.map(goPrint).join(''),
  toUpper: (a) => str(a, 'toUpper').toUpperCase(),
  toLower: (a) => str(a, 'toLower').toLowerCase(),
  title: (a) =>
    str(a, 'title').replace(
      /(^|[^\p{L}\p{N}'])(\p{L})/gu,
      (_m, pre: string, c: string) => pre + c.toUpperCase(),
    ),
  stripPort: (a) => stripPort(str(a, 'stripPort')),
  reReplaceAll: (a) => {
    const [pattern, replacement, text] = a;
    if (typeof pattern !== 'string' || typeof replacement !== 'string' || typeof text !== 'string') {
      throw new TemplateError('reReplaceAll needs a pattern, a replacement and a text');
    }
    // Go's $1 / ${1} references read the same in JavaScript's replace.
    return text.replace(new RegExp(pattern, 'g'), replacement.replace(/\$\{(\w+)\}/g, '$$$1'));
  },
  index: (a) => {
    const [map, key] = a;
    if (typeof map !== 'object' || typeof key !== 'string')
      throw new TemplateError('index needs a map and a key');
    return map[key] ?? '';
  },
  len: (a) => {
    const [v] = a;
    if (typeof v === 'string') return v.length;
    if (typeof v === 'object') return Object.keys(v).length;
    throw new TemplateError('len needs a string or a map');
  },
};

/** Template functions of Prometheus that need a query or HTML; refused by name. */
const UNSUPPORTED = new Set([
  'query',
  'first',
  'label',
  'value',
  'sortByLabel',
  'strvalue',
  'args',
  'safeHtml',
  'tmpl',
  'graphLink',
  'tableLink',
  'pathPrefix',
  'parseDuration',
  'match',
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
]);

export const SUPPORTED_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

/** A parsed template; {@link render} never throws (errors print like Prometheus prints them). */
export class AlertTemplate {
  readonly source: string;
  readonly #nodes: readonly Node[];

  private constructor(source: string, nodes: readonly Node[]) {
    this.source = source;
    this.#nodes = nodes;
  }

  /** Parses `source`; throws {@link TemplateError} saying what is not supported. */
  static parse(source: string): AlertTemplate {
    return new AlertTemplate(source, parseTemplate(source));
  }

  /** Whether the text holds no action at all (plain text renders as itself). */
  get isPlain(): boolean {
    return this.#nodes.every((n) => n.kind === 'text');
  }

  render(data: TemplateData): string {
    try {
      let out = '';
      for (const node of this.#nodes) {
        out += node.kind === 'text' ? node.text : goPrint(runPipeline(node.pipeline, data));
      }
      return out;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return `<error expanding template: ${message}>`;
    }
  }
}

function parseTemplate(source: string): Node[] {
  const nodes: Node[] = [];
  let pos = 0;
  let trimNext = false;
  while (pos < source.length) {
    const open = source.indexOf('{{', pos);
    let text = open === -1 ? source.slice(pos) : source.slice(pos, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open === -1) {
      if (text) nodes.push({ kind: 'text', text });
      break;
    }
    const trimBefore = /^\{\{-\s/.test(source.slice(open, open + 4));
    if (trimBefore) text = text.replace(/\s+$/, '');
    if (text) nodes.push({ kind: 'text', text });
    const close = findClose(source, open + 2);
    if (close === -1) throw new TemplateError(`unclosed action at offset ${open}`);
    const trimAfter = /\s-$/.test(source.slice(close - 2, close));
    let inner = source.slice(open + (trimBefore ? 3 : 2), trimAfter ? close - 2 : close).trim();
    pos = close + 2;
    trimNext = trimAfter;
    if (inner.startsWith('/*')) {
      if (!inner.endsWith('*/')) throw new TemplateError('unclosed comment');
      continue;
    }
    if (inner === '') throw new TemplateError('missing value for command');
    inner = inner.trim();
    nodes.push({ kind: 'action', pipeline: new PipelineParser(tokenize(inner)).parseTop() });
  }
  return nodes;
}

/** The index of the `}}` closing an action opened before `from`, skipping quoted text. */
function findClose(source: string, from: number): number {
  let i = from;
  while (i < source.length) {
    const c = source[i];
    if (c === '"') {
      i++;
      while (i < source.length && source[i] !== '"') i += source[i] === '\\' ? 2 : 1;
    } else if (c === '`') {
      i = source.indexOf('`', i + 1);
      if (i === -1) return -1;
    } else if (c === '}' && source[i + 1] === '}') {
      return i;
    }
    i++;
  }
  return -1;
}

type Token =
  | { readonly t: 'ident'; readonly v: string }
  | { readonly t: 'var'; readonly v: string }
  | { readonly t: 'field'; readonly v: string }
  | { readonly t: 'dot' }
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'number'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: '|' | '(' | ')' | ':=' | '=' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '|' || c === '(' || c === ')') {
      tokens.push({ t: c });
      i++;
    } else if (text.startsWith(':=', i)) {
      tokens.push({ t: ':=' });
      i += 2;
    } else if (c === '=') {
      tokens.push({ t: '=' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw new TemplateError('unterminated quoted string');
      tokens.push({ t: 'string', v: JSON.parse(text.slice(i, j + 1).replace(/\\'/g, "'")) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = text.indexOf('`', i + 1);
      if (j === -1) throw new TemplateError('unterminated raw string');
      tokens.push({ t: 'string', v: text.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(text.slice(i))!;
      tokens.push({ t: 'var', v: m[0] });
      i += m[0].length;
      i = readFields(text, i, tokens);
    } else if (c === '.') {
      if (/[A-Za-z_]/.test(text[i + 1] ?? '')) {
        i = readFields(text, i, tokens);
      } else {
        tokens.push({ t: 'dot' });
        i++;
      }
    } else if (/[-+\d]/.test(c)) {
      const m = /^[-+]?(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/.exec(
        text.slice(i),
      );
      if (!m) throw new TemplateError(`unexpected "${c}"`);
      tokens.push({ t: 'number', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))!;
      const word = m[0];
      if (word === 'true' || word === 'false') tokens.push({ t: 'bool', v: word === 'true' });
      else tokens.push({ t: 'ident', v: word });
      i += word.length;
    } else {
      throw new TemplateError(`unexpected "${c}"`);
    }
  }
  return tokens;
}

function readFields(text: string, start: number, tokens: Token[]): number {
  let i = start;
  while (text[i] === '.') {
    const m = /^\.([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i));
    if (!m) break;
    tokens.push({ t: 'field', v: m[1]! });
    i += m[0].length;
  }
  return i;
}

class PipelineParser {
  readonly #tokens: Token[];
  #pos = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parseTop(): Pipeline {
    const first = this.#tokens[0];
    if (first?.t === 'ident' && KEYWORDS.has(first.v)) {
      throw new TemplateError(
        `"{{ ${first.v} }}" is not supported in Lookout's alert templates (only printing a value, optionally through functions)`,
      );
    }
    if (this.#tokens.some((t) => t.t === ':=' || t.t === '=')) {
      throw new TemplateError("variable assignment is not supported in Lookout's alert templates");
    }
    const pipeline = this.#pipeline();
    if (this.#pos < this.#tokens.length) throw new TemplateError('unexpected text after the value');
    return pipeline;
  }

  #pipeline(): Pipeline {
    const commands: Command[] = [this.#command()];
    while (this.#peek()?.t === '|') {
      this.#pos++;
      commands.push(this.#command());
    }
    return commands;
  }

  #command(): Command {
    const head = this.#peek();
    if (head?.t === 'ident') {
      this.#pos++;
      checkFunction(head.v);
      const args: Operand[] = [];
      while (this.#peek() && this.#peek()!.t !== '|' && this.#peek()!.t !== ')') args.push(this.#operand());
      return { fn: head.v, args };
    }
    const operand = this.#operand();
    if (this.#peek() && this.#peek()!.t !== '|' && this.#peek()!.t !== ')') {
      throw new TemplateError('a value cannot take arguments');
    }
    return { args: [operand] };
  }

  #operand(): Operand {
    const token = this.#tokens[this.#pos++];
    switch (token?.t) {
      case 'var':
        return { kind: 'var', name: token.v, fields: this.#fields() };
      case 'field':
        this.#pos--;
        return { kind: 'dot', fields: this.#fields() };
      case 'dot':
        return { kind: 'dot', fields: [] };
      case 'string':
        return { kind: 'literal', value: token.v };
      case 'number':
        return { kind: 'literal', value: token.v };
      case 'bool':
        return { kind: 'literal', value: token.v };
      case 'ident':
        checkFunction(token.v);
        return { kind: 'call', name: token.v };
      case '(': {
        const pipeline = this.#pipeline();
        if (this.#tokens[this.#pos++]?.t !== ')') throw new TemplateError('missing ")"');
        return { kind: 'sub', pipeline };
      }
      default:
        throw new TemplateError('missing value');
    }
  }

  #fields(): string[] {
    const fields: string[] = [];
    while (this.#peek()?.t === 'field') fields.push((this.#tokens[this.#pos++] as { v: string }).v);
    return fields;
  }

  #peek(): Token | undefined {
    return this.#tokens[this.#pos];
  }
}

function checkFunction(name: string): void {
  if (KEYWORDS.has(name)) {
    throw new TemplateError(`"${name}" is not supported in Lookout's alert templates`);
  }
  if (FUNCTIONS[name]) return;
  const why = UNSUPPORTED.has(name) ? 'is not supported by Lookout' : 'is not a template function';
  throw new TemplateError(`function "${name}" ${why} (available: ${SUPPORTED_FUNCTIONS.join(', ')})`);
}

/** The root value `.`: Prometheus passes {Labels, ExternalLabels, ExternalURL, Value}. */
class Root {
  constructor(readonly data: TemplateData) {}
}

type Val = TemplateValue | Root;

function plain(value: Val): TemplateValue {
  if (value instanceof Root)
    throw new TemplateError('"." is a structure; read one of its fields (.Labels, .Value)');
  return value;
}

function runPipeline(pipeline: Pipeline, data: TemplateData): TemplateValue {
  let previous: Val | undefined;
  for (const command of pipeline) {
    const args = command.args.map((a) => evalOperand(a, data));
    if (previous !== undefined) args.push(previous);
    if (command.fn !== undefined) {
      previous = FUNCTIONS[command.fn]!(args.map(plain));
    } else {
      if (args.length > 1) throw new TemplateError('a value cannot take arguments');
      previous = args[0]!;
    }
  }
  return previous === undefined ? '' : plain(previous);
}

function evalOperand(operand: Operand, data: TemplateData): Val {
  switch (operand.kind) {
    case 'literal':
      return operand.value;
    case 'call':
      return FUNCTIONS[operand.name]!([]);
    case 'sub':
      return runPipeline(operand.pipeline, data);
    case 'var':
      return fieldsOf(variable(operand.name, data), operand.fields, operand.name);
    case 'dot':
      return fieldsOf(new Root(data), operand.fields, '.');
  }
}

function variable(name: string, data: TemplateData): Val {
  switch (name) {
    case '$labels':
      return data.labels;
    case '$value':
      return data.value;
    case '$externalLabels':
      return data.externalLabels;
    case '$externalURL':
      return data.externalURL;
    case '$':
      return new Root(data);
    default:
      throw new TemplateError(`undefined variable "${name}"`);
  }
}

function fieldsOf(start: Val, fields: readonly string[], what: string): Val {
  let value = start;
  for (const field of fields) {
    if (value instanceof Root) {
      value = rootField(value.data, field);
    } else if (typeof value === 'object') {
      // Prometheus runs templates with missingkey=zero: an absent label prints as "".
      value = value[field] ?? '';
    } else {
      throw new TemplateError(`cannot read field ${field} of ${what}`);
    }
  }
  return value;
}

function rootField(data: TemplateData, field: string): TemplateValue {
  switch (field) {
    case 'Labels':
      return data.labels;
    case 'Value':
      return data.value;
    case 'ExternalLabels':
      return data.externalLabels;
    case 'ExternalURL':
      return data.externalURL;
    default:
      throw new TemplateError(`can't evaluate field ${field}`);
  }
}

function num(args: readonly TemplateValue[], fn: string): number {
  const v = args[args.length - 1];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new TemplateError(
    `${fn}: ${v === undefined ? 'missing value' : `${JSON.stringify(goPrint(v))} is not a number`}`,
  );
}

function str(args: readonly TemplateValue[], fn: string): string {
  const v = args[args.length - 1];
  if (typeof v === 'string') return v;
  if (v === undefined) throw new TemplateError(`${fn}: missing value`);
  return goPrint(v);
}

const SI_UP = ['k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_DOWN = ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];
const IEC = ['ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];

function humanize(value: number): string {
  let v = value;
  if (v === 0 || !Number.isFinite(v)) return goG(v, 4);
  let prefix = '';
  if (Math.abs(v) >= 1) {
    for (const p of SI_UP) {
      if (Math.abs(v) < 1000) break;
      prefix = p;
      v /= 1000;
    }
  } else {
    for (const p of SI_DOWN) {
      if (Math.abs(v) >= 1) break;
      prefix = p;
      v *= 1000;
    }
  }
  return `${goG(v, 4)}${prefix}`;
}

function humanize1024(value: number): string {
  let v = value;
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return goG(v, 4);
  let prefix = '';
  for (const p of IEC) {
    if (Math.abs(v) < 1024) break;
    prefix = p;
    v /= 1024;
  }
  return `${goG(v, 4)}${prefix}`;
}

function humanizeDuration(value: number): string {
  let v = value;
  if (!Number.isFinite(v)) return goG(v, 4);
  if (v === 0) return `${goG(v, 4)}s`;
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    v = Math.abs(v);
    const total = Math.trunc(v);
    const seconds = total % 60;
    const minutes = Math.trunc(total / 60) % 60;
    const hours = Math.trunc(total / 3600) % 24;
    const days = Math.trunc(total / 86400);
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG(v, 4)}s`;
  }
  let prefix = '';
  for (const p of SI_DOWN) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG(v, 4)}${prefix}s`;
}

/** Go's time.Time String() in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC`. */
function humanizeTimestamp(seconds: number): string {
  if (!Number.isFinite(seconds)) return goG(seconds, 4);
  const iso = new Date(Math.round(seconds * 1000)).toISOString(); // 2006-01-02T15:04:05.000Z
  const [date, time = ''] = iso.slice(0, -1).split('T');
  const [hms, frac = ''] = time.split('.');
  const fraction = frac.replace(/0+$/, '');
  return `${date} ${hms}${fraction ? `.${fraction}` : ''} +0000 UTC`;
}

function stripPort(hostPort: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hostPort);
  if (bracketed) return bracketed[1]!;
  const colons = hostPort.split(':').length - 1;
  if (colons === 1) return hostPort.slice(0, hostPort.indexOf(':'));
  return hostPort;
}

/** Go's default print of a value, for callers that format `$value` outside a template. */
export function formatValue(value: number): string {
  return goFloat(value);
}
