// The kubeconfig that points kubectl and client-node at the simulated API server: one cluster,
// one user (bearer token when the server wants one), one context, CA data for HTTPS.
import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly server: string;
  readonly token?: string | undefined;
  readonly caCert?: string | undefined;
  readonly context?: string | undefined;
  readonly namespace?: string | undefined;
}

export function buildKubeconfig(input: KubeconfigInput): string {
  const name = input.context ?? 'lookout-sim';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: input.server,
          // client-node refuses a plain-HTTP server unless TLS checks are declared off; kubectl
          // does not mind. With HTTPS the generated CA is given instead.
          ...(input.caCert
            ? { 'certificate-authority-data': Buffer.from(input.caCert).toString('base64') }
            : { 'insecure-skip-tls-verify': true }),
        },
      },
    ],
    users: [{ name, user: input.token ? { token: input.token } : {} }],
    contexts: [
      {
        name,
        context: { cluster: name, user: name, ...(input.namespace ? { namespace: input.namespace } : {}) },
      },
    ],
    'current-context': name,
    preferences: {},
  });
}
