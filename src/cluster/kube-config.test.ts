import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { KubeConfig, configImportsBarrel, kubeConfigLoading } from './kube-config.js';

const KUBECONFIG = `
apiVersion: v1
kind: Config
clusters:
  - name: sim
    cluster:
      server: https://127.0.0.1:6443
      insecure-skip-tls-verify: true
  - name: other
    cluster:
      server: https://other.example:443
users:
  - name: admin
    user:
      token: sim-token
contexts:
  - name: sim
    context:
      cluster: sim
      user: admin
      namespace: team-a
  - name: other
    context:
      cluster: other
      user: admin
current-context: sim
`;

describe('configImportsBarrel', () => {
  it('sees an import from the generated barrel', () => {
    expect(configImportsBarrel(`import { a } from './gen/index.js';`)).toBe(true);
    expect(configImportsBarrel(`import { a } from "./gen/index.js"`)).toBe(true);
    // client-node 1.4.0's own line, as published.
    expect(
      configImportsBarrel(
        `import { GoogleCloudPlatformAuth } from './gcp_auth.js';\nimport { createConfiguration, ServerConfiguration, } from './gen/index.js';\n`,
      ),
    ).toBe(true);
    expect(configImportsBarrel(`import {\n  createConfiguration,\n} from\n'./gen/index.js';`)).toBe(true);
  });

  it('does not see the patched imports (or other modules)', () => {
    expect(
      configImportsBarrel(
        `import { createConfiguration } from './gen/configuration.js';\nimport { ServerConfiguration } from './gen/servers.js';\n`,
      ),
    ).toBe(false);
    expect(configImportsBarrel(`import { a } from './gen/index.json';`)).toBe(false);
    expect(configImportsBarrel(`import { a } from './other/gen/index.js';`)).toBe(false);
    expect(configImportsBarrel('')).toBe(false);
  });
});

describe('kubeConfigLoading', () => {
  it('is "patched" in this checkout: npm ci applied patches/@kubernetes+client-node+1.4.0.patch', () => {
    const file = createRequire(import.meta.url).resolve('@kubernetes/client-node/dist/config.js');
    const source = readFileSync(file, 'utf8');
    expect(source).toContain(`from './gen/configuration.js'`);
    expect(configImportsBarrel(source)).toBe(false);
    expect(kubeConfigLoading).toBe('patched');
    // No resolution hook was registered.
    expect(
      (globalThis as Record<symbol, unknown>)[Symbol.for('lookout.clientNodeSlimConfig')],
    ).toBeUndefined();
  });
});

describe('KubeConfig', () => {
  it('loads a kubeconfig and answers its current context, cluster and user', () => {
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    expect(kc.getCurrentContext()).toBe('sim');
    expect(kc.getContextObject('sim')?.namespace).toBe('team-a');
    expect(kc.getCurrentCluster()).toMatchObject({
      name: 'sim',
      server: 'https://127.0.0.1:6443',
      skipTLSVerify: true,
    });
    expect(kc.getCurrentUser()).toMatchObject({ name: 'admin', token: 'sim-token' });
    kc.setCurrentContext('other');
    expect(kc.getCurrentCluster()?.server).toBe('https://other.example:443');
  });

  it('builds an API client configuration (the two names the patch imports directly)', () => {
    const kc = new KubeConfig();
    kc.loadFromString(KUBECONFIG);
    class Probe {
      constructor(
        readonly configuration: {
          baseServer: { makeRequestContext(path: string, method: never): { getUrl(): string } };
        },
      ) {}
    }
    const client = kc.makeApiClient(Probe);
    expect(client).toBeInstanceOf(Probe);
    expect(client.configuration.baseServer.makeRequestContext('/api/v1/pods', 'GET' as never).getUrl()).toBe(
      'https://127.0.0.1:6443/api/v1/pods',
    );
  });
});
