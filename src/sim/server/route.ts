// Parses API paths the way the API server's router does: `/api/v1/namespaces/ns/pods/name/log`,
// `/apis/apps/v1/deployments`, the legacy `/watch/` prefix, cluster-scoped objects and their
// subresources (a namespace's `status` versus a namespaced collection).
import { findResource, RESOURCE_TYPES, type ResourceType } from '../resources.js';
import { ApiStatusError } from '../status-error.js';

export interface ResourceRoute {
  readonly type: ResourceType;
  /** Namespace from the path; undefined for cluster-scoped paths and all-namespaces lists. */
  readonly namespace: string | undefined;
  readonly name: string | undefined;
  readonly subresource: string | undefined;
  /** The legacy `/watch/` prefix was used. */
  readonly legacyWatch: boolean;
}

export type Route =
  | { readonly kind: 'resource'; readonly route: ResourceRoute }
  | { readonly kind: 'group-version'; readonly group: string; readonly version: string }
  | { readonly kind: 'group'; readonly group: string };

function notFoundPath(): ApiStatusError {
  return new ApiStatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

/** Maps `/api/...` and `/apis/...` paths; undefined for every other path. */
export function parseApiPath(pathname: string): Route | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api') {
    if (parts.length < 2) return undefined; // `/api` itself: discovery
    group = '';
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis') {
    if (parts.length < 2) return undefined;
    group = parts[1]!;
    if (parts.length === 2) return { kind: 'group', group };
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;

  if (!RESOURCE_TYPES.some((t) => t.group === group && t.version === version)) throw notFoundPath();
  if (rest.length === 0) return { kind: 'group-version', group, version };

  let legacyWatch = false;
  if (rest[0] === 'watch') {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  const lookup = (plural: string): ResourceType | undefined => findResource(group, version, plural);

  // namespaces/{ns}/{plural}/... addresses a namespaced resource; namespaces/{name}[/{sub}] the Namespace itself.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const namespaced = lookup(rest[2]!);
    if (namespaced?.namespaced) {
      if (rest.length > 5) throw notFoundPath();
      return resource(namespaced, rest[1], rest[3], rest[4], legacyWatch);
    }
  }
  const type = lookup(rest[0]!);
  if (!type || rest.length > 3) throw notFoundPath();
  if (type.namespaced) {
    // All namespaces: only the collection, never a named object.
    if (rest.length > 1) throw notFoundPath();
    return resource(type, undefined, undefined, undefined, legacyWatch);
  }
  return resource(type, undefined, rest[1], rest[2], legacyWatch);
}

function resource(
  type: ResourceType,
  namespace: string | undefined,
  name: string | undefined,
  subresource: string | undefined,
  legacyWatch: boolean,
): Route {
  if (subresource !== undefined && !(type.subresources ?? []).includes(subresource)) throw notFoundPath();
  return { kind: 'resource', route: { type, namespace, name, subresource, legacyWatch } };
}
