// Walks the zod schema alongside a path or a value. Used to name the keys an object accepts
// (for "did you mean" hints) and to print the effective config with durations as text.
import type { z } from 'zod';
import { Secret } from '../lib/secret.js';
import { printers } from './schema-kit.js';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Strips wrappers (optional, default, nullable, pipes) down to the schema that holds structure. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (let i = 0; i < 20; i++) {
    if (printers.has(current)) return current;
    const def = defOf(current);
    if (
      def.innerType &&
      ['optional', 'default', 'nullable', 'prefault', 'readonly', 'catch', 'nonoptional'].includes(def.type)
    ) {
      current = def.innerType;
    } else if (def.type === 'pipe' && def.in) {
      // z.object(...).superRefine(...) and similar keep the structure on the input side.
      const inner = defOf(def.in);
      current = inner.type === 'unknown' || inner.type === 'string' ? (def.out ?? def.in) : def.in;
      if (defOf(current).type === 'transform') return schema;
    } else {
      return current;
    }
  }
  return current;
}

/** The schema at a path of the config, or undefined when the path leaves the schema. */
export function schemaAt(root: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(root);
  for (const segment of path) {
    if (!current) return undefined;
    const def = defOf(current);
    if (def.type === 'object' && def.shape && typeof segment === 'string') current = def.shape[segment];
    else if (def.type === 'array' && def.element) current = def.element;
    else if (def.type === 'record' && def.valueType) current = def.valueType;
    else if (def.type === 'union' && def.options) {
      current = def.options.map((o) => schemaAt(o, [segment])).find((s) => s !== undefined);
    } else return undefined;
    current = current ? unwrap(current) : undefined;
  }
  return current;
}

/** The keys an object schema accepts (union members merged). */
export function keysOf(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = defOf(unwrap(schema));
  if (def.type === 'object' && def.shape) return Object.keys(def.shape);
  if (def.type === 'union' && def.options) return [...new Set(def.options.flatMap((o) => keysOf(o)))];
  return [];
}

/**
 * Turns a parsed config into plain data for printing: secrets become their redacted form,
 * durations and addresses become text such as `5m`, and undefined keys are dropped.
 */
export function toPrintable(schema: z.ZodType | undefined, value: unknown): unknown {
  if (value instanceof Secret) return value.toJSON();
  if (value === undefined || value === null) return value;
  const node = schema ? unwrap(schema) : undefined;
  const printer = node ? printers.get(node) : undefined;
  if (printer) return printer(value as never);
  if (Array.isArray(value)) {
    const element = node && defOf(node).type === 'array' ? defOf(node).element : undefined;
    return value.map((v) => toPrintable(element, v));
  }
  if (value instanceof RegExp) return value.source;
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) {
      if (child === undefined) continue;
      out[key] = toPrintable(node ? schemaAt(node, [key]) : undefined, child);
    }
    return out;
  }
  return value;
}
