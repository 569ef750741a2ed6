// Splits long messages into parts a chat accepts, without cutting through a tag, an entity or
// a word: Telegram counts 4,096 characters after parsing, Slack 3,000 per section block.

/** Telegram's limit for a message's text, counted after entities are parsed. */
export const TELEGRAM_TEXT_LIMIT = 4096;

interface Unit {
  readonly raw: string;
  /** Characters the user sees (0 for tags, 1 for an entity or a character, 2 for astral ones). */
  readonly visible: number;
  readonly tag?: { readonly name: string; readonly closing: boolean };
}

const TAG = /^<(\/?)([a-zA-Z][a-zA-Z0-9-]*)(\s[^<>]*)?>/;
const ENTITY = /^&(#[0-9]{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});/;

function tokenizeHtml(html: string): Unit[] {
  const units: Unit[] = [];
  let i = 0;
  while (i < html.length) {
    const rest = html.slice(i, i + 2048);
    const ch = html[i]!;
    if (ch === '<') {
      const m = TAG.exec(rest);
      if (m) {
        units.push({ raw: m[0], visible: 0, tag: { name: m[2]!.toLowerCase(), closing: m[1] === '/' } });
        i += m[0].length;
        continue;
      }
    } else if (ch === '&') {
      const m = ENTITY.exec(rest);
      if (m) {
        units.push({ raw: m[0], visible: 1 });
        i += m[0].length;
        continue;
      }
    }
    const code = html.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    units.push({ raw: html.slice(i, i + width), visible: width });
    i += width;
  }
  return units;
}

/** Visible length of Telegram HTML: what Telegram counts against its limit. */
export function visibleLength(html: string): number {
  return tokenizeHtml(html).reduce((n, u) => n + u.visible, 0);
}

/**
 * Splits Telegram HTML into parts of at most `limit` visible characters. Cuts prefer a line
 * break, then a space, and only cut a word longer than a whole part. Tags open at a cut are
 * closed at the end of the part and opened again at the start of the next (a log in `<pre>`
 * stays preformatted in every part).
 */
export function splitTelegramHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const units = tokenizeHtml(html);
  const parts: string[] = [];
  let start = 0;
  let stack: Unit[] = [];
  while (start < units.length) {
    let visible = 0;
    let end = start;
    while (end < units.length && visible + units[end]!.visible <= limit) {
      visible += units[end]!.visible;
      end++;
    }
    const cut = end >= units.length ? end : chooseCut(units, start, end);
    const stackAtCut = replayTags(stack, units, start, cut);
    const body = units
      .slice(start, cut)
      .map((u) => u.raw)
      .join('');
    const part =
      stack.map((u) => u.raw).join('') +
      body +
      [...stackAtCut]
        .reverse()
        .map((u) => `</${u.tag!.name}>`)
        .join('');
    if (units.slice(start, cut).some((u) => u.visible > 0 && u.raw.trim() !== '')) parts.push(part.trim());
    stack = stackAtCut;
    start = cut;
    // The line break or space a part was cut at is not carried into the next part.
    while (start < units.length && (units[start]!.raw === '\n' || units[start]!.raw === ' ')) start++;
  }
  return parts.length > 0 ? parts : [html];
}

function chooseCut(units: readonly Unit[], start: number, end: number): number {
  // Prefer the last line break in the second half of the part, then the last space.
  const floor = start + Math.floor((end - start) / 2);
  for (let i = end - 1; i > floor; i--) if (units[i]!.raw === '\n') return i;
  for (let i = end - 1; i > floor; i--) if (units[i]!.raw === ' ') return i;
  for (let i = end - 1; i > start; i--) if (units[i]!.raw === '\n' || units[i]!.raw === ' ') return i;
  // A single word longer than a part: cut it, but never between a tag and its text.
  return end > start ? end : start + 1;
}

function replayTags(stack: readonly Unit[], units: readonly Unit[], from: number, to: number): Unit[] {
  const open = [...stack];
  for (let i = from; i < to; i++) {
    const tag = units[i]!.tag;
    if (!tag) continue;
    if (!tag.closing) open.push(units[i]!);
    else {
      const at = open.map((u) => u.tag!.name).lastIndexOf(tag.name);
      if (at >= 0) open.splice(at, 1);
    }
  }
  return open;
}

/**
 * Splits plain or Markdown-like text into parts of at most `limit` characters at line breaks
 * (then spaces). When `fence` is given (```), a code block cut in two is closed at the end of
 * one part and opened again in the next.
 */
export function splitText(text: string, limit: number, fence?: string): string[] {
  const reserve = fence ? fence.length * 2 + 2 : 0;
  const max = Math.max(16, limit - reserve);
  const parts: string[] = [];
  let rest = text;
  let reopen = false;
  while (rest.length > 0) {
    const prefix: string = reopen && fence ? `${fence}\n` : '';
    if (prefix.length + rest.length <= limit) {
      parts.push(prefix + rest);
      break;
    }
    let cut = rest.lastIndexOf('\n', max);
    if (cut < max / 2) cut = Math.max(cut, rest.lastIndexOf(' ', max));
    if (cut <= 0) cut = max;
    let body = rest.slice(0, cut);
    rest = rest.slice(cut).replace(/^[\n ]/, '');
    const inFence: boolean = fence ? (prefix + body).split(fence).length % 2 === 0 : false;
    if (inFence && fence) body = `${body}\n${fence}`;
    parts.push(prefix + body);
    reopen = inFence;
  }
  return parts.filter((p) => p.trim() !== '');
}
