import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../lib/errors.js';
import { INSTANCE_LABEL, MANAGED_BY_LABEL, renderApp } from './render-app.js';
import { TemplateCatalog } from './template-catalog.js';
import { parseTemplate, substituteAll, type AppTemplate } from './template.js';

const MINIMAL = `
name: echo
title: Echo
parameters:
  - name: token
    type: secret
    length: 16
  - name: port
    type: integer
    default: 8080
expose:
  service: \${app}
  port: 80
objects:
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: \${app}
    spec:
      replicas: \${replicas}
      selector: { matchLabels: { app: '\${app}' } }
      template:
        metadata: { labels: { app: '\${app}' } }
        spec:
          containers:
            - name: echo
              image: docker.io/library/nginx:1.27
              args: ["--port=\${port}", "--literal=$\${HOME}"]
              env:
                - { name: TOKEN, value: '\${token}' }
                - { name: PORT, value: "\${port}" }
  - apiVersion: v1
    kind: Service
    metadata:
      name: \${app}
    spec:
      type: NodePort
      selector: { app: '\${app}' }
      ports: [{ port: 80, targetPort: '\${port}' }]
`;

function parsed(text: string): AppTemplate {
  const result = parseTemplate(text, 'test.yaml');
  if ('issues' in result) throw new Error(JSON.stringify(result.issues));
  return result.template;
}

