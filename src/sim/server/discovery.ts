// Discovery documents: /version, /api, /apis, each group and group version, built from the one
// resource table. Aggregated discovery is declined (plain lists), which kubectl 1.28+ accepts.
import { groupVersion, RESOURCE_TYPES, type ResourceType } from '../resources.js';

export interface VersionInfo {
  readonly major: string;
  readonly minor: string;
  readonly gitVersion: string;
}

export const DEFAULT_VERSION: VersionInfo = { major: '1', minor: '32', gitVersion: 'v1.32.4' };

export function versionDocument(version: VersionInfo): Record<string, unknown> {
  return {
    major: version.major,
    minor: version.minor,
    gitVersion: version.gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23.6',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Where a subresource's object lives when it is not the parent kind (what the scale client reads). */
const SUBRESOURCE_KINDS: Record<string, { group?: string; version?: string; kind: string; verbs: string[] }> =
  {
    status: { kind: '', verbs: ['get', 'patch', 'update'] },
    scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] },
    log: { kind: 'Pod', verbs: ['get'] },
    eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
    binding: { kind: 'Binding', verbs: ['create'] },
  };

/** Groups in the order the API server lists them, each with its one served version. */
function groups(): Array<{ name: string; version: string }> {
  const seen = new Map<string, string>();
  for (const t of RESOURCE_TYPES) if (t.group && !seen.has(t.group)) seen.set(t.group, t.version);
  return [...seen].map(([name, version]) => ({ name, version }));
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupEntry(name: string, version: string): Record<string, unknown> {
  const gv = { groupVersion: `${name}/${version}`, version };
  return { name, versions: [gv], preferredVersion: gv };
}

export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups().map((g) => groupEntry(g.name, g.version)),
  };
}

export function apiGroup(name: string): Record<string, unknown> | undefined {
  const found = groups().find((g) => g.name === name);
  if (!found) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(found.name, found.version) };
}

function resourceEntry(t: ResourceType): Record<string, unknown> {
  return {
    name: t.plural,
    singularName: t.singular,
    namespaced: t.namespaced,
    kind: t.kind,
    verbs: [...t.verbs],
    ...(t.shortNames ? { shortNames: [...t.shortNames] } : {}),
    ...(t.categories ? { categories: [...t.categories] } : {}),
  };
}

function subresourceEntry(t: ResourceType, sub: string): Record<string, unknown> {
  const known = SUBRESOURCE_KINDS[sub] ?? { kind: t.kind, verbs: ['get'] };
  return {
    name: `${t.plural}/${sub}`,
    singularName: '',
    namespaced: t.namespaced,
    ...(known.group !== undefined ? { group: known.group, version: known.version } : {}),
    kind: known.kind || t.kind,
    verbs: [...known.verbs],
  };
}

export function apiResourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const t of RESOURCE_TYPES) {
    if (t.group !== group || t.version !== version) continue;
    resources.push(resourceEntry(t));
    for (const sub of t.subresources ?? []) resources.push(subresourceEntry(t, sub));
  }
  return {
    kind: 'APIResourceList',
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: groupVersion({ group, version }),
    resources,
  };
}
