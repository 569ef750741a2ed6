// Splits a Kubernetes list document (`{"kind":…,"metadata":{…},"items":[{…},{…}]}`), read
// in pieces off the wire, into its items — without ever holding the whole document.
//
// Why: a page of 500 pods is about 1.5 MB of JSON. Read with `response.json()`, it exists at
// once as the received chunks, their concatenation (one large malloc'd buffer), the decoded
// text (a large string in V8's old generation) and the parsed tree (several MiB of objects),
// and all of that outlives enough garbage collections to be promoted. Those pages were most
// of Lookout's memory peak during the first sync, and the heap they grew (V8 and malloc)
// stayed resident afterwards. Here only the chunk in hand and the item being read exist as
// text; each item is parsed on its own (native JSON.parse) and handed to the caller, who keeps
// what it needs (a snapshot) and drops the rest while it is still young.
//
// The scanner tracks strings (with escapes) and bracket depth, and checks the structure it
// walks: the top level must be an object, `items` an array, members separated properly.
// Everything else — the members other than `items` (metadata, kind, apiVersion) and each item —
// is validated by JSON.parse.

/** The document is not JSON, or not a JSON object with an `items` array. */
export class ListDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ListDecodeError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/**
 * A copy of `text` that does not share the memory of a larger string. V8 represents
 * `slice()` results as views into their parent; flattening a concatenation makes a new string.
 */
