// Runs one benchmark function in this process: `npx tsx bench/run-one.ts <module> <function>`.
// Prints its results as JSON; with LOOKOUT_BENCH_OUT set, also writes them to that file (how
// `npm run bench` collects each benchmark from its own process).
import { writeFileSync } from 'node:fs';

const [name, fn] = process.argv.slice(2);
const mod = (await import(`./${name}.js`)) as Record<string, () => Promise<unknown>>;
const run = fn ? mod[fn] : Object.values(mod).find((f) => typeof f === 'function');
if (!run) throw new Error(`no function ${fn ?? ''} in ${name}`);
const result = await run();
const json = JSON.stringify(result, null, 2);
if (process.env.LOOKOUT_BENCH_OUT) writeFileSync(process.env.LOOKOUT_BENCH_OUT, json);
console.log(json);
process.exit(0);
