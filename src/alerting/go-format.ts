// Go's text conventions that Alertmanager's output depends on: strconv.Quote for label values
// in group keys and matchers, and byte-wise (UTF-8) string order for sorting.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `strconv.Quote` (what `%q` prints): escapes quotes, backslashes and non-printable runes. */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += `\\${ch}`;
      continue;
    }
    if (code >= 0x20 && code < 0x7f) {
      out += ch;
      continue;
    }
    if (code >= 0x80 && PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    switch (code) {
      case 0x07:
        out += '\\a';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x0b:
        out += '\\v';
        break;
      default:
        if (code < 0x20 || code === 0x7f) out += `\\x${hex(code, 2)}`;
        else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
        else if (code < 0x10000) out += `\\u${hex(code, 4)}`;
        else out += `\\U${hex(code, 8)}`;
    }
  }
  return `${out}"`;
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

/**
 * Compares strings in code-point order, which is the byte order of their UTF-8 encoding and so
 * the order Go's `<` and `sort.Strings` use. (JavaScript's `<` compares UTF-16 code units.)
 */
export function compareGoStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codeUnitRank(x) - codeUnitRank(y);
  }
  return a.length - b.length;
}

// Surrogates (astral code points) sort after U+E000–U+FFFF in code-point order.
function codeUnitRank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}
