// The V8 flags Lookout runs with in production: the ones on the `lookout` launcher's shebang line
// (bin/lookout.js). Benchmarks that start a Lookout process pass them too, so that they measure
// what users run.
import { readFileSync } from 'node:fs';

const LAUNCHER = new URL('../../bin/lookout.js', import.meta.url);

/** The flags after `node` on bin/lookout.js's first line (`#!/usr/bin/env -S node …`). */
export function launcherNodeFlags(source = readFileSync(LAUNCHER, 'utf8')): string[] {
  const shebang = source.split('\n', 1)[0] ?? '';
  const words = shebang.replace(/^#!/, '').trim().split(/\s+/);
  const node = words.indexOf('node');
  return node < 0 ? [] : words.slice(node + 1);
}
