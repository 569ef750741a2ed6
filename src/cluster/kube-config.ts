// @kubernetes/client-node's own KubeConfig (kubeconfig files, contexts, in-cluster credentials,
// TLS and auth providers), loaded without the package's generated API and model barrel.
//
// Why: client-node 1.4 has no `exports` map that would offer a narrower entry, and its
// `dist/config.js` imports `createConfiguration` and `ServerConfiguration` from `./gen/index.js`,
// which re-exports every generated model and API class (~2,500 modules, about 40 MiB of RSS
// for source text, module records and classes Lookout never uses: it only needs KubeConfig).
//
// How, in order of preference:
// 1. `patches/@kubernetes+client-node+1.4.0.patch`, applied by patch-package after every
//    `npm install`/`npm ci` (the `postinstall` script), makes config.js import the two names
//    from `./gen/configuration.js` and `./gen/servers.js` directly. Nothing else is needed then.
// 2. Where the patch is not applied (an install without dev dependencies, or as a dependency of
//    another package, or a client-node update the patch no longer fits), a module resolution
//    hook (node:module `register`) points that one import, and only when it comes from
//    `dist/config.js`, at a module re-exporting the same two names. client-node's code runs
//    unchanged either way. The hook works everywhere but runs in a thread of its own, with its
//    own V8 heap: about 10 MiB of resident memory for as long as the process runs, which is
//    why the patch comes first.
// Whoever imports the package index (tests, typed API clients) still gets the whole package.
// If a client-node update imports more names in config.js, linking fails at startup (and in
// the tests) with "does not provide an export named …": update the patch and SLIM_EXPORTS.
import { readFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import type { KubeConfig as ClientNodeKubeConfig } from '@kubernetes/client-node';

const CONFIG_MODULE = '@kubernetes/client-node/dist/config.js';

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

/** Whether client-node's config.js (as installed) imports the generated barrel. */
export function configImportsBarrel(source: string): boolean {
  return /\bfrom\s*['"]\.\/gen\/index\.js['"]/.test(source);
}

function installedConfigImportsBarrel(): boolean {
  try {
    const file = createRequire(import.meta.url).resolve(CONFIG_MODULE);
    return configImportsBarrel(readFileSync(file, 'utf8'));
  } catch {
    return true; // cannot tell: take the safe way
  }
}

/**
 * How client-node's config.js was kept from loading the barrel in this process: `patched`
 * (the installed file imports the two modules directly) or `hook` (a resolution hook).
 */
export const kubeConfigLoading: 'patched' | 'hook' = installedConfigImportsBarrel() ? 'hook' : 'patched';

// Register once per process, even when this module is evaluated again (test isolation).
const REGISTERED = Symbol.for('lookout.clientNodeSlimConfig');
const flags = globalThis as { [REGISTERED]?: boolean };
if (kubeConfigLoading === 'hook' && !flags[REGISTERED]) {
  register(`data:text/javascript,${encodeURIComponent(HOOKS)}`);
  flags[REGISTERED] = true;
}

const loaded = await import('@kubernetes/client-node/dist/config.js');

/** client-node's KubeConfig class (the same class the package index exports). */
export const KubeConfig: typeof ClientNodeKubeConfig = loaded.KubeConfig;
export type KubeConfig = ClientNodeKubeConfig;
