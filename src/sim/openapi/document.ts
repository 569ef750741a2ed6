// The OpenAPI v2 (Swagger) document of the served kinds, built from @kubernetes/client-node's
// generated models (themselves generated from Kubernetes' OpenAPI): real property names and
// types, real definition names, x-kubernetes-group-version-kind on every kind, and the
// strategic-merge metadata of patch-meta.ts, which kubectl's client-side apply reads.
import { RESOURCE_TYPES } from '../resources.js';
import type { SwaggerDocument, SwaggerSchema } from './gnostic.js';
import { PATCH_META } from './patch-meta.js';

interface Attribute {
  readonly name: string;
  readonly baseName: string;
  readonly type: string;
  readonly format: string;
}

type Models = Record<string, { attributeTypeMap?: readonly Attribute[] } | undefined>;

/** Classes that live in apimachinery's meta/v1, whoever references them first. */
const META_CLASSES = new Set([
  'V1ObjectMeta',
  'V1ListMeta',
  'V1LabelSelector',
  'V1LabelSelectorRequirement',
  'V1OwnerReference',
  'V1ManagedFieldsEntry',
  'V1Condition',
  'V1Status',
  'V1StatusDetails',
  'V1StatusCause',
  'V1DeleteOptions',
  'V1Preconditions',
]);

/** Extra kinds the document describes besides the stored ones: subresource and option bodies. */
const EXTRA_ROOTS: Array<{ group: string; version: string; kind: string }> = [
  { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  { group: 'policy', version: 'v1', kind: 'Eviction' },
  { group: '', version: 'v1', kind: 'Binding' },
  { group: '', version: 'v1', kind: 'PodTemplate' },
];

const CLASS_NAME = /^([A-Z][a-z]+)?(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/;

function groupLabel(group: string): string {
  return group === '' ? 'core' : group.split('.')[0]!;
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Builds the Swagger document; `models` is the client-node module (its exported model classes). */
export function buildOpenApiDocument(models: Models, version: string): SwaggerDocument {
  const definitions: Record<string, SwaggerSchema> = {};
  const nameOf = new Map<string, string>();
  const queue: Array<{ cls: string; group: string }> = [];

  const classFor = (group: string, ver: string, kind: string): string | undefined => {
    const prefixed = `${capital(groupLabel(group))}${capital(ver)}${kind}`;
    if (models[prefixed]?.attributeTypeMap) return prefixed;
    const plain = `${capital(ver)}${kind}`;
    return models[plain]?.attributeTypeMap ? plain : undefined;
  };

  const definitionFor = (cls: string, group: string): string => {
    const known = nameOf.get(cls);
    if (known) return known;
    const m = CLASS_NAME.exec(cls);
    const ver = m ? m[2]!.toLowerCase() : 'v1';
    const kind = m ? m[3]! : cls;
    const owner = m?.[1] ? m[1].toLowerCase() : group;
    const name = META_CLASSES.has(cls)
      ? `io.k8s.apimachinery.pkg.apis.meta.v1.${kind}`
      : `io.k8s.api.${owner}.${ver}.${kind}`;
    nameOf.set(cls, name);
    queue.push({ cls, group: owner });
    return name;
  };

  const schemaFor = (type: string, format: string, group: string): SwaggerSchema => {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) return { type: 'array', items: schemaFor(array[1]!, format, group) };
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) return { type: 'object', additionalProperties: schemaFor(map[1]!, format, group) };
    switch (type) {
      case 'string':
        return format ? { type: 'string', format } : { type: 'string' };
      case 'number':
        return format === 'double'
          ? { type: 'number', format }
          : { type: 'integer', ...(format ? { format } : {}) };
      case 'boolean':
        return { type: 'boolean' };
      case 'Date':
        return { type: 'string', format: 'date-time' };
      case 'IntOrString':
        return { type: 'string', format: 'int-or-string' };
      case 'any':
      case 'object':
        // Arbitrary JSON: no type, so kubectl accepts any value here.
        return {};
      default:
        if (models[type]?.attributeTypeMap) return { $ref: `#/definitions/${definitionFor(type, group)}` };
        return {};
    }
  };

  const roots: Array<{ group: string; version: string; kind: string }> = [];
  const stored = RESOURCE_TYPES.filter((t) => !t.virtual);
  // Core kinds first, so that shared core structs (PodTemplateSpec, ObjectReference) get core names.
  for (const t of [
    ...stored.filter((t) => t.group === ''),
    ...EXTRA_ROOTS,
    ...stored.filter((t) => t.group !== ''),
  ])
    roots.push({ group: t.group, version: t.version, kind: t.kind });

  const gvk = new Map<string, Array<{ group: string; version: string; kind: string }>>();
  for (const root of roots) {
    for (const kind of [root.kind, `${root.kind}List`]) {
      const cls = classFor(root.group, root.version, kind);
      if (!cls) continue;
      const name = definitionFor(cls, groupLabel(root.group));
      const list = gvk.get(name) ?? [];
      if (!list.some((g) => g.group === root.group && g.kind === kind))
        list.push({ group: root.group, version: root.version, kind });
      gvk.set(name, list);
    }
  }

  while (queue.length > 0) {
    const { cls, group } = queue.shift()!;
    const name = nameOf.get(cls)!;
    const properties: Record<string, SwaggerSchema> = {};
    for (const attr of models[cls]?.attributeTypeMap ?? []) {
      const schema = schemaFor(attr.type, attr.format, group);
      const meta = PATCH_META[name]?.[attr.baseName];
      if (meta?.strategy) schema['x-kubernetes-patch-strategy'] = meta.strategy;
      if (meta?.mergeKey) schema['x-kubernetes-patch-merge-key'] = meta.mergeKey;
      properties[attr.baseName] = schema;
    }
    const definition: SwaggerSchema = { type: 'object', properties };
    const kinds = gvk.get(name);
    if (kinds) definition['x-kubernetes-group-version-kind'] = kinds;
    definitions[name] = definition;
  }

  return {
    swagger: '2.0',
    info: { title: 'Kubernetes', version },
    paths: {},
    definitions: Object.fromEntries(
      Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    ),
  };
}
