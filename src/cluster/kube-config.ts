// @kubernetes/client-node's own KubeConfig (kubeconfig files, contexts, in-cluster credentials,
// TLS and auth providers), loaded without the package's generated API and model barrel.
//
// Why: client-node 1.4 has no `exports` map that would offer a narrower entry, and its
// `dist/config.js` imports `createConfiguration` and `ServerConfiguration` from `./gen/index.js`,
// which re-exports every generated model and API class (~2,500 modules, about 40 MiB of RSS
// for source text, module records and classes Lookout never uses: it only needs KubeConfig).
// A module resolution hook (node:module `register`) points that one import, and only when it
// comes from `dist/config.js`, at a module re-exporting the two names from client-node's own
// `gen/configuration.js` and `gen/servers.js`. client-node's code runs unchanged; the hooks
// thread costs about 12 MiB, far less than the barrel. Whoever imports the package index
// (tests, typed API clients) still gets the whole package, with the same KubeConfig class.
// If a client-node update imports more names in config.js, linking fails at startup (and in
// the tests) with "does not provide an export named …": extend SLIM_EXPORTS then.
import { register } from 'node:module';
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';

/** What `dist/config.js` imports from `./gen/index.js`, and the gen module that defines it. */
const SLIM_EXPORTS: Readonly<Record<string, string>> = {
  createConfiguration: './gen/configuration.js',
  ServerConfiguration: './gen/servers.js',
};

// Runs in Node's hooks thread: a self-contained module, so it needs no file of its own
// (and works the same from dist/ and under tsx or vitest).
const HOOKS = `
const EXPORTS = ${JSON.stringify(SLIM_EXPORTS)};
export async function resolve(specifier, context, next) {
  const parent = context.parentURL;
  if (specifier === './gen/index.js' && parent && parent.endsWith('/@kubernetes/client-node/dist/config.js')) {
    const lines = Object.entries(EXPORTS).map(
      ([name, file]) => 'export { ' + name + ' } from ' + JSON.stringify(new URL(file, parent).href) + ';',
    );
    return { url: 'data:text/javascript,' + encodeURIComponent(lines.join('\\n')), shortCircuit: true };
  }
  return next(specifier, context);
}
`;

// Register once per process, even when this module is evaluated again (test isolation).
const REGISTERED = Symbol.for('lookout.clientNodeSlimConfig');
const flags = globalThis as { [REGISTERED]?: boolean };
if (!flags[REGISTERED]) {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  flags[REGISTERED] = true;
}

const loaded = await import('@kubernetes/client-node/dist/config.js');

/** client-node's KubeConfig class (the same class the package index exports). */
export const KubeConfig: typeof ClientNodeKubeConfig = loaded.KubeConfig;
export type KubeConfig = ClientNodeKubeConfig;
