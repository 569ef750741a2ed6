// The app templates on offer: the ones shipped in `templates/` and those of the configured
// directory, read and checked at start so a broken file stops Lookout with its file and path.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, errorMessage, type ConfigIssue } from '../../lib/errors.js';
import { parseTemplate, type AppTemplate } from './template.js';

/** `templates/` at the package root (the same relative place from `src/` and from `dist/`). */
export const BUILTIN_TEMPLATES_DIR = fileURLToPath(new URL('../../../templates/', import.meta.url));

export interface TemplateSources {
  /** Include the templates shipped with Lookout (default true). */
  readonly builtin?: boolean;
  /** A directory of extra templates; one named like a shipped template replaces it. */
  readonly dir?: string | undefined;
  /** Where the shipped templates are (tests point elsewhere). */
  readonly builtinDir?: string;
}

function readDir(dir: string, issues: ConfigIssue[]): AppTemplate[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort();
  } catch (error) {
    issues.push({ path: 'chat.deploy.templates_dir', message: `cannot read ${dir}: ${errorMessage(error)}` });
    return [];
  }
  const out: AppTemplate[] = [];
  const byName = new Map<string, string>();
  for (const file of files) {
    const path = join(dir, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      issues.push({ path, message: `cannot read: ${errorMessage(error)}` });
      continue;
    }
    const parsed = parseTemplate(text, path);
    if ('issues' in parsed) {
      for (const i of parsed.issues)
        issues.push({ path: i.path ? `${path}: ${i.path}` : path, message: i.message });
      continue;
    }
    const other = byName.get(parsed.template.name);
    if (other) {
      issues.push({
        path: `${path}: name`,
        message: `template "${parsed.template.name}" is also defined in ${other}`,
      });
      continue;
    }
    byName.set(parsed.template.name, path);
    out.push(parsed.template);
  }
  return out;
}

export class TemplateCatalog {
  readonly #templates: ReadonlyMap<string, AppTemplate>;

  constructor(templates: readonly AppTemplate[]) {
    this.#templates = new Map(templates.map((t) => [t.name, t]));
  }

  /** Reads every template; throws a {@link ConfigError} listing each problem with its file and path. */
  static load(sources: TemplateSources = {}): TemplateCatalog {
    const issues: ConfigIssue[] = [];
    const templates = new Map<string, AppTemplate>();
    if (sources.builtin ?? true) {
      for (const t of readDir(sources.builtinDir ?? BUILTIN_TEMPLATES_DIR, issues)) templates.set(t.name, t);
    }
    if (sources.dir) for (const t of readDir(sources.dir, issues)) templates.set(t.name, t);
    if (issues.length > 0) throw new ConfigError(issues);
    return new TemplateCatalog([...templates.values()]);
  }

  /** Templates in a stable order (by title). */
  list(): AppTemplate[] {
    return [...this.#templates.values()].sort((a, b) => a.title.localeCompare(b.title));
  }

  get(name: string): AppTemplate | undefined {
    return this.#templates.get(name);
  }

  get size(): number {
    return this.#templates.size;
  }
}