function detach(text: string): string {
  return text.length < 16 ? text : (' ' + text).slice(1);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** Where the scanner is in the document's structure (outside of any value it captures). */
const enum At {
  /** Before the top-level `{`. */
  Start,
  /** Inside the top-level object, before a member name (or its `}`). */
  Key,
  /** After a member name, before its `:`. */
  Colon,
  /** After `:`, before the member's value. */
  Value,
  /** After a member's value, before `,` or `}`. */
  AfterValue,
  /** Inside `items`, before an item (or the `]`). */
  Item,
  /** Inside `items`, after an item, before `,` or `]`. */
  AfterItem,
  /** After the top-level `}`. */
  End,
}

/** What is being captured as text: a member name, a member's value, or an item. */
const enum Capture {
  None,
  Key,
  Member,
  Item,
}

export class ListDecoder {
  readonly #onItem: (item: unknown) => void;
  /** Text received and not consumed yet; `#pos` is where scanning goes on. */
  #buf = '';
  #pos = 0;
  #at = At.Start;
  /** Bracket depth inside the value being captured (0: not inside brackets). */
  #depth = 0;
  #inString = false;
  #capture = Capture.None;
  /** Where the captured text starts in `#buf`. */
  #start = 0;
  /** A captured value that is not a string, object or array (a number, true, false, null). */
  #literal = false;
  #key = '';
  #sawItems = false;
  #anyMember = false;
  readonly #members: Record<string, unknown> = {};
  #items = 0;

  /** `onItem` is called with each parsed item, in order, as soon as its text is complete. */
  constructor(onItem: (item: unknown) => void) {
    this.#onItem = onItem;
  }

  /** Items handed out so far. */
  get items(): number {
    return this.#items;
  }

  /** Feeds the next piece of the document's text. */
  write(text: string): void {
    if (text.length === 0) return;
    // After the last write, `#buf` holds only what a capture still needs (often nothing).
    this.#buf = this.#buf.length > 0 ? this.#buf + text : text;
    this.#scan();
    // Keep only what an unfinished capture still needs (usually part of one item), as a
    // string of its own: a plain slice would keep the whole chunk alive until the next one
    // arrives, long enough to be promoted to V8's old generation.
    const keep = this.#capture === Capture.None ? this.#pos : this.#start;
    if (keep > 0) {
      this.#buf = detach(this.#buf.slice(keep));
      this.#pos -= keep;
      this.#start -= keep;
    }
  }

  /**
   * Ends the document: throws unless it was one complete object with an `items` array.
   * Answers its other members (`metadata`, `kind`, `apiVersion`), parsed.
   */
  end(): Record<string, unknown> {
    for (let i = this.#pos; i < this.#buf.length; i++) {
      if (!isSpace(this.#buf.charCodeAt(i))) throw new ListDecodeError('unexpected text after the list');
    }
    if (this.#at !== At.End) throw new ListDecodeError('the list ended early');
    if (!this.#sawItems) throw new ListDecodeError('the list has no items');
    return this.#members;
  }

  #scan(): void {
    const buf = this.#buf;
    const len = buf.length;
    let i = this.#pos;
    while (i < len) {
      if (this.#inString) {
        const q = buf.indexOf('"', i);
        if (q < 0) {
          i = len;
          break;
        }
        let slashes = 0;
        for (let b = q - 1; buf.charCodeAt(b) === BACKSLASH; b--) slashes++;
        i = q + 1;
        if (slashes % 2 === 1) continue; // an escaped quote
        this.#inString = false;
        if (this.#depth === 0) this.#valueDone(i);
        continue;
      }
      const c = buf.charCodeAt(i);
      if (this.#capture !== Capture.None && this.#capture !== Capture.Key) {
        // Inside a member's value or an item.
        if (this.#literal) {
          // A number, true, false or null ends at the next delimiter, which is structure:
          // it is scanned again below.
          if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || isSpace(c)) {
            this.#literal = false;
            this.#valueDone(i);
          } else i++;
          continue;
        }
        i++;
        if (c === QUOTE) this.#inString = true;
        else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth++;
        else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (--this.#depth === 0) this.#valueDone(i);
        }
        continue;
      }
      i = this.#structure(c, i);
    }
    this.#pos = i;
  }

  /** One character of the list's own structure (not inside a captured value); answers the next index. */
  #structure(c: number, i: number): number {
    if (isSpace(c)) return i + 1;
    switch (this.#at) {
      case At.Start:
        if (c !== OPEN_BRACE) throw new ListDecodeError('the list is not a JSON object');
        this.#at = At.Key;
        return i + 1;
      case At.Key:
        if (c === QUOTE) {
          this.#begin(Capture.Key, i);
          this.#inString = true;
          return i + 1;
        }
        if (c === CLOSE_BRACE && !this.#anyMember) {
          this.#at = At.End;
          return i + 1;
        }
        break;
      case At.Colon:
        if (c === COLON) {
          this.#at = At.Value;
          return i + 1;
        }
        break;
      case At.Value:
        if (this.#key === 'items' && c === OPEN_BRACKET) {
          this.#sawItems = true;
          this.#at = At.Item;
          return i + 1;
        }
        return this.#beginValue(Capture.Member, c, i);
      case At.AfterValue: {
        const next = this.#separatorOrClose(c, i, At.Key, CLOSE_BRACE, At.End);
        if (next >= 0) return next;
        break;
      }
      case At.Item:
        if (c === CLOSE_BRACKET && this.#items === 0) {
          this.#at = At.AfterValue;
          return i + 1;
        }
        if (c !== COMMA && c !== CLOSE_BRACKET && c !== CLOSE_BRACE && c !== COLON) {
          return this.#beginValue(Capture.Item, c, i);
        }
        break;
      case At.AfterItem: {
        const next = this.#separatorOrClose(c, i, At.Item, CLOSE_BRACKET, At.AfterValue);
        if (next >= 0) return next;
        break;
      }
      case At.End:
        break;
    }
    throw new ListDecodeError(`unexpected ${JSON.stringify(String.fromCharCode(c))} in the list`);
  }

  #begin(capture: Capture, i: number): void {
    this.#capture = capture;
    this.#start = i;
  }

  /** Starts capturing a value whose first character is `c`; answers where scanning goes on. */
  #beginValue(capture: Capture, c: number, i: number): number {
    this.#begin(capture, i);
    if (c === QUOTE) this.#inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) this.#depth = 1;
    else {
      // A literal ends at a delimiter, which the scanner must see again.
      this.#literal = true;
      return i;
    }
    return i + 1;
  }

  /**
   * After a member or an item: a comma leads to `next`, `close` ends the object or array and
   * leads to `closed`. Answers the next index, or -1 for anything else.
   */
  #separatorOrClose(c: number, i: number, next: At, close: number, closed: At): number {
    if (c === COMMA) this.#at = next;
    else if (c === close) this.#at = closed;
    else return -1;
    return i + 1;
  }

  /** The captured text ends before `end`. */
  #valueDone(end: number): void {
    const text = this.#buf.slice(this.#start, end);
    const capture = this.#capture;
    this.#capture = Capture.None;
    this.#depth = 0;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw new ListDecodeError(`the list is not valid JSON: ${(error as Error).message}`);
    }
    switch (capture) {
      case Capture.Key:
        this.#anyMember = true;
        this.#key = value as string;
        this.#at = At.Colon;
        return;
      case Capture.Member:
        if (this.#key === 'items') throw new ListDecodeError('the list has no items');
        // An own property, as JSON.parse makes it: assigning `__proto__` would set the prototype.
        Object.defineProperty(this.#members, this.#key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
        this.#at = At.AfterValue;
        return;
      case Capture.Item:
        this.#items++;
        this.#at = At.AfterItem;
        this.#onItem(value);
        return;
      case Capture.None:
        return;
    }
  }
}
