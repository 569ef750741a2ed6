// Runs one benchmark function for development: `npx tsx bench/run-one.ts <module> <function>`.
const [name, fn] = process.argv.slice(2);
const mod = (await import(`./${name}.js`)) as Record<string, () => Promise<unknown>>;
const run = fn ? mod[fn] : Object.values(mod).find((f) => typeof f === 'function');
if (!run) throw new Error(`no function ${fn ?? ''} in ${name}`);
console.log(JSON.stringify(await run(), null, 2));
process.exit(0);
