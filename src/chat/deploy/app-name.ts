// The rules for an app's name, in words a person in a chat can act on: it becomes the name of
// Services (DNS-1035 labels) and prefixes other objects, so it is short and starts with a letter.

/** Longest app name: templates add suffixes such as `-db`, and object names stop at 63. */
export const APP_NAME_MAX = 40;

const LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Why `name` cannot be an app name, or undefined when it can. */
export function appNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'the name is empty';
  if (name.length > APP_NAME_MAX)
    return `"${name}" is ${name.length} characters long; the limit is ${APP_NAME_MAX}`;
  if (/[^-a-z0-9]/.test(name)) {
    const suggestion = name
      .toLowerCase()
      .replace(/[^-a-z0-9]+/g, '-')
      .replace(/^[-0-9]+|-+$/g, '');
    const hint = LABEL.test(suggestion) && suggestion.length <= APP_NAME_MAX ? `; try "${suggestion}"` : '';
    return `"${name}" may only contain lower-case letters, digits and "-"${hint}`;
  }
  if (!/^[a-z]/.test(name)) return `"${name}" must start with a letter (a–z)`;
  if (name.endsWith('-')) return `"${name}" must end with a letter or digit`;
  return undefined;
}

/** Whether `name` is a valid DNS-1123 label (namespace names). */
export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name);
}
