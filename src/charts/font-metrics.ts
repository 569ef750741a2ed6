// Text widths from a TrueType font's own tables (cmap, hmtx), so chart layout (legend wrapping,
// label overlap, table columns) is measured with the font resvg draws, not guessed.
import { readFileSync } from 'node:fs';

export class FontMetrics {
  readonly #unitsPerEm: number;
  readonly #advances: Uint16Array;
  readonly #glyphOf: (codePoint: number) => number;
  readonly #cache = new Map<number, number>();

  private constructor(unitsPerEm: number, advances: Uint16Array, glyphOf: (codePoint: number) => number) {
    this.#unitsPerEm = unitsPerEm;
    this.#advances = advances;
    this.#glyphOf = glyphOf;
  }

  /** Reads the metrics of the TrueType file at `path`. Throws when it is not a TrueType font. */
  static load(path: string): FontMetrics {
    return FontMetrics.parse(readFileSync(path));
  }

  static parse(buffer: Buffer): FontMetrics {
    const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    const tables = new Map<string, number>();
    const count = view.getUint16(4);
    for (let i = 0; i < count; i++) {
      const at = 12 + i * 16;
      tables.set(buffer.toString('latin1', at, at + 4), view.getUint32(at + 8));
    }
    const table = (tag: string): number => {
      const offset = tables.get(tag);
      if (offset === undefined) throw new Error(`not a TrueType font: no ${tag} table`);
      return offset;
    };
    const unitsPerEm = view.getUint16(table('head') + 18);
    const numberOfHMetrics = view.getUint16(table('hhea') + 34);
    const hmtx = table('hmtx');
    const advances = new Uint16Array(numberOfHMetrics);
    for (let i = 0; i < numberOfHMetrics; i++) advances[i] = view.getUint16(hmtx + i * 4);
    return new FontMetrics(unitsPerEm, advances, cmapLookup(view, table('cmap')));
  }

  /** Advance width of `text` at `sizePx`, in px (kerning ignored: it changes little in UI text). */
  width(text: string, sizePx: number): number {
    let units = 0;
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      let advance = this.#cache.get(cp);
      if (advance === undefined) {
        const glyph = this.#glyphOf(cp);
        advance = this.#advances[Math.min(glyph, this.#advances.length - 1)] ?? 0;
        this.#cache.set(cp, advance);
      }
      units += advance;
    }
    return (units * sizePx) / this.#unitsPerEm;
  }
}

/** Builds a code point → glyph lookup from the best Unicode subtable (format 12, else 4). */
function cmapLookup(view: DataView, cmap: number): (codePoint: number) => number {
  const subtables = view.getUint16(cmap + 2);
  let format4: number | undefined;
  let format12: number | undefined;
  for (let i = 0; i < subtables; i++) {
    const platform = view.getUint16(cmap + 4 + i * 8);
    const encoding = view.getUint16(cmap + 6 + i * 8);
    const offset = cmap + view.getUint32(cmap + 8 + i * 8);
    const format = view.getUint16(offset);
    const unicode = platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10));
    if (!unicode) continue;
    if (format === 12) format12 ??= offset;
    if (format === 4) format4 ??= offset;
  }
  if (format12 !== undefined) {
    const at = format12;
    const groups = view.getUint32(at + 12);
    return (cp) => {
      let lo = 0;
      let hi = groups - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const g = at + 16 + mid * 12;
        const start = view.getUint32(g);
        const end = view.getUint32(g + 4);
        if (cp < start) hi = mid - 1;
        else if (cp > end) lo = mid + 1;
        else return view.getUint32(g + 8) + (cp - start);
      }
      return 0;
    };
  }
  if (format4 !== undefined) {
    const at = format4;
    const segCount = view.getUint16(at + 6) / 2;
    const ends = at + 14;
    const starts = ends + segCount * 2 + 2;
    const deltas = starts + segCount * 2;
    const rangeOffsets = deltas + segCount * 2;
    return (cp) => {
      if (cp > 0xffff) return 0;
      for (let i = 0; i < segCount; i++) {
        if (view.getUint16(ends + i * 2) < cp) continue;
        const start = view.getUint16(starts + i * 2);
        if (start > cp) return 0;
        const delta = view.getInt16(deltas + i * 2);
        const rangeOffset = view.getUint16(rangeOffsets + i * 2);
        if (rangeOffset === 0) return (cp + delta) & 0xffff;
        const glyph = view.getUint16(rangeOffsets + i * 2 + rangeOffset + (cp - start) * 2);
        return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
      }
      return 0;
    };
  }
  throw new Error('not a TrueType font: no Unicode cmap');
}
