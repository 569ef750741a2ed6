#!/usr/bin/env -S node --max-semi-space-size=8
// Runs the compiled CLI; in a source checkout without a build, runs the TypeScript via tsx.
//
// --max-semi-space-size=8 (MiB) caps V8's young generation at 16 MiB instead of 32. Lookout
// keeps its state in long-lived objects and allocates in short bursts (a list page, a batch of
// events); the default young generation, once grown during the first sync of a big cluster, stays
// resident for good. Measured while watching 10,000 pods: about 15 MiB less resident memory,
// the first sync a few percent slower (docs/benchmarks.md). Starting Lookout another way
// (`node dist/cli/index.js`), pass the same flag to keep the same footprint.
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/index.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(new URL('../src/cli/index.ts', import.meta.url).href);
}