function issues(text: string): string[] {
  const result = parseTemplate(text, 'test.yaml');
  if (!('issues' in result)) throw new Error('expected issues');
  return result.issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message));
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('app templates', () => {
  it('fills placeholders, keeping numbers numbers and $${…} literal', () => {
    const t = parsed(MINIMAL);
    const app = renderApp(t, { app: 'hello', namespace: 'team-a', replicas: 2 });
    const deploy = app.objects[0] as unknown as {
      metadata: { name: string; namespace: string; labels: Record<string, string> };
      spec: {
        replicas: unknown;
        template: {
          metadata: { labels: Record<string, string> };
          spec: { containers: Array<{ args: string[]; env: Array<{ value: unknown }> }> };
        };
      };
    };
    expect(deploy.metadata).toMatchObject({ name: 'hello', namespace: 'team-a' });
    expect(deploy.spec.replicas).toBe(2);
    const container = deploy.spec.template.spec.containers[0]!;
    expect(container.args).toEqual(['--port=8080', '--literal=${HOME}']);
    expect(container.env[1]!.value).toBe(8080);
    expect(deploy.metadata.labels).toEqual({ [MANAGED_BY_LABEL]: 'lookout', [INSTANCE_LABEL]: 'hello' });
    expect(deploy.spec.template.metadata.labels).toEqual({ app: 'hello', [INSTANCE_LABEL]: 'hello' });
    expect(app.refs).toEqual([
      { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello' },
      { apiVersion: 'v1', kind: 'Service', name: 'hello' },
    ]);
    expect(app.expose).toEqual({ service: 'hello', port: 80 });
  });

  it('generates a fresh password of the declared length for every deploy', () => {
    const t = parsed(MINIMAL);
    const token = (): unknown =>
      (
        renderApp(t, { app: 'a', namespace: 'n', replicas: 1 }).objects[0] as unknown as {
          spec: { template: { spec: { containers: Array<{ env: Array<{ value: unknown }> }> } } };
        }
      ).spec.template.spec.containers[0]!.env[0]!.value;
    const first = token();
    expect(first).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(token()).not.toBe(first);
  });

  it('reports unknown parameters, unsupported kinds and a namespace with their paths', () => {
    const text = MINIMAL.replace('name: echo\n', 'name: echo\n')
      .replace('image: docker.io/library/nginx:1.27', 'image: ${image}')
      .replace(
        'kind: Service\n    metadata:\n      name: ${app}',
        'kind: Service\n    metadata:\n      name: ${app}\n      namespace: prod',
      )
      .concat(
        '  - apiVersion: rbac.authorization.k8s.io/v1\n    kind: ClusterRole\n    metadata: { name: x }\n',
      );
    expect(issues(text)).toEqual([
      'objects[0].spec.template.spec.containers[0].image: unknown parameter ${image} (known: app, namespace, replicas, token, port)',
      'objects[1].metadata.namespace: leave it out: the app goes to the namespace chosen in the conversation',
      'objects[2].kind: rbac.authorization.k8s.io/v1 ClusterRole is not supported (supported: v1 Secret, v1 ConfigMap, v1 PersistentVolumeClaim, v1 Service, apps/v1 Deployment, apps/v1 StatefulSet)',
    ]);
  });

  it('reports schema problems with their paths', () => {
    expect(issues('name: Echo\ntitle: x\nexpose: { service: a, port: 80 }\nobjects: []\nbogus: 1\n')).toEqual(
      [
        'name: must be lower-case letters, digits and "-" (like a-b-1)',
        'objects: Too small: expected array to have >=1 items',
        expect.stringContaining('bogus'),
      ],
    );
    expect(issues(MINIMAL.replace('type: integer', 'type: float'))[0]).toMatch(/^parameters\[1\]\.type: /);
    expect(issues(MINIMAL.replace('name: port\n', 'name: app\n'))[0]).toBe(
      'parameters[1].name: is set by the conversation (app, namespace, replicas); pick another name',
    );
  });

  it('reports the first YAML syntax error with its line, and how to write placeholders in flow style', () => {
    const found = issues('name: x\ntitle: [unclosed\n');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatch(/line \d+/);
    expect(issues('name: x\nlabels: { app: ${app} }\n')[0]).toMatch(
      /line 2.*quote placeholders: '\$\{app\}'/,
    );
  });

  it('finds names that become invalid or too long with the longest app name', () => {
    const text = MINIMAL.replace(
      'kind: Deployment\n    metadata:\n      name: ${app}',
      'kind: Deployment\n    metadata:\n      name: ${app}-with-a-rather-long-suffix',
    );
    expect(issues(text)).toEqual([
      expect.stringMatching(
        /^objects\[0\]\.metadata\.name: with a 40-character app name it becomes "a{40}-with-a-rather-long-suffix", which must be a DNS-1123 label of at most 52 characters/,
      ),
    ]);
  });

  it('requires the exposed Service to be a NodePort with that port, and ${replicas} to be used', () => {
    expect(issues(MINIMAL.replace('type: NodePort', 'type: ClusterIP'))).toEqual([
      'expose.service: Service "${app}" must be of type NodePort (it is ClusterIP)',
    ]);
    expect(issues(MINIMAL.replace('  port: 80\nobjects', '  port: web\nobjects'))).toEqual([
      'expose.port: Service "${app}" has no port "web"',
    ]);
    expect(issues(MINIMAL.replace('replicas: ${replicas}', 'replicas: 1'))[0]).toContain(
      'nothing uses ${replicas}',
    );
  });

  it('substitutes inside nested values without touching keys', () => {
    expect(substituteAll({ a: ['x-${app}', { b: '${replicas}' }] }, { app: 'z', replicas: 3 })).toEqual({
      a: ['x-z', { b: 3 }],
    });
  });

  it('ships a valid WordPress template with its database', () => {
    const catalog = TemplateCatalog.load();
    const wp = catalog.get('wordpress');
    expect(wp?.title).toBe('WordPress');
    const app = renderApp(wp!, { app: 'blog', namespace: 'shop', replicas: 3 });
    expect(app.refs.map((r) => `${r.kind}/${r.name}`)).toEqual([
      'Secret/blog-db',
      'PersistentVolumeClaim/blog-db-data',
      'Deployment/blog-db',
      'Service/blog-db',
      'Deployment/blog',
      'Service/blog',
    ]);
    expect(app.secrets).toHaveLength(2);
    const secret = app.objects[0] as unknown as { stringData: Record<string, string> };
    expect(secret.stringData.password).toBe(app.secrets[0]);
    // The generated passwords appear only in the Secret.
    const elsewhere = JSON.stringify(app.objects.slice(1));
    for (const s of app.secrets) expect(elsewhere).not.toContain(s);
  });

  it('loads extra templates from a directory, replacing a shipped one of the same name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-templates-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'wordpress.yaml'),
      MINIMAL.replace('name: echo', 'name: wordpress').replace('title: Echo', 'title: Company WordPress'),
    );
    writeFileSync(join(dir, 'echo.yml'), MINIMAL);
    writeFileSync(join(dir, 'README.md'), 'not a template');
    const catalog = TemplateCatalog.load({ dir });
    expect(catalog.list().map((t) => t.title)).toEqual(['Company WordPress', 'Echo']);
    expect(catalog.get('echo')?.source).toBe(join(dir, 'echo.yml'));
  });

  it('refuses to start with a broken template file, naming the file and the path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lookout-templates-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'broken.yaml'), MINIMAL.replace('replicas: ${replicas}', 'replicas: ${replica}'));
    let error: unknown;
    try {
      TemplateCatalog.load({ dir, builtin: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(
      `${join(dir, 'broken.yaml')}: objects[0].spec.replicas: unknown parameter \${replica}`,
    );
    expect(() => TemplateCatalog.load({ dir: join(dir, 'missing'), builtin: false })).toThrow(/cannot read/);
  });
});
