// One build for everything shipped from this repo. Each element of the exported array is
// one rollup build; add new ones (the console, …) to it at the bottom.
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import replace from '@rollup/plugin-replace';
import terser from '@rollup/plugin-terser';
import { dts } from 'rollup-plugin-dts';
import esbuild from 'rollup-plugin-esbuild';
import consoleConfigs from './packages/console/rollup.part.js';

const ROOT = dirname(fileURLToPath(import.meta.url));
const SDK = resolvePath(ROOT, 'packages/sdk');
const DIST = `${SDK}/dist`;
/** The lazily imported UI. Both SDK builds load it as the separate ES module `tandem-ui.js`. */
const UI_ENTRY = `${SDK}/src/ui/render.ts`;
const UI_FILE = './tandem-ui.js';

const ts = () => [
  // Browsers have no `process`: nanostores (and others) check NODE_ENV for dev-only helpers.
  replace({ preventAssignment: true, values: { 'process.env.NODE_ENV': JSON.stringify('production') } }),
  nodeResolve({ extensions: ['.ts', '.tsx', '.mjs', '.js'] }),
  esbuild({ target: 'es2020', jsx: 'automatic', jsxImportSource: 'preact', tsconfig: `${SDK}/tsconfig.json` }),
];

const min = (module) =>
  terser({
    ecma: 2020,
    module,
    compress: { passes: 2 },
    format: { comments: false },
  });

/**
 * The engine's `import('./ui/render.ts')` stays a real dynamic import of `./tandem-ui.js`,
 * resolved next to the bundle (script-tag.ts points it at the URL beside its own <script>):
 * a page that shows no offer never downloads Preact or the UI, in the ESM build and in the
 * IIFE alike (an IIFE cannot code-split, but classic scripts may use `import()`).
 */
const lazyUi = {
  external: (id, importer) => Boolean(importer) && id.startsWith('.') && resolvePath(dirname(importer), id) === UI_ENTRY,
  paths: (id) => (id === UI_ENTRY ? UI_FILE : id),
};

const sdkConfigs = [
  // The UI chunk: Preact + hooks + the widget, one ES module shared by both SDK builds.
  {
    input: UI_ENTRY,
    plugins: ts(),
    output: { file: `${DIST}/tandem-ui.js`, format: 'es', sourcemap: true, plugins: [min(true)] },
  },
  // npm: `import { init } from '@tandem/sdk'`.
  {
    input: `${SDK}/src/index.ts`,
    external: lazyUi.external,
    plugins: ts(),
    output: { file: `${DIST}/tandem.esm.js`, format: 'es', sourcemap: true, paths: lazyUi.paths, plugins: [min(true)] },
  },
  // Script tag: one global, readable and minified.
  {
    input: `${SDK}/src/script-tag.ts`,
    external: lazyUi.external,
    plugins: ts(),
    output: [
      { file: `${DIST}/tandem.js`, format: 'iife', paths: lazyUi.paths },
      { file: `${DIST}/tandem.min.js`, format: 'iife', sourcemap: true, paths: lazyUi.paths, plugins: [min(false)] },
    ],
  },
  // Public types in one file; @tandem/core is private, so its types are inlined.
  {
    input: `${SDK}/src/index.ts`,
    plugins: [dts({ tsconfig: `${SDK}/tsconfig.json`, respectExternal: true })],
    external: (id) => /^(preact|nanostores)(\/|$)/.test(id),
    output: { file: `${DIST}/index.d.ts`, format: 'es' },
  },
  // The pre-load snippet pasted into pages (≤ 1 KB): minified only.
  {
    input: `${SDK}/snippet/snippet.js`,
    // No imports or exports: `es` output is a plain script, without a second IIFE wrapper.
    output: { file: `${DIST}/snippet.min.js`, format: 'es', plugins: [min(false)] },
  },
];

// The console (and anything else built from this repo) joins this array.
export default [...sdkConfigs, ...consoleConfigs];
