// Strategic merge patch as the API server applies it: maps merge, lists with a merge key merge
// item by item, primitive lists with the merge strategy merge as sets, and the directives kubectl
// sends ($patch, $retainKeys, $setElementOrder/…, $deleteFromPrimitiveList/…) are honoured.
import { fieldMeta, type FieldMeta } from '../../openapi/patch-meta.js';
import { badRequest } from '../../status-error.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

const DELETE = Symbol('delete');
const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

export function isMap(value: unknown): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies a strategic merge patch to `original` (not changed) and returns the result.
 * `definition` names the OpenAPI definition of the top-level object, for merge keys.
 */
export function strategicMerge(original: unknown, patch: unknown, definition: string | undefined): JsonMap {
  if (!isMap(patch))
    throw badRequest('json: cannot unmarshal non-object into Go value of type map[string]interface {}');
  const merged = mergeMap(isMap(original) ? original : {}, patch, definition);
  return merged === DELETE ? {} : merged;
}

function mergeMap(
  original: JsonMap,
  patch: JsonMap,
  definition: string | undefined,
): JsonMap | typeof DELETE {
  const directive = patch.$patch;
  if (directive !== undefined) {
    if (directive === 'delete') return DELETE;
    if (directive === 'replace') {
      const { $patch: _directive, ...rest } = patch;
      return clean(rest, definition) as JsonMap;
    }
    if (directive !== 'merge') throw badRequest(`unknown patch type: ${JSON.stringify(directive)}`);
  }
  const result: JsonMap = { ...original };
  const retain = patch.$retainKeys;
  if (retain !== undefined) {
    if (!Array.isArray(retain)) throw badRequest('invalid patch: $retainKeys must be a list of strings');
    const keep = new Set(retain.map(String));
    for (const key of Object.keys(result)) if (!keep.has(key)) delete result[key];
  }
  const orders: Array<[string, Json[]]> = [];
  const removals: Array<[string, Json[]]> = [];
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith(SET_ORDER)) {
      if (!Array.isArray(value)) throw badRequest('invalid patch: $setElementOrder must be a list');
      orders.push([key.slice(SET_ORDER.length), value]);
      continue;
    }
    if (key.startsWith(DELETE_FROM)) {
      if (!Array.isArray(value)) throw badRequest('invalid patch: $deleteFromPrimitiveList must be a list');
      removals.push([key.slice(DELETE_FROM.length), value]);
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const meta = fieldMeta(definition, key);
    if (isMap(value)) {
      const current = result[key];
      const merged = mergeMap(isMap(current) ? current : {}, value, meta?.ref);
      if (merged === DELETE) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(result[key], value, meta);
    } else {
      result[key] = value;
    }
  }
  for (const [field, values] of removals) {
    const current = result[field];
    if (!Array.isArray(current)) continue;
    result[field] = current.filter((item) => !values.some((v) => sameJson(v, item)));
  }
  for (const [field, order] of orders) {
    const current = result[field];
    if (!Array.isArray(current)) continue;
    result[field] = reorder(current, order, fieldMeta(definition, field)?.mergeKey);
  }
  return result;
}

function mergeList(original: Json | undefined, patch: Json[], meta: FieldMeta | undefined): Json[] {
  const merges = meta?.strategy?.includes('merge') ?? false;
  if (!merges) return patch.map((item) => clean(item, meta?.ref));
  const current = Array.isArray(original) ? original : [];
  const key = meta?.mergeKey;
  if (!key) {
    // A set of primitives (finalizers, podCIDRs): add what is missing, keep the rest.
    const out = [...current];
    for (const item of patch) if (!out.some((v) => sameJson(v, item))) out.push(item);
    return out;
  }
  if (patch.some((item) => isMap(item) && item.$patch === 'replace')) {
    return patch
      .filter((item) => !(isMap(item) && item.$patch !== undefined))
      .map((i) => clean(i, meta?.ref));
  }
  const out: Json[] = [...current];
  for (const item of patch) {
    if (!isMap(item)) throw badRequest(`invalid patch: a list with merge key "${key}" holds only objects`);
    if (!(key in item))
      throw badRequest(`map: ${JSON.stringify(item)} does not contain declared merge key: ${key}`);
    const index = out.findIndex(
      (existing) => isMap(existing) && sameJson(existing[key] ?? null, item[key] ?? null),
    );
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
      continue;
    }
    if (index >= 0) {
      const merged = mergeMap(out[index] as JsonMap, item, meta?.ref);
      if (merged === DELETE) out.splice(index, 1);
      else out[index] = merged;
    } else {
      out.push(clean(item, meta?.ref));
    }
  }
  return out;
}

/**
 * Orders a merged list as `$setElementOrder` says. Items the patch did not mention (the server
 * has them, the client did not know) stay after the item that preceded them before.
 */
function reorder(items: Json[], order: Json[], mergeKey: string | undefined): Json[] {
  const keyOf = (item: Json): string =>
    JSON.stringify(mergeKey && isMap(item) ? (item[mergeKey] ?? null) : item);
  const rank = new Map(
    order.map((o, i) => [JSON.stringify(mergeKey && isMap(o) ? (o[mergeKey] ?? null) : o), i]),
  );
  const listed = items.filter((item) => rank.has(keyOf(item)));
  listed.sort((a, b) => rank.get(keyOf(a))! - rank.get(keyOf(b))!);
  const out = [...listed];
  let previous: Json | undefined;
  for (const item of items) {
    if (rank.has(keyOf(item))) {
      previous = item;
      continue;
    }
    const at = previous === undefined ? 0 : out.indexOf(previous) + 1;
    out.splice(at, 0, item);
    previous = item;
  }
  return out;
}

/** A fresh value from a patch: directives dropped, `$patch: delete` items removed. */
function clean(value: Json, definition: string | undefined): Json {
  if (Array.isArray(value))
    return value.filter((v) => !(isMap(v) && v.$patch === 'delete')).map((v) => clean(v, definition));
  if (!isMap(value)) return value;
  const merged = mergeMap({}, value, definition);
  return merged === DELETE ? {} : merged;
}

function sameJson(a: Json, b: Json): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}
