import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ListDecodeError, ListDecoder } from './list-decoder.js';

interface Decoded {
  readonly items: unknown[];
  readonly members: Record<string, unknown>;
}

/** Feeds `chunks` to a decoder, one write each, and ends it. */
function decode(chunks: readonly string[]): Decoded {
  const items: unknown[] = [];
  const decoder = new ListDecoder((item) => items.push(item));
  for (const chunk of chunks) decoder.write(chunk);
  const members = decoder.end();
  expect(decoder.items).toBe(items.length);
  return { items, members };
}

/** `text` cut at `cuts` (any numbers: taken modulo the length, sorted, repeats make empty chunks). */
function split(text: string, cuts: readonly number[]): string[] {
  const at = cuts.map((c) => c % (text.length + 1)).sort((a, b) => a - b);
  const chunks: string[] = [];
  let from = 0;
  for (const to of at) {
    chunks.push(text.slice(from, to));
    from = to;
  }
  chunks.push(text.slice(from));
  return chunks;
}

/** The error `decode(chunks)` throws (a ListDecodeError), or fails the test. */
function decodeError(chunks: readonly string[]): ListDecodeError {
  try {
    decode(chunks);
  } catch (error) {
    expect(error).toBeInstanceOf(ListDecodeError);
    expect((error as Error).name).toBe('ListDecodeError');
    return error as ListDecodeError;
  }
  throw new Error(`decoding ${JSON.stringify(chunks.join(''))} did not throw`);
}

// Strings rich in what the scanner must get right: quotes, backslashes (runs of them, before
// quotes), control characters (escaped as \u00XX), non-BMP characters (surrogate pairs).
const trickyChar = fc.constantFrom(
  '"',
  '\\',
  '\\',
  '\n',
  '\t',
  '\u0000',
  '\u001f',
  '/',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  ' ',
  'a',
  'é',
  '\u2028',
  '😀',
  '\ud800', // a lone surrogate: JSON.stringify escapes it
);
const jsonString = fc.oneof(
  fc.string({ unit: trickyChar, maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const jsonNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, -1, 1e21, 1.5e-7, Number.MAX_SAFE_INTEGER),
);
const { value: jsonValue } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    jsonString,
    jsonNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(jsonString, fc.constantFrom('items', 'metadata', 'kind')), tie('value'), {
      maxKeys: 4,
    }),
  ),
}));

/** How a document is written out. */
interface Style {
  /** Whitespace put between tokens, taken in turn (JSON whitespace only). */
  readonly spaces: readonly string[];
  /** Write every non-ASCII character (and `/`) of strings as a \uXXXX escape. */
  readonly asciiOnly: boolean;
}

const style: fc.Arbitrary<Style> = fc.record({
  spaces: fc.array(fc.stringMatching(/^[ \t\r\n]{0,3}$/), { minLength: 1, maxLength: 6 }),
  asciiOnly: fc.boolean(),
});

