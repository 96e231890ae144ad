/**
 * The console's part of the root rollup config (spread into its exported array):
 * ESM, code-split (the attach page and uPlot load on demand), minified, with
 * content-hashed file names and an index.html that points at them.
 * Output: packages/console/dist/{index.html, assets/*}.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import nodeResolve from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));
const require = createRequire(import.meta.url);

function minifyCss(css) {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{}:;,>])\s*/g, '$1')
    .replace(/;}/g, '}')
    .trim();
}

/** Emits the stylesheet (ours + uPlot's) and index.html naming the hashed files. */
function consolePage() {
  const css = here('./src/styles.css');
  const html = here('./src/index.html');
  return {
    name: 'tandem-console-page',
    buildStart() {
      // Hashed names change every build: start from an empty folder so stale files do not pile up.
      rmSync(here('./dist'), { recursive: true, force: true });
      this.addWatchFile(css);
      this.addWatchFile(html);
    },
    generateBundle(_options, bundle) {
      const source = minifyCss(readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8') + readFileSync(css, 'utf8'));
      const cssName = `assets/console-${createHash('sha256').update(source).digest('hex').slice(0, 8)}.css`;
      this.emitFile({ type: 'asset', fileName: cssName, source });
      const entry = Object.values(bundle).find((f) => f.type === 'chunk' && f.isEntry);
      const page = readFileSync(html, 'utf8')
        .replace('/console/assets/console.css', `/console/${cssName}`)
        .replace('/console/assets/console.js', `/console/${entry.fileName}`);
      this.emitFile({ type: 'asset', fileName: 'index.html', source: page });
    },
  };
}

/** @type {import('rollup').RollupOptions[]} */
export default [
  {
    input: here('./src/main.tsx'),
    output: {
      dir: here('./dist'),
      format: 'es',
      entryFileNames: 'assets/console-[hash].js',
      chunkFileNames: 'assets/[name]-[hash].js',
      sourcemap: false,
    },
    plugins: [
      // Browsers have no `process`: nanostores checks NODE_ENV for dev-only helpers.
      replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
      nodeResolve({ browser: true, extensions: ['.mjs', '.js', '.ts', '.tsx'] }),
      esbuild({ include: /\.[jt]sx?$/, target: 'es2022', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: here('./tsconfig.json') }),
      terser({ ecma: 2020, module: true, compress: { passes: 2 }, format: { comments: false } }),
      consolePage(),
    ],
  },
];
