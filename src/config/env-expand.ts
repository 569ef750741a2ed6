// `${VAR}` and `${VAR:-default}` expansion of the configuration text, before YAML parsing.
// `$$` stands for a literal `$`. A variable that is unset and has no default is an error.
import type { ConfigIssue } from '../lib/errors.js';

const PATTERN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface ExpandResult {
  readonly text: string;
  readonly issues: ConfigIssue[];
}

export function expandEnv(text: string, env: Readonly<Record<string, string | undefined>>): ExpandResult {
  const issues: ConfigIssue[] = [];
  const out = text.replace(
    PATTERN,
    (match, name: string | undefined, fallback: string | undefined, offset: number) => {
      if (match === '$$') return '$';
      const value = env[name!];
      if (value !== undefined && value !== '') return value;
      if (fallback !== undefined) return fallback;
      const line = text.slice(0, offset).split('\n').length;
      issues.push({
        path: '',
        message: `line ${line}: environment variable ${name} is not set (use \${${name}:-default} for a default)`,
      });
      return '';
    },
  );
  return { text: out, issues };
}
