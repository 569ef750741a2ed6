import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../object-store.js';
import { ApiStatusError } from '../../status-error.js';
import { applyPatch, jsonMergePatch, patchKind } from './apply-patch.js';
import { strategicMerge } from './strategic-merge.js';

const DEPLOYMENT = 'io.k8s.api.apps.v1.Deployment';

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', finalizers: ['a/b', 'c/d'], labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 2,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              args: ['--a', '--b'],
              env: [
                { name: 'A', value: '1' },
                { name: 'B', value: '2' },
              ],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
            },
            { name: 'sidecar', image: 'envoy:1.30' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

type Spec = {
  replicas: number;
  strategy: Record<string, unknown>;
  template: { spec: { containers: Array<Record<string, unknown>>; volumes: Array<Record<string, unknown>> } };
};
const spec = (o: unknown): Spec => (o as { spec: Spec }).spec;

function status(fn: () => unknown): ApiStatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ApiStatusError) return error;
    throw error;
  }
  throw new Error('expected an API status error');
}

describe('strategic merge patch', () => {
  it('merges containers by name: one image changes, the other container stays', () => {
    const out = strategicMerge(
      deployment(),
      { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.28' }] } } } },
      DEPLOYMENT,
    );
    expect(spec(out).template.spec.containers.map((c) => `${String(c.name)}=${String(c.image)}`)).toEqual([
      'web=nginx:1.28',
      'sidecar=envoy:1.30',
    ]);
    expect(spec(out).template.spec.containers[0]!.env).toHaveLength(2);
  });

  it('merges env by name and ports by containerPort, and replaces lists without a merge key', () => {
    const out = strategicMerge(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              containers: [
                {
                  name: 'web',
                  args: ['--c'],
                  env: [
                    { name: 'B', value: 'two' },
                    { name: 'C', value: '3' },
                  ],
                  ports: [{ containerPort: 443, protocol: 'TCP' }],
                },
              ],
            },
          },
        },
      },
      DEPLOYMENT,
    );
    const web = spec(out).template.spec.containers[0]!;
    expect(web.args).toEqual(['--c']);
    expect(web.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: 'two' },
      { name: 'C', value: '3' },
    ]);
    expect(web.ports).toEqual([
      { containerPort: 80, protocol: 'TCP' },
      { containerPort: 443, protocol: 'TCP' },
    ]);
  });

  it('deletes a list item with $patch: delete and a field with null', () => {
    const out = strategicMerge(
      deployment(),
      {
        metadata: { labels: { tier: null } },
        spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } },
      },
      DEPLOYMENT,
    );
    expect(spec(out).template.spec.containers.map((c) => c.name)).toEqual(['web']);
    expect(out.metadata).toMatchObject({ labels: { app: 'web' } });
    expect((out.metadata as { labels: object }).labels).not.toHaveProperty('tier');
  });

  it('orders a merged list by $setElementOrder, as kubectl apply sends it', () => {
    const out = strategicMerge(
      deployment(),
      {
        spec: {
          template: {
            spec: {
              '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
              containers: [{ name: 'sidecar', image: 'envoy:1.31' }],
            },
          },
        },
      },
      DEPLOYMENT,
    );
    expect(spec(out).template.spec.containers.map((c) => `${String(c.name)}=${String(c.image)}`)).toEqual([
      'sidecar=envoy:1.31',
      'web=nginx:1.27',
    ]);
    expect(spec(out).template.spec).not.toHaveProperty('$setElementOrder/containers');
  });

  it('keeps only $retainKeys of a union struct (strategy type switch)', () => {
    const out = strategicMerge(
      deployment(),
      { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      DEPLOYMENT,
    );
    expect(spec(out).strategy).toEqual({ type: 'Recreate' });
  });

  it('replaces a map wholesale with $patch: replace', () => {
    const out = strategicMerge(
      deployment(),
      { metadata: { labels: { $patch: 'replace', only: 'this' } } },
      DEPLOYMENT,
    );
    expect((out.metadata as { labels: object }).labels).toEqual({ only: 'this' });
  });

  it('merges finalizers as a set and removes with $deleteFromPrimitiveList', () => {
    const added = strategicMerge(deployment(), { metadata: { finalizers: ['c/d', 'e/f'] } }, DEPLOYMENT);
    expect((added.metadata as { finalizers: string[] }).finalizers).toEqual(['a/b', 'c/d', 'e/f']);
    const removed = strategicMerge(
      deployment(),
      { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/b'] } },
      DEPLOYMENT,
    );
    expect((removed.metadata as { finalizers: string[] }).finalizers).toEqual(['c/d']);
  });

  it('refuses a list item without its merge key (400) and a non-object patch', () => {
    expect(
      status(() =>
        strategicMerge(
          deployment(),
          { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
          DEPLOYMENT,
        ),
      ),
    ).toMatchObject({ code: 400 });
    expect(status(() => strategicMerge(deployment(), ['nope'], DEPLOYMENT))).toMatchObject({ code: 400 });
  });

  it('does not change the original object', () => {
    const original = deployment();
    const copy = structuredClone(original);
    strategicMerge(
      original,
      { spec: { replicas: 9, template: { spec: { containers: [{ name: 'web', image: 'x' }] } } } },
      DEPLOYMENT,
    );
    expect(original).toEqual(copy);
  });
});

describe('other patch types', () => {
  it('JSON merge patch replaces lists and deletes with null (RFC 7386)', () => {
    const out = jsonMergePatch(deployment(), {
      metadata: { labels: { tier: null, new: 'x' } },
      spec: { template: { spec: { containers: [{ name: 'only', image: 'busybox' }] } } },
    });
    expect(spec(out).template.spec.containers).toEqual([{ name: 'only', image: 'busybox' }]);
    expect((out as KubeObject).metadata.labels).toEqual({ app: 'web', new: 'x' });
  });

  it('JSON patch applies operations and fails a test operation with 422', () => {
    const body = Buffer.from(
      JSON.stringify([
        { op: 'replace', path: '/spec/replicas', value: 5 },
        { op: 'add', path: '/metadata/labels/extra', value: 'yes' },
      ]),
    );
    const out = applyPatch('json', deployment(), body, DEPLOYMENT);
    expect(spec(out).replicas).toBe(5);
    expect(out.metadata.labels).toMatchObject({ extra: 'yes' });
    const failing = Buffer.from(JSON.stringify([{ op: 'test', path: '/spec/replicas', value: 7 }]));
    expect(status(() => applyPatch('json', deployment(), failing, DEPLOYMENT))).toMatchObject({ code: 422 });
    expect(
      status(() => applyPatch('json', deployment(), Buffer.from('{"op":"add"}'), DEPLOYMENT)),
    ).toMatchObject({ code: 400 });
  });

  it('server-side apply merges the applied configuration by merge keys', () => {
    const applied = Buffer.from(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata: { name: web }',
        'spec:',
        '  replicas: 4',
        '  template: { spec: { containers: [ { name: web, image: "nginx:1.29" } ] } }',
      ].join('\n'),
    );
    const out = applyPatch('apply', deployment(), applied, DEPLOYMENT);
    expect(spec(out).replicas).toBe(4);
    expect(spec(out).template.spec.containers.map((c) => c.image)).toEqual(['nginx:1.29', 'envoy:1.30']);
    expect(
      status(() => applyPatch('apply', deployment(), Buffer.from('spec: {}'), DEPLOYMENT)),
    ).toMatchObject({ code: 400 });
  });

  it('maps content types to patch kinds and refuses others with 415', () => {
    expect(patchKind('application/strategic-merge-patch+json')).toBe('strategic');
    expect(patchKind('application/apply-patch+yaml')).toBe('apply');
    expect(status(() => patchKind('application/json'))).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
    });
  });
});
