// `pnpm bench <name>` runs bench/<name>.ts; with no name it lists them.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const names = readdirSync(import.meta.dirname).filter((f) => f.endsWith('.ts') && f !== 'run.ts').map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !names.includes(name)) {
  console.log(`usage: pnpm bench <${names.join('|')}> [options]`);
  process.exit(name ? 1 : 0);
}
process.argv.splice(2, 1);
await import(resolve(import.meta.dirname, `${name}.ts`));
