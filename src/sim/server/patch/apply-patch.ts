// PATCH bodies by content type: JSON merge patch (RFC 7386), strategic merge patch, JSON patch
// (RFC 6902) and server-side apply's applied configuration. Returns the patched object.
import jsonpatch from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../object-store.js';
import { ApiStatusError, badRequest } from '../../status-error.js';
import { isMap, strategicMerge } from './strategic-merge.js';

export type PatchKind = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_TYPES: Record<string, PatchKind> = {
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/json-patch+json': 'json',
  'application/apply-patch+yaml': 'apply',
  'application/apply-patch+cbor': 'apply',
};

export function patchKind(contentType: string): PatchKind {
  const kind = PATCH_TYPES[contentType];
  if (!kind || contentType.endsWith('+cbor')) {
    throw new ApiStatusError(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
    );
  }
  return kind;
}

/** RFC 7386: objects merge, `null` deletes, everything else replaces. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isMap(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = jsonMergePatch(result[key], value);
  }
  return result;
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`);
  }
}

/** Decodes an applied configuration (YAML or JSON; kubectl sends JSON under the YAML type). */
export function parseApplied(body: Buffer): KubeObject {
  let parsed: unknown;
  try {
    parsed = parseYaml(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`error decoding YAML: ${(error as Error).message}`);
  }
  if (!isMap(parsed)) throw badRequest('error decoding YAML: the applied configuration must be an object');
  const obj = parsed as unknown as KubeObject;
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string')
    throw badRequest('apiVersion and kind must be set in the applied configuration');
  if (!isMap(obj.metadata) || typeof obj.metadata.name !== 'string' || obj.metadata.name === '')
    throw badRequest('metadata.name must be set in the applied configuration');
  return obj;
}

/**
 * Applies a patch body to `current` and returns the new object (the caller stores it).
 * `definition` is the OpenAPI definition of the object, for strategic merge keys.
 */
export function applyPatch(
  kind: PatchKind,
  current: KubeObject,
  body: Buffer,
  definition: string | undefined,
): KubeObject {
  switch (kind) {
    case 'merge': {
      const patch = parseJson(body);
      if (!isMap(patch)) throw badRequest('the merge patch must be a JSON object');
      return jsonMergePatch(current, patch) as KubeObject;
    }
    case 'strategic':
      return strategicMerge(current, parseJson(body), definition) as unknown as KubeObject;
    case 'json': {
      const ops = parseJson(body);
      if (!Array.isArray(ops))
        throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      try {
        return jsonpatch.applyPatch(structuredClone(current), ops as jsonpatch.Operation[], true, true)
          .newDocument;
      } catch (error) {
        const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
        if (error instanceof jsonpatch.JsonPatchError && error.name !== 'TEST_OPERATION_FAILED') {
          const malformed = /^OPERATION_(OP|PATH|VALUE|FROM)_(INVALID|REQUIRED|CANNOT_ADD_TO_ROOT)/.test(
            error.name,
          );
          if (malformed) throw badRequest(`invalid JSON patch: ${message}`);
        }
        throw new ApiStatusError(
          422,
          'Invalid',
          `the server rejected our request due to an error in our request: ${message}`,
        );
      }
    }
    case 'apply': {
      // Server-side apply without managed fields: the applied configuration merges into the
      // live object by the same merge keys; fields it omits are kept (see docs/simulator.md).
      const applied = parseApplied(body);
      return strategicMerge(current, applied, definition) as unknown as KubeObject;
    }
  }
}
