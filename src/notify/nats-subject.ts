// NATS subject templates: `lookout.{cluster}.{namespace}` with each `{name}` filled from the
// group's common labels (then group labels; `{receiver}` and `{status}` are built in).
import type { Notification } from '../domain/notification.js';

const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
/** What a subject token may not contain: separators, wildcards and whitespace. */
const UNSAFE = /[.*>\s\p{Cc}]/gu;
/** Filled in for a label the group does not have in common. */
export const MISSING_TOKEN = '_';

/** The problem with a subject template, or undefined when it is valid. */
export function checkSubjectTemplate(template: string): string | undefined {
  const literal = template.replace(PLACEHOLDER, 'x');
  if (/[{}]/.test(literal))
    return 'placeholders are written {label} with a label name of letters, digits and "_"';
  if (/[\s*>]/.test(literal)) return 'must not contain spaces or the wildcards * and >';
  if (literal.split('.').some((t) => t === ''))
    return 'must not have empty tokens (no leading, trailing or double dots)';
  return undefined;
}

/** Fills a subject template for a notification; each value is made safe as one subject token. */
export function renderSubject(template: string, notification: Notification): string {
  return template.replace(PLACEHOLDER, (_m, name: string) => {
    let value: string | undefined;
    if (name === 'receiver') value = notification.receiver;
    else if (name === 'status') value = notification.status;
    else value = notification.commonLabels[name] ?? notification.groupLabels[name];
    const token = (value ?? '').replace(UNSAFE, '_');
    return token === '' ? MISSING_TOKEN : token;
  });
}

/** The stream subject that captures every subject the template can produce. */
export function subjectWildcard(template: string): string {
  return template
    .split('.')
    .map((token) => (token.search(PLACEHOLDER) >= 0 ? '*' : token))
    .join('.');
}
