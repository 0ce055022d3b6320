// Bundles the CLI into one CommonJS file, build/bundle/berth.cjs, which bin/berth.cjs runs with a
// V8 code cache per verb. One file with a cache beats an ESM entry with chunks loaded per command:
// ESM resolution and compilation were a third of a short command's time (see bench/RESULTS.md).
// Each command's modules are still initialised only when it runs (esbuild keeps the lazy
// import()s as lazy initialisers).
import { build } from 'esbuild';
import { copyFileSync, renameSync, rmSync } from 'node:fs';

rmSync('build/bundle', { recursive: true, force: true });
// The layer unpacker's worker thread (storage/unpack-pool.ts) is a file of its own beside the bundle.
await build({
  entryPoints: { 'unpack-worker': 'src/storage/unpack-worker.ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'build/bundle/unpack-worker.cjs',
  minifySyntax: true,
  minifyWhitespace: true,
  define: { 'import.meta.url': '__berthUrl' },
  banner: { js: "var __berthUrl = require('node:url').pathToFileURL(__filename).href;" },
  logLevel: 'warning',
});
await build({
  entryPoints: { berth: 'src/cli/main.ts' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'build/bundle/berth.cjs',
  // better-sqlite3's JavaScript is bundled too (its native addon is loaded by path, see state/db.ts).
  minifySyntax: true,
  minifyWhitespace: true,
  // The sources are ESM; import.meta.url is the bundle's own URL here.
  define: { 'import.meta.url': '__berthUrl' },
  banner: { js: "var __berthUrl = require('node:url').pathToFileURL(__filename).href;" },
  // kubernetes-models is large and only kube verbs use it: loaded from node_modules when they
  // run, so that the bundle every command compiles stays its size.
  // ws's optional native speed-ups (bufferutil, utf-8-validate) are not installed: ws falls back
  // to its own JavaScript when requiring them fails.
  external: ['kubernetes-models', 'kubernetes-models/*', 'node-unix-socket', 'bufferutil', 'utf-8-validate'],
  logLevel: 'warning',
});

// The dashboard of `berth serve --ui`: browser code and styles, files berth serves itself (never
// from elsewhere). Not part of the CLI bundle: only `serve --ui` reads them.
rmSync('build/ui', { recursive: true, force: true });
await build({
  entryPoints: { app: 'src/ui/web/main.ts', 'app-css': 'src/ui/web/app.css' },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  target: 'es2022',
  outdir: 'build/ui',
  // The terminal (xterm.js, four times the rest) is a chunk of its own, loaded when a shell is
  // opened: the first paint of every page does not wait for it.
  splitting: true,
  chunkNames: '[name]-[hash]',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
renameSync('build/ui/app-css.css', 'build/ui/app.css');
copyFileSync('src/ui/web/index.html', 'build/ui/index.html');
