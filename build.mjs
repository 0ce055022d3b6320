// Bundles the CLI into CommonJS files, build/bundle/berth.cjs (and berth-full.cjs, below), which
// bin/berth.cjs runs with a V8 code cache per verb. One file with a cache beats an ESM entry with chunks loaded per command:
// ESM resolution and compilation were a third of a short command's time (see bench/RESULTS.md).
// Each command's modules are still initialised only when it runs (esbuild keeps the lazy
// import()s as lazy initialisers).
import { build } from 'esbuild';
import { copyFileSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

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
// Two bundles of the CLI. Every command reads and compiles its whole bundle (V8 needs the source
// even with a code cache), so the short ones run berth.cjs, which leaves out the large commands:
// the API server and dashboard, compose (and yaml), kube, the builder. berth-full.cjs is the
// whole CLI; bin/berth.cjs runs it for those verbs (full-verbs.json, written here), and
// berth.cjs's stand-ins for the left-out modules load it for any other way in (`help compose`,
// completion's flag tables). The two never share a module, so nothing that crosses from one to
// the other is known by its class: errors and help requests carry a mark (common/errors.ts).
const FULL_ONLY = ['compose', 'serve', 'kube', 'build'];
const cli = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
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
};
const mainSource = readFileSync('src/cli/main.ts', 'utf8');
/** The handlers main.ts takes from each left-out module, and the verbs that load them. */
const used = new Map(FULL_ONLY.map((m) => [m, { names: new Set(), verbs: [] }]));
for (const [, verb, mod, name] of mainSource.matchAll(/^ {2}'?([a-z_ -]+)'?: async \(\) => \(await import\('\.\/commands\/([a-z-]+)\.js'\)\)\.(\w+),$/gm)) {
  const u = used.get(mod);
  if (u) u.names.add(name), u.verbs.push(verb);
}
for (const [mod, u] of used) if (u.names.size === 0) throw new Error(`build.mjs: main.ts no longer loads commands/${mod}.js as expected`);

await build({
  ...cli,
  // The left-out modules, imported lazily by the full bundle's stand-ins below.
  stdin: {
    contents: "export { main } from './main.ts';\nexport const fullOnly = {\n"
      + FULL_ONLY.map((m) => `  ${JSON.stringify(m)}: () => import('./commands/${m}.ts'),\n`).join('') + '};\n',
    resolveDir: 'src/cli',
    sourcefile: 'full-entry.ts',
    loader: 'ts',
  },
  outfile: 'build/bundle/berth-full.cjs',
});
await build({
  ...cli,
  entryPoints: { berth: 'src/cli/main.ts' },
  outfile: 'build/bundle/berth.cjs',
  plugins: [{
    name: 'full-only',
    setup(b) {
      const filter = new RegExp(`^\\./commands/(${FULL_ONLY.join('|')})\\.js$`);
      b.onResolve({ filter }, (a) => (a.importer.endsWith('src/cli/main.ts') ? { path: filter.exec(a.path)[1], namespace: 'full-only' } : undefined));
      // Each handler runs the same handler of the full bundle, with the same context.
      b.onLoad({ filter: /.*/, namespace: 'full-only' }, (a) => ({
        loader: 'js',
        contents: "const full = () => require(require('node:path').join(__dirname, 'berth-full.cjs'));\n"
          + [...used.get(a.path).names].map((n) => `export const ${n} = async (c) => (await full().fullOnly[${JSON.stringify(a.path)}]()).${n}(c);\n`).join(''),
      }));
    },
  }],
});
writeFileSync('build/bundle/full-verbs.json',
  `${JSON.stringify([...[...used.values()].flatMap((u) => u.verbs), 'completion'].map((v) => v.replace(/ /g, '-')))}\n`);

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
