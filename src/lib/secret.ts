// A configured secret (token, password, webhook URL). It never prints itself: JSON, string
// conversion and util.inspect all show a redacted form, so a secret cannot leak through a log
// line, an error message or `config print` by accident. Code that needs it calls `reveal()`.
import { inspect } from 'node:util';

export const REDACTED = '<redacted>';

export class Secret {
  readonly #value: string;
  readonly #display: string;

  /**
   * @param value the secret itself
   * @param display what to show instead; defaults to `<redacted>`. For a URL with a password,
   *   {@link Secret.fromUrl} shows the URL with only the password hidden.
   */
  constructor(value: string, display: string = REDACTED) {
    this.#value = value;
    this.#display = display;
  }

  /** A URL whose user info (password) and token-like query values are hidden when shown. */
  static fromUrl(value: string): Secret {
    return new Secret(value, redactUrl(value));
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return this.#display;
  }

  toJSON(): string {
    return this.#display;
  }

  [inspect.custom](): string {
    return this.#display;
  }
}

const SECRET_QUERY_KEYS = /^(token|access_token|api_key|apikey|key|secret|password|sig|signature)$/i;

/** Hides the password of a URL and token-like query parameters; leaves the rest readable. */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return REDACTED;
  }
  if (url.password) url.password = 'redacted';
  for (const key of [...url.searchParams.keys()]) {
    if (SECRET_QUERY_KEYS.test(key)) url.searchParams.set(key, 'redacted');
  }
  return url
    .toString()
    .replace(/:redacted@/, `:${REDACTED}@`)
    .replace(/=redacted/g, `=${REDACTED}`);
}

/**
 * Replaces every occurrence of known secret values in a text. Used as the last line of defence
 * on every log line and every error shown to a user: a library that puts a token in a URL
 * (Telegram's Bot API does) cannot leak it through us.
 */
export class SecretScrubber {
  readonly #values = new Set<string>();

  add(secret: Secret | string): void {
    // A Secret shown as itself (an SQLite path in storage.url) hides nothing.
    if (typeof secret !== 'string' && secret.toString() === secret.reveal()) return;
    const value = typeof secret === 'string' ? secret : secret.reveal();
    // Very short values would turn ordinary words into <redacted>; they are not worth hiding.
    if (value.length >= 6) this.#values.add(value);
    // A URL-encoded form can appear in query strings.
    const encoded = encodeURIComponent(value);
    if (encoded !== value && encoded.length >= 6) this.#values.add(encoded);
  }

  get size(): number {
    return this.#values.size;
  }

  scrub(text: string): string {
    if (this.#values.size === 0) return text;
    let out = text;
    for (const value of this.#values) {
      if (out.includes(value)) out = out.split(value).join(REDACTED);
    }
    return out;
  }
}

/** Walks a value and registers every {@link Secret} it holds with the scrubber. */
export function collectSecrets(value: unknown, scrubber: SecretScrubber, seen = new Set<object>()): void {
  if (value instanceof Secret) {
    scrubber.add(value);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  for (const child of Object.values(value)) collectSecrets(child, scrubber, seen);
}
