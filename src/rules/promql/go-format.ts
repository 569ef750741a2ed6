// Number and printf formatting as Go's fmt does it, so `{{ $value }}`, `printf "%.2f"` and
// `humanize` in alert templates print what the same rule prints in Prometheus.

/** Go's `%v` (and `{{ $value }}`) for a float64: shortest digits; exponent form below 1e-4 and from 1e6 up. */
export function goFloat(v: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa = '0', exponent = '0'] = Math.abs(v).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  return layoutG(v < 0, digits, Number(exponent) + 1, 6, digits.length);
}

/** Go's `%.<prec>g`. */
export function goG(v: number, prec: number): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const p = prec === 0 ? 1 : prec;
  if (v === 0) return '0';
  const [mantissa = '0', exponent = '0'] = Math.abs(v)
    .toExponential(p - 1)
    .split('e');
  // Go trims trailing zeros from the rounded digits before laying them out.
  const digits = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  const dp = Number(exponent) + 1;
  let eprec = p;
  if (eprec > digits.length && digits.length >= dp) eprec = digits.length;
  return layoutG(v < 0, digits, dp, eprec, Math.min(p, digits.length));
}

/** Go's `%e` with `prec` decimals (default 6): `1.500000e+00`. */
export function goE(v: number, prec = 6): string {
  const special = nonFinite(v);
  if (special !== undefined) return special;
  const [mantissa = '0', exponent = '0'] = v.toExponential(prec).split('e');
  return `${mantissa}e${expSuffix(Number(exponent))}`;
}

function nonFinite(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

function expSuffix(exp: number): string {
  const abs = Math.abs(exp);
  return `${exp < 0 ? '-' : '+'}${abs < 10 ? '0' : ''}${abs}`;
}

/** Lays out significant `digits` with decimal point position `dp` the way Go's %g does. */
function layoutG(negative: boolean, digits: string, dp: number, eprec: number, nd: number): string {
  const sign = negative ? '-' : '';
  const exp = dp - 1;
  const used = digits.slice(0, Math.max(1, nd));
  if (exp < -4 || exp >= eprec) {
    const rest = used.slice(1);
    return `${sign}${used[0] ?? '0'}${rest ? `.${rest}` : ''}e${expSuffix(exp)}`;
  }
  if (dp <= 0) return `${sign}0.${'0'.repeat(-dp)}${used}`;
  if (dp >= used.length) return `${sign}${used}${'0'.repeat(dp - used.length)}`;
  return `${sign}${used.slice(0, dp)}.${used.slice(dp)}`;
}

/** A value a template can hold: text, a number, a label map, a boolean. */
export type TemplateValue = string | number | boolean | Readonly<Record<string, string>>;

/** Go's `%v` of any template value. */
export function goPrint(value: TemplateValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return goFloat(value);
  if (typeof value === 'boolean') return String(value);
  const keys = Object.keys(value).sort();
  return `map[${keys.map((k) => `${k}:${value[k]}`).join(' ')}]`;
}

const VERB_RE = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])/g;

/** Go's `fmt.Sprintf` for the verbs alert templates use: v s q d f F e g x X t %. */
export function goSprintf(format: string, args: readonly TemplateValue[]): string {
  let next = 0;
  const out = format.replace(
    VERB_RE,
    (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
      if (verb === '%') return '%';
      if (next >= args.length) return `%!${verb}(MISSING)`;
      const arg = args[next++] as TemplateValue;
      const precision = prec === undefined ? undefined : prec === '' ? 0 : Number(prec);
      const text = formatVerb(verb, arg, precision, flags);
      return pad(text, width === undefined ? 0 : Number(width), flags);
    },
  );
  if (next < args.length) {
    const extra = args.slice(next).map((a) => `${goType(a)}=${goPrint(a)}`);
    return `${out}%!(EXTRA ${extra.join(', ')})`;
  }
  return out;
}

function formatVerb(verb: string, arg: TemplateValue, precision: number | undefined, flags: string): string {
  const plus = flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '';
  const signed = (n: number, text: string): string => (n >= 0 && !text.startsWith('+') ? plus + text : text);
  switch (verb) {
    case 'v':
    case 's':
      if (verb === 's' && typeof arg === 'number') return `%!s(float64=${goFloat(arg)})`;
      return precision !== undefined && typeof arg === 'string' ? arg.slice(0, precision) : goPrint(arg);
    case 'q':
      return typeof arg === 'string' ? JSON.stringify(arg) : `%!q(${goType(arg)}=${goPrint(arg)})`;
    case 't':
      return typeof arg === 'boolean' ? String(arg) : `%!t(${goType(arg)}=${goPrint(arg)})`;
    case 'd':
      // Go refuses %d for a float64, and template values are floats: print what Go prints.
      return `%!d(${goType(arg)}=${goPrint(arg)})`;
    case 'f':
    case 'F':
      if (typeof arg !== 'number') return `%!${verb}(${goType(arg)}=${goPrint(arg)})`;
      return signed(arg, nonFinite(arg) ?? arg.toFixed(precision ?? 6));
    case 'e':
      if (typeof arg !== 'number') return `%!e(${goType(arg)}=${goPrint(arg)})`;
      return signed(arg, goE(arg, precision ?? 6));
    case 'g':
      if (typeof arg !== 'number') return `%!g(${goType(arg)}=${goPrint(arg)})`;
      return signed(arg, precision === undefined ? goFloat(arg) : goG(arg, precision));
    case 'x':
    case 'X': {
      const text =
        typeof arg === 'string'
          ? Buffer.from(arg, 'utf8').toString('hex')
          : `%!${verb}(${goType(arg)}=${goPrint(arg)})`;
      return verb === 'X' ? text.toUpperCase() : text;
    }
    default:
      return `%!${verb}(${goType(arg)}=${goPrint(arg)})`;
  }
}

function goType(value: TemplateValue): string {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'number') return 'float64';
  if (typeof value === 'boolean') return 'bool';
  return 'map[string]string';
}

function pad(text: string, width: number, flags: string): string {
  if (text.length >= width) return text;
  if (flags.includes('-')) return text.padEnd(width, ' ');
  if (flags.includes('0') && /^[+-]?[\d.]/.test(text)) {
    const sign = /^[+-]/.test(text) ? text[0]! : '';
    return sign + text.slice(sign.length).padStart(width - sign.length, '0');
  }
  return text.padStart(width, ' ');
}
