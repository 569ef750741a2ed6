import fc from 'fast-check';
import { RE2JS } from 're2js';
import { describe, expect, it } from 'vitest';
import { matcherString, MatcherError, matchesAll, parseMatcher, parseMatchers } from './matcher.js';
import { compileAnchored } from './regex.js';

describe('parseMatchers', () => {
  it('reads the forms Alertmanager documents', () => {
    const ms = parseMatchers('{foo = "bar", dings != "bums", }');
    expect(ms.map((m) => [m.name, m.type, m.value])).toEqual([
      ['foo', '=', 'bar'],
      ['dings', '!=', 'bums'],
    ]);
    expect(parseMatchers('foo=bar,dings!=bums').map(matcherString)).toEqual(['foo="bar"', 'dings!="bums"']);
    expect(parseMatchers('{quote="She said: \\"Hi, ladies! That\'s gender-neutral…\\""}')[0]!.value).toBe(
      'She said: "Hi, ladies! That\'s gender-neutral…"',
    );
    expect(parseMatcher('statuscode=~"5.."').type).toBe('=~');
    expect(parseMatcher('tags=~"^[a-z]+$"').value).toBe('^[a-z]+$');
    expect(parseMatcher('regex="([0-9]+)"').value).toBe('([0-9]+)');
    expect(parseMatcher('a="x\\ny\\z"').value).toBe('x\ny\\z');
  });

  it('refuses what Alertmanager refuses, with its messages', () => {
    expect(() => parseMatcher('a="b')).toThrow(
      new MatcherError('matcher value contains unescaped double quote: "b'),
    );
    expect(() => parseMatcher('a=b"c')).toThrow(MatcherError);
    expect(() => parseMatcher('0a=b')).toThrow('bad matcher format: 0a=b');
    expect(() => parseMatcher('a=~"("')).toThrow(/missing closing \)/);
  });

  it('anchors regexes and treats a missing label as empty', () => {
    const [m] = parseMatchers('ns=~"pay|check"');
    expect(m!.matches('pay')).toBe(true);
    expect(m!.matches('payments')).toBe(false);
    expect(matchesAll(parseMatchers('x!~".+"'), { y: '1' })).toBe(true);
    expect(matchesAll(parseMatchers('x=""'), { y: '1' })).toBe(true);
    expect(matchesAll(parseMatchers('x=~"(?i)CRIT.*"'), { x: 'critical' })).toBe(true);
  });

  it('prints a matcher that parses back to itself', () => {
    const value = fc.string({
      unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\\', '\n', 'é', '{', '}', '='),
    });
    fc.assert(
      fc.property(value, fc.constantFrom<'=' | '!='>('=', '!='), (v, op) => {
        const text = matcherString({ name: 'label', type: op, value: v });
        const back = parseMatchers(`{${text}}`);
        expect(back).toHaveLength(1);
        expect(back[0]!.value).toBe(v);
      }),
    );
  });

  it('answers like the RE2 engine on the fast paths for plain and alternated text', () => {
    const piece = fc.string({ unit: fc.constantFrom('a', 'b', '-', '_', '|', 'é') });
    fc.assert(
      fc.property(piece, piece, (pattern, value) => {
        expect(compileAnchored(pattern)(value)).toBe(RE2JS.compile(`^(?:${pattern})$`).matches(value));
      }),
      { numRuns: 500 },
    );
  });
});
