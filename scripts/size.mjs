#!/usr/bin/env node
// Size budgets of the built SDK (run `pnpm build` first). Gzip level 9, like a CDN.
// Fails (exit 1) when a budget is exceeded. `--write` also puts the table into
// packages/sdk/README.md between the size markers.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'packages/sdk/dist');
const README = join(ROOT, 'packages/sdk/README.md');
const KB = 1024;

const missing = ['tandem.esm.js', 'tandem.min.js', 'tandem-ui.js', 'snippet.min.js'].filter((f) => !existsSync(join(DIST, f)));
if (missing.length) {
  console.error(`size: missing ${missing.map((f) => `packages/sdk/dist/${f}`).join(', ')}; run \`pnpm build\` first`);
  process.exit(1);
}

const gzPath = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const gz = (file) => gzPath(join(DIST, file));

/** An ES module and every chunk it imports statically (not `import()`), as the browser loads them. */
function staticClosure(path, seen = new Set()) {
  const file = path.replace(/^\.\//, '');
  if (seen.has(file)) return seen;
  seen.add(file);
  const code = readFileSync(join(DIST, file), 'utf8');
  for (const m of code.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]*?from\s*)?["'](\.\/[^"']+)["']/g)) {
    staticClosure(m[1], seen);
  }
  return seen;
}

/** Everything `file` loads lazily with `import()`, and their own static imports. */
function lazyFiles(file) {
  const lazy = new Set();
  for (const f of staticClosure(file)) {
    const code = readFileSync(join(DIST, f), 'utf8');
    for (const m of code.matchAll(/\bimport\(\s*["'](\.\/[^"']+)["']\s*\)/g)) staticClosure(m[1], lazy);
  }
  return lazy;
}

const sum = (files) => [...files].reduce((n, f) => n + gz(f), 0);
const names = (files) => [...files].join(' + ');

const esmBase = staticClosure('tandem.esm.js');
const iifeBase = new Set(['tandem.min.js']);
const rows = [];
for (const [label, base] of [
  ['ESM', esmBase],
  ['IIFE', iifeBase],
]) {
  const lazy = lazyFiles([...base][0]);
  if (!lazy.has('tandem-ui.js')) {
    console.error(`size: ${[...base][0]} does not load tandem-ui.js lazily; the UI must stay out of the entry`);
    process.exit(1);
  }
  rows.push({ what: `${label}: page with no offer`, files: names(base), bytes: sum(base), budget: 8 * KB });
  const all = new Set([...base, ...lazy]);
  rows.push({ what: `${label}: page showing an offer`, files: names(all), bytes: sum(all), budget: 16 * KB });
}
rows.push({ what: 'Pre-load snippet', files: 'snippet.min.js', bytes: gz('snippet.min.js'), budget: KB });
rows.push({ what: 'UI chunk (Preact + hooks + widget)', files: 'tandem-ui.js', bytes: gz('tandem-ui.js'), budget: null });

// The growth console: what its first page loads (HTML's script closure + CSS), and
// everything including the attach page and uPlot that load on demand.
const CONSOLE = join(ROOT, 'packages/console/dist');
const consoleHtml = join(CONSOLE, 'index.html');
if (!existsSync(consoleHtml)) {
  console.error('size: missing packages/console/dist/index.html; run `pnpm build` first');
  process.exit(1);
}
{
  const html = readFileSync(consoleHtml, 'utf8');
  const asset = (href) => join(CONSOLE, href.replace(/^\/console\//, ''));
  const entry = html.match(/<script[^>]+src="([^"]+)"/)?.[1];
  const css = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)"/g)].map((m) => asset(m[1]));
  if (!entry) {
    console.error('size: packages/console/dist/index.html names no script');
    process.exit(1);
  }
  const closure = (path, seen, lazyToo) => {
    if (seen.has(path)) return seen;
    seen.add(path);
    const code = readFileSync(path, 'utf8');
    const re = lazyToo
      ? /(?:\bimport\(\s*|(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]*?from\s*)?)["'](\.\/[^"']+)["']/g
      : /(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{},\s]*?from\s*)?["'](\.\/[^"']+)["']/g;
    for (const m of code.matchAll(re)) closure(join(dirname(path), m[1]), seen, lazyToo);
    return seen;
  };
  const first = [...closure(asset(entry), new Set(), false), ...css];
  const all = [...closure(asset(entry), new Set(), true), ...css];
  const total = (paths) => paths.reduce((n, p) => n + gzPath(p), 0);
  rows.push({ what: 'Console: first load (JS + CSS)', files: `${first.length} files`, bytes: total(first), budget: 32 * KB });
  rows.push({ what: 'Console: everything (+ attach page, uPlot)', files: `${all.length} files`, bytes: total(all), budget: 60 * KB });
}

const PEERS = [
  ['GrowthBook JS SDK, ESM, no UI', '~15.5 KB'],
  ['Segment analytics.js', '~31 KB'],
  ['PostHog main bundle (+ surveys)', '~122 KB (+ 49 KB)'],
];

const kb = (n) => `${(n / KB).toFixed(2)} KB`;
const table = [
  '| what (gzip -9) | files | size | budget |',
  '| --- | --- | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.what} | ${r.files} | ${kb(r.bytes)} | ${r.budget === null ? '—' : `${r.bytes > r.budget ? '**over** ' : ''}≤ ${kb(r.budget)}`} |`,
  ),
  ...PEERS.map(([what, size]) => `| *peer:* ${what} | | ${size} | |`),
].join('\n');

console.log(table);
const over = rows.filter((r) => r.budget !== null && r.bytes > r.budget);
for (const r of over) console.error(`size: ${r.what} is ${kb(r.bytes)}, over its ${kb(r.budget)} budget (${r.files})`);

if (process.argv.includes('--write')) {
  const START = '<!-- size:start -->';
  const END = '<!-- size:end -->';
  const text = existsSync(README) ? readFileSync(README, 'utf8') : '';
  const at = text.indexOf(START);
  const end = text.indexOf(END);
  if (at < 0 || end < at) {
    console.error(`size: ${README} has no ${START} … ${END} markers; nothing written`);
    process.exit(1);
  }
  writeFileSync(README, `${text.slice(0, at + START.length)}\n${table}\n${text.slice(end)}`);
  console.log(`size: figures written to ${README}`);
}

process.exit(over.length ? 1 : 0);
