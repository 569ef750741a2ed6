import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareGoStrings, goQuote } from './go-format.js';
import { commonLabels, compareAlertLabels, labelSetBefore, labelSetString } from './label-set.js';

describe('labelSetString', () => {
  it('sorts name="value" pairs as strings, as Alertmanager 0.25 printed {a0="2", a="1", b="3"}', () => {
    expect(labelSetString({ a: '1', a0: '2', b: '3' })).toBe('{a0="2", a="1", b="3"}');
    expect(labelSetString({})).toBe('{}');
  });

  it("quotes values the way Go's %q does", () => {
    expect(labelSetString({ b: 'é\u0001\n' })).toBe('{b="é\\x01\\n"}');
    expect(goQuote('q"w\\')).toBe('"q\\"w\\\\"');
    expect(goQuote('\t\u00a0\u{1F600}\u007f')).toBe('"\\t\\u00a0😀\\x7f"');
  });
});

describe('ordering', () => {
  it('compares strings in UTF-8 byte order', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme' }), (a, b) => {
        const bytes = Buffer.compare(Buffer.from(a), Buffer.from(b));
        expect(Math.sign(compareGoStrings(a, b))).toBe(bytes);
      }),
    );
  });

  it('puts alerts with job and instance first, then orders by label set', () => {
    const a = { alertname: 'X', job: 'b' };
    const b = { alertname: 'X', job: 'a' };
    const c = { alertname: 'X' };
    const d = { alertname: 'W', z: '1' };
    expect([a, b, c, d].sort(compareAlertLabels)).toEqual([b, a, c, d]);
    expect(labelSetBefore({ a: '1' }, { a: '1', b: '2' })).toBe(true);
    expect(labelSetBefore({ a: '2' }, { a: '1' })).toBe(false);
  });

  it('keeps only labels common to every set', () => {
    expect(commonLabels([{ a: '1', b: '2' }, { a: '1', b: '3' }, { a: '1' }])).toEqual({ a: '1' });
    expect(commonLabels([])).toEqual({});
  });
});
