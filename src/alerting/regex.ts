// Regular expressions with Go's RE2 syntax and semantics (what Alertmanager uses), anchored the
// way Alertmanager anchors matchers: `^(?:pattern)$`. Common plain patterns skip the engine.
import { RE2JS } from 're2js';

export type StringTest = (value: string) => boolean;

/** Thrown for a pattern Go's regexp package would reject; the message is Go's. */
export class RegexSyntaxError extends Error {}

const META = /[\\.+*?()|[\]{}^$]/;

/** Compiles an anchored matcher regex; throws {@link RegexSyntaxError} like Go's regexp.Compile. */
export function compileAnchored(pattern: string): StringTest {
  // Literal text and alternations of literal text are by far the most common; a Set is exact
  // for them and much faster than any regex engine.
  if (!META.test(pattern)) return (value) => value === pattern;
  if (/^[^\\.+*?()[\]{}^$]*$/.test(pattern)) {
    const options = new Set(pattern.split('|'));
    return (value) => options.has(value);
  }
  const compiled = compileGo(`^(?:${pattern})$`);
  return (value) => compiled.matches(value);
}

/** Checks a pattern as Go's regexp.Compile would; returns Go's error message or undefined. */
export function regexError(pattern: string): string | undefined {
  try {
    compileGo(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function compileGo(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (error) {
    throw new RegexSyntaxError(error instanceof Error ? error.message : String(error));
  }
}
