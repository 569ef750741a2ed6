// Field errors worded as the API server's field.Error values ("spec.replicas: Invalid value: -1:
// must be greater than or equal to 0"), collected per object and thrown as one 422 Invalid.
import { invalid, type StatusCause } from '../status-error.js';

/** A value as Go's %#v shows it in validation messages (strings quoted, numbers bare). */
export function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[]string{${value.map((v) => JSON.stringify(v)).join(', ')}}`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `map[string]string{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(', ')}}`;
}

export class FieldErrors {
  readonly causes: StatusCause[] = [];

  required(field: string, detail?: string): void {
    this.causes.push({
      field,
      reason: 'FieldValueRequired',
      message: detail ? `Required value: ${detail}` : 'Required value',
    });
  }

  invalid(field: string, value: unknown, detail: string): void {
    this.causes.push({
      field,
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${goValue(value)}: ${detail}`,
    });
  }

  unsupported(field: string, value: unknown, supported: readonly string[]): void {
    this.causes.push({
      field,
      reason: 'FieldValueNotSupported',
      message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => `"${s}"`).join(', ')}`,
    });
  }

  duplicate(field: string, value: unknown): void {
    this.causes.push({ field, reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}` });
  }

  forbidden(field: string, detail: string): void {
    this.causes.push({ field, reason: 'FieldValueForbidden', message: `Forbidden: ${detail}` });
  }

  notFound(field: string, value: unknown): void {
    this.causes.push({ field, reason: 'FieldValueNotFound', message: `Not found: ${goValue(value)}` });
  }

  get empty(): boolean {
    return this.causes.length === 0;
  }

  /** Throws the 422 for `kind` `name` (group-qualified outside core) when anything was found. */
  throwIfAny(kind: string, name: string, group = ''): void {
    if (this.causes.length > 0) throw invalid(kind, name, this.causes, group);
  }
}

const LABEL_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035_RE = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const QUALIFIED_NAME_RE = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
export const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

export type NameRule = 'label' | 'subdomain' | 'dns1035';

/** Checks a name against a DNS rule; returns the messages the API server would give. */
export function nameProblems(name: string, rule: NameRule): string[] {
  const problems: string[] = [];
  const max = rule === 'subdomain' ? 253 : 63;
  if (name.length > max) problems.push(`must be no more than ${max} characters`);
  if (rule === 'label' && !LABEL_RE.test(name)) problems.push(DNS1123_LABEL_MSG);
  if (rule === 'subdomain' && !SUBDOMAIN_RE.test(name)) problems.push(DNS1123_SUBDOMAIN_MSG);
  if (rule === 'dns1035' && !DNS1035_RE.test(name)) problems.push(DNS1035_LABEL_MSG);
  return problems;
}

export function checkName(errors: FieldErrors, field: string, name: string, rule: NameRule): void {
  for (const p of nameProblems(name, rule)) errors.invalid(field, name, p);
}

/** Label keys and values (metadata.labels, selectors' matchLabels). */
export function checkLabels(errors: FieldErrors, field: string, labels: unknown): void {
  if (labels === undefined || labels === null) return;
  if (typeof labels !== 'object' || Array.isArray(labels)) {
    errors.invalid(field, labels, 'must be a map of strings');
    return;
  }
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash >= 0 ? key.slice(0, slash) : '';
    const name = slash >= 0 ? key.slice(slash + 1) : key;
    if (slash >= 0 && (prefix === '' || nameProblems(prefix, 'subdomain').length > 0)) {
      errors.invalid(field, key, `prefix part ${DNS1123_SUBDOMAIN_MSG}`);
    }
    if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME_RE.test(name)) {
      errors.invalid(
        field,
        key,
        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      );
    }
    if (typeof value !== 'string') {
      errors.invalid(`${field}`, value, 'label values must be strings');
    } else if (value.length > 63 || !LABEL_VALUE_RE.test(value)) {
      errors.invalid(
        field,
        value,
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
      );
    }
  }
}

/** Parses a resource quantity (`250m`, `1.5Gi`, `2e3`) to a number of base units; NaN when malformed. */
export function parseQuantity(text: unknown): number {
  if (typeof text === 'number') return text;
  if (typeof text !== 'string') return Number.NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei))?$/.exec(
    text.trim(),
  );
  if (!m) return Number.NaN;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const factors: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
  };
  return n * (m[3] ? factors[m[3]]! : 1);
}
