// Keeps secrets out of chat: environment values whose name or shape looks secret are hidden,
// values from Secrets are named (Secret and key), never read, never printed.

const SECRET_NAME =
  /pass(word|wd|phrase)?|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credential|auth|cookie|session|signing|salt|\bpin\b|dsn|conn(ection)?[-_]?str/i;

/** A URL with credentials in it (`scheme://user:password@host`). */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Long random-looking strings: base64/hex/JWT-like tokens. */
function looksRandom(value: string): boolean {
  if (value.length < 24 || /\s/.test(value)) return false;
  if (/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./.test(value)) return true;
  if (!/^[A-Za-z0-9+/=_.-]+$/.test(value)) return false;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/].filter((r) => r.test(value)).length;
  return classes >= 2 && !/^[a-z]+([-.][a-z]+)*$/i.test(value);
}

/** Whether an environment variable's value must not be shown. */
export function isSecretLooking(name: string, value: string): boolean {
  return SECRET_NAME.test(name) || URL_WITH_PASSWORD.test(value) || looksRandom(value);
}

interface EnvVar {
  name?: unknown;
  value?: unknown;
  valueFrom?: {
    secretKeyRef?: { name?: unknown; key?: unknown };
    configMapKeyRef?: { name?: unknown; key?: unknown };
    fieldRef?: { fieldPath?: unknown };
    resourceFieldRef?: { resource?: unknown };
  };
}

/** One `env` entry as a line: the value, `<hidden>`, or where it comes from. */
export function describeEnv(entry: EnvVar): string {
  const name = typeof entry.name === 'string' ? entry.name : '?';
  const from = entry.valueFrom;
  if (from?.secretKeyRef)
    return `${name}: <from Secret ${String(from.secretKeyRef.name)}, key ${String(from.secretKeyRef.key)}>`;
  if (from?.configMapKeyRef)
    return `${name}: <from ConfigMap ${String(from.configMapKeyRef.name)}, key ${String(from.configMapKeyRef.key)}>`;
  if (from?.fieldRef) return `${name}: <field ${String(from.fieldRef.fieldPath)}>`;
  if (from?.resourceFieldRef) return `${name}: <resource ${String(from.resourceFieldRef.resource)}>`;
  const value = typeof entry.value === 'string' ? entry.value : '';
  return `${name}: ${isSecretLooking(name, value) ? '<hidden>' : value}`;
}

/** Hides anything secret-looking in free text (`password=…`, bearer tokens, URL credentials). */
export function redactText(text: string): string {
  return text
    .replace(
      /\b([A-Za-z_]*(?:pass(?:word)?|secret|token|api[-_]?key)[A-Za-z_]*)\s*[=:]\s*("[^"]*"|'[^']*'|\S+)/gi,
      '$1=<hidden>',
    )
    .replace(/\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 <hidden>')
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)[^/\s@]+@/gi, '$1<hidden>@');
}
