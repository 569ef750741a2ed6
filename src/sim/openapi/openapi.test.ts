import * as models from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildOpenApiDocument } from './document.js';
import { decodeOpenApiV2, encodeOpenApiV2, type SwaggerSchema } from './gnostic.js';

const doc = buildOpenApiDocument(models as unknown as Parameters<typeof buildOpenApiDocument>[0], 'v1.32.4');

function refs(schema: SwaggerSchema, out: string[] = []): string[] {
  if (schema.$ref) out.push(schema.$ref);
  if (schema.items) refs(schema.items, out);
  if (schema.additionalProperties) refs(schema.additionalProperties, out);
  for (const p of Object.values(schema.properties ?? {})) refs(p, out);
  return out;
}

describe('OpenAPI v2 document', () => {
  it('describes every served kind under its real definition name with its group-version-kind', () => {
    const gvk = (name: string): unknown => doc.definitions[name]?.['x-kubernetes-group-version-kind'];
    expect(gvk('io.k8s.api.core.v1.Pod')).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(gvk('io.k8s.api.apps.v1.Deployment')).toEqual([
      { group: 'apps', version: 'v1', kind: 'Deployment' },
    ]);
    expect(gvk('io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler')).toEqual([
      { group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' },
    ]);
    expect(gvk('io.k8s.api.events.v1.Event')).toEqual([
      { group: 'events.k8s.io', version: 'v1', kind: 'Event' },
    ]);
    expect(gvk('io.k8s.api.coordination.v1.Lease')).toEqual([
      { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
    ]);
    expect(doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']).toBeDefined();
    expect(doc.definitions['io.k8s.api.core.v1.PodTemplateSpec']).toBeDefined();
    expect(doc.definitions['io.k8s.api.apps.v1.DeploymentSpec']?.properties?.template).toEqual({
      $ref: '#/definitions/io.k8s.api.core.v1.PodTemplateSpec',
    });
  });

  it('resolves every reference and carries strategic-merge metadata', () => {
    for (const [name, schema] of Object.entries(doc.definitions)) {
      for (const ref of refs(schema))
        expect(doc.definitions[ref.replace('#/definitions/', '')], `${name} → ${ref}`).toBeDefined();
    }
    expect(doc.definitions['io.k8s.api.core.v1.PodSpec']?.properties?.containers).toMatchObject({
      type: 'array',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge',
    });
    expect(
      doc.definitions['io.k8s.api.core.v1.Container']?.properties?.env?.['x-kubernetes-patch-merge-key'],
    ).toBe('name');
    expect(
      doc.definitions['io.k8s.api.core.v1.ServiceSpec']?.properties?.ports?.['x-kubernetes-patch-merge-key'],
    ).toBe('port');
    expect(doc.definitions['io.k8s.api.core.v1.ServicePort']?.properties?.targetPort).toEqual({
      type: 'string',
      format: 'int-or-string',
    });
  });

  it('encodes as gnostic protobuf that decodes back with YAML extensions', () => {
    const bytes = encodeOpenApiV2(doc);
    expect(bytes.byteLength).toBeGreaterThan(10_000);
    const decoded = decodeOpenApiV2(bytes) as {
      swagger: string;
      definitions: {
        additional_properties: Array<{
          name: string;
          value: { vendor_extension?: Array<{ name: string; value: { yaml: string } }> };
        }>;
      };
    };
    expect(decoded.swagger).toBe('2.0');
    const pod = decoded.definitions.additional_properties.find((d) => d.name === 'io.k8s.api.core.v1.Pod');
    const ext = pod?.value.vendor_extension?.find((e) => e.name === 'x-kubernetes-group-version-kind');
    expect(parse(ext!.value.yaml)).toEqual([{ group: '', version: 'v1', kind: 'Pod' }]);
    expect(decoded.definitions.additional_properties).toHaveLength(Object.keys(doc.definitions).length);
  });
});
