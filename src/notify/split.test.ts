import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeHtml } from './markup.js';
import { splitTelegramHtml, splitText, visibleLength } from './split.js';

/** Tags open and close in order within one part. */
function balanced(part: string): boolean {
  const stack: string[] = [];
  for (const m of part.matchAll(/<(\/?)([a-z-]+)[^>]*>/g)) {
    if (m[1] === '/') {
      if (stack.pop() !== m[2]) return false;
    } else stack.push(m[2]!);
  }
  return stack.length === 0;
}

function plain(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

describe('splitTelegramHtml', () => {
  it('keeps a short message whole', () => {
    expect(splitTelegramHtml('<b>hi</b> there')).toEqual(['<b>hi</b> there']);
  });

  it('counts entities as one character and tags as none', () => {
    expect(visibleLength('<b>a &lt; b</b>')).toBe(5);
  });

  it('splits a long log in <pre> at line breaks, closing and reopening the block', () => {
    const lines = Array.from(
      { length: 400 },
      (_, i) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')} line ${i} <err> & "x"`,
    );
    const html = `<b>Crash</b>\n<pre>${escapeHtml(lines.join('\n'))}</pre>`;
    const parts = splitTelegramHtml(html, 4096);
    expect(parts.length).toBeGreaterThan(3);
    for (const part of parts) {
      expect(visibleLength(part)).toBeLessThanOrEqual(4096);
      expect(balanced(part)).toBe(true);
      expect(part).not.toMatch(/&[a-z]*$/);
    }
    expect(parts[1]!.startsWith('<pre>')).toBe(true);
    // Every log line arrives whole, in order.
    const text = parts.map(plain).join('\n');
    let from = 0;
    for (const line of lines) {
      const at = text.indexOf(line, from);
      expect(at).toBeGreaterThanOrEqual(from);
      from = at + line.length;
    }
  });

  it('cuts a word only when it is longer than a part', () => {
    const parts = splitTelegramHtml(`${'a'.repeat(50)} ${'b'.repeat(50)}`, 60);
    expect(parts).toEqual(['a'.repeat(50), 'b'.repeat(50)]);
    const long = splitTelegramHtml('x'.repeat(130), 60);
    expect(long.map((p) => p.length)).toEqual([60, 60, 10]);
  });

  it('never loses text, never exceeds the limit and never breaks markup (property)', () => {
    const word = fc.stringMatching(/^[a-zA-Z0-9<>&"]{1,12}$/);
    const chunk = fc.oneof(
      word.map((w) => escapeHtml(w)),
      word.map((w) => `<b>${escapeHtml(w)}</b>`),
      word.map((w) => `<pre>${escapeHtml(w)}\n${escapeHtml(w)}</pre>`),
      fc.constantFrom(' ', '\n'),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 200 }), fc.integer({ min: 20, max: 300 }), (chunks, limit) => {
        const html = chunks.join('');
        if (plain(html).trim() === '') return;
        const parts = splitTelegramHtml(html, limit);
        for (const part of parts) {
          expect(visibleLength(part)).toBeLessThanOrEqual(limit);
          expect(balanced(part)).toBe(true);
        }
        expect(parts.map(plain).join('').replace(/\s+/g, '')).toBe(plain(html).replace(/\s+/g, ''));
      }),
      { numRuns: 200 },
    );
  });
});

describe('splitText', () => {
  it('splits at line breaks and reopens a code fence cut in two', () => {
    const text = `intro\n\`\`\`${Array.from({ length: 100 }, (_, i) => `log line ${i}`).join('\n')}\`\`\`\nafter`;
    const parts = splitText(text, 400, '```');
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(400);
      expect(part.split('```').length % 2).toBe(1);
    }
  });
});