/** JSON text for `value`, with the whitespace and escapes of `style`. */
function serialise(value: unknown, s: Style): string {
  let turn = 0;
  const ws = (): string => s.spaces[turn++ % s.spaces.length]!;
  const str = (text: string): string => {
    const json = JSON.stringify(text);
    return s.asciiOnly
      ? json.replace(/[^\x20-\x7e]|\//g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
      : json;
  };
  const write = (v: unknown): string => {
    if (typeof v === 'string') return str(v);
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => write(x)).join(`${ws()},${ws()}`)}${ws()}]`;
    const members = Object.entries(v).map(([k, x]) => `${str(k)}${ws()}:${ws()}${write(x)}`);
    return `{${ws()}${members.join(`${ws()},${ws()}`)}${ws()}}`;
  };
  return `${ws()}${write(value)}${ws()}`;
}

/** A list with `items` first, last or anywhere between the other members. */
const list = fc
  .record({
    kind: fc.constantFrom('PodList', 'NodeList', 'Table'),
    apiVersion: fc.constantFrom('v1', 'apps/v1', 'metrics.k8s.io/v1beta1'),
    metadata: fc.record(
      {
        resourceVersion: fc.stringMatching(/^[0-9]{1,8}$/),
        continue: fc.oneof(fc.constant(''), fc.base64String({ maxLength: 40 }), jsonString),
        remainingItemCount: fc.nat(),
      },
      { requiredKeys: ['resourceVersion'] },
    ),
    items: fc.array(jsonValue, { maxLength: 8 }),
    itemsAt: fc.nat(3),
  })
  .map(({ items, itemsAt, ...others }) => {
    const entries: Array<[string, unknown]> = Object.entries(others);
    entries.splice(itemsAt, 0, ['items', items]);
    return Object.fromEntries(entries) as Record<string, unknown> & { items: unknown[] };
  });

/** A list document as text, written out compactly, pretty-printed or with arbitrary whitespace. */
const document = fc
  .tuple(
    list,
    fc.oneof(fc.constant<Style | undefined>(undefined), fc.constant<Style | number | undefined>(2), style),
  )
  .map(([value, how]) => ({
    value,
    text:
      how === undefined || typeof how === 'number' ? JSON.stringify(value, null, how) : serialise(value, how),
  }));

/** What the decoder should answer for `text`: JSON.parse's answer, items apart. */
function expected(text: string): Decoded {
  const { items, ...members } = JSON.parse(text) as Record<string, unknown> & { items: unknown[] };
  return { items, members };
}

describe('ListDecoder', () => {
  it('yields every item in order and answers the other members, however the text is cut', () => {
    fc.assert(
      fc.property(document, fc.array(fc.nat(), { maxLength: 40 }), ({ text }, cuts) => {
        expect(decode(split(text, cuts))).toEqual(expected(text));
      }),
      { numRuns: 400 },
    );
  });

  it('decodes text fed one character at a time (cut inside every escape and surrogate pair)', () => {
    fc.assert(
      fc.property(document, ({ text }) => {
        expect(decode(text.split(''))).toEqual(expected(text));
      }),
      { numRuns: 150 },
    );
  });

  it('decodes a list with escapes cut in two at every position', () => {
    const value = {
      kind: 'ConfigMapList',
      items: [
        { data: { 'a"b': 'x\\"y', 'c\\': '\\\\', 'quote"': '"', u: '\u00e9\ud83d\ude00\u2028\u0001' } },
        'a string item with \\"quotes\\" and a backslash at the end\\',
        ['\\', '"', '\\"', ['nested', { deep: [null, true, false, -1.5e-3] }]],
        42,
        -0.5,
        true,
        false,
        null,
        {},
        [],
        '',
      ],
      metadata: { resourceVersion: '123', continue: 'eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6MTIzfQ==' },
      apiVersion: 'v1',
    };
    const texts = [
      JSON.stringify(value),
      JSON.stringify(value, null, 2),
      serialise(value, { spaces: ['', ' ', '\n', '\r\n\t'], asciiOnly: true }),
    ];
    for (const text of texts) {
      const want = expected(text);
      for (let at = 0; at <= text.length; at++) {
        expect(decode([text.slice(0, at), text.slice(at)])).toEqual(want);
      }
    }
  });

  it('accepts an empty items array', () => {
    expect(decode(['{"kind":"PodList","metadata":{"resourceVersion":"7"},"items":[]}'])).toEqual({
      items: [],
      members: { kind: 'PodList', metadata: { resourceVersion: '7' } },
    });
    expect(decode(['{ "items" : [ \n ] , "kind" : "PodList" }'])).toEqual({
      items: [],
      members: { kind: 'PodList' },
    });
    expect(decode(['{"items":', '[', ']', '}'])).toEqual({ items: [], members: {} });
  });

  it('hands out each item as soon as its text is complete', () => {
    const seen: unknown[] = [];
    const decoder = new ListDecoder((item) => seen.push(item));
    decoder.write('{"metadata":{},"items":[{"a":1},{"b"');
    expect(seen).toEqual([{ a: 1 }]);
    decoder.write(':2}');
    expect(seen).toEqual([{ a: 1 }, { b: 2 }]);
    decoder.write(',3');
    expect(seen).toHaveLength(2); // a number is complete only at its delimiter
    decoder.write(']}');
    expect(seen).toEqual([{ a: 1 }, { b: 2 }, 3]);
    expect(decoder.end()).toEqual({ metadata: {} });
  });

  it('keeps member names like JSON.parse does, __proto__ included', () => {
    const text = '{"__proto__":{"polluted":true},"constructor":1,"items":[]}';
    const { members } = decode([text]);
    expect(members).toEqual(expected(text).members);
    expect(Object.getPrototypeOf(members)).toBe(Object.prototype);
    expect(Object.keys(members)).toEqual(['__proto__', 'constructor']);
    expect((members as { polluted?: boolean }).polluted).toBeUndefined();
  });

  describe('rejects', () => {
    const cases: Array<[string, string, RegExp]> = [
      ['an array', '[{"a":1}]', /not a JSON object/],
      ['a string', '"items"', /not a JSON object/],
      ['a number', '42', /not a JSON object/],
      ['null', 'null', /not a JSON object/],
      ['an empty document', '', /ended early/],
      ['whitespace only', ' \n ', /ended early/],
      ['an object without items', '{"kind":"PodList","metadata":{}}', /no items/],
      ['an empty object', '{}', /no items/],
      ['items that are an object', '{"items":{"a":1}}', /no items/],
      ['items that are a string', '{"items":"[]"}', /no items/],
      ['items that are null', '{"items":null}', /no items/],
      ['items that are a number', '{"kind":"x","items":5}', /no items/],
      ['a truncated document (in an item)', '{"items":[{"a":1},{"b":', /ended early/],
      ['a truncated document (in a string)', '{"items":["abc\\"', /ended early/],
      ['a truncated document (after the items)', '{"items":[1,2]', /ended early/],
      ['a truncated document (in a member)', '{"items":[],"metadata":{"resourceVersion":"1"', /ended early/],
      ['a truncated document (in a name)', '{"items":[],"meta', /ended early/],
      ['a truncated document (a number)', '{"items":[],"n":1', /ended early/],
      ['trailing garbage', '{"items":[]}x', /unexpected "x"/],
      ['a second document', '{"items":[]} {"items":[]}', /unexpected "\{"/],
      ['a trailing comma among members', '{"items":[],}', /unexpected "}"/],
      ['a trailing comma among items', '{"items":[1,]}', /unexpected "]"/],
      ['a leading comma among items', '{"items":[,1]}', /unexpected ","/],
      ['items without a comma', '{"items":[1 2]}', /unexpected "2"/],
      ['objects without a comma', '{"items":[{}{}]}', /unexpected "\{"/],
      ['a name without a value', '{"kind","items":[]}', /unexpected ","/],
      ['a name that is not a string', '{kind:"x","items":[]}', /unexpected "k"/],
      ['invalid JSON in an item', '{"items":[{"a":1,}]}', /not valid JSON/],
      ['an unquoted word in an item', '{"items":[nope]}', /not valid JSON/],
      ['a bad escape in an item', '{"items":["\\x"]}', /not valid JSON/],
      ['a raw control character in an item', '{"items":["a\nb"]}', /not valid JSON/],
      ['a bad number in an item', '{"items":[01]}', /not valid JSON/],
      ['mismatched brackets in an item', '{"items":[{"a":[1}]]}', /not valid JSON/],
      ['invalid JSON in a member', '{"metadata":{"resourceVersion":},"items":[]}', /not valid JSON/],
      ['a bad escape in a name', '{"\\q":1,"items":[]}', /not valid JSON/],
    ];
    it.each(cases)('%s', (_what, text, message) => {
      expect(decodeError([text]).message).toMatch(message);
      // The same, one character at a time.
      expect(decodeError(text.split('')).message).toMatch(message);
    });

    it('every strict prefix of a list (a truncated document)', () => {
      fc.assert(
        fc.property(document, fc.nat(), ({ text }, n) => {
          const end = text.lastIndexOf('}');
          const prefix = text.slice(0, n % (end + 1));
          expect(decodeError(split(prefix, [n >> 3])).message).toMatch(/ended early/);
        }),
        { numRuns: 300 },
      );
    });

    it('a list followed by anything but whitespace', () => {
      fc.assert(
        fc.property(document, fc.string({ minLength: 1, maxLength: 5 }), fc.nat(), ({ text }, more, n) => {
          fc.pre(more.trim() !== '');
          const doc = text + more;
          expect(decodeError(split(doc, [n])).message).toMatch(/unexpected/);
        }),
        { numRuns: 200 },
      );
    });
  });

  it('agrees with JSON.parse on mangled lists: same answer, or a ListDecodeError', () => {
    const edit = fc.record({
      at: fc.nat(),
      remove: fc.nat(3),
      insert: fc.string({
        unit: fc.constantFrom('"', '\\', ',', ':', '{', '}', '[', ']', ' ', '1', 'x'),
        maxLength: 2,
      }),
    });
    fc.assert(
      fc.property(
        document,
        fc.array(edit, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        ({ text }, edits, cuts) => {
          let mangled = text;
          for (const { at, remove, insert } of edits) {
            const i = at % (mangled.length + 1);
            mangled = mangled.slice(0, i) + insert + mangled.slice(i + remove);
          }
          let parsed: unknown;
          try {
            parsed = JSON.parse(mangled);
          } catch {
            parsed = undefined;
          }
          const isList =
            typeof parsed === 'object' &&
            parsed !== null &&
            !Array.isArray(parsed) &&
            Array.isArray((parsed as { items?: unknown }).items);
          if (isList) expect(decode(split(mangled, cuts))).toEqual(expected(mangled));
          else decodeError(split(mangled, cuts));
        },
      ),
      { numRuns: 1000 },
    );
  });
});
