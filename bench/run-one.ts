// Runs one benchmark module by name and prints its results (for development).
const name = process.argv[2];
const mod = (await import(`./${name}.js`)) as Record<string, () => Promise<unknown>>;
const fn = Object.values(mod).find((f) => typeof f === 'function');
console.log(JSON.stringify(await fn!(), null, 2));
process.exit(0);
