// Bundles the CLI into one ESM file: one file to read and parse instead of ~80 modules saves
// tens of milliseconds on every berth command. better-sqlite3 stays outside (native addon).
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outfile: 'build/berth.mjs',
  external: ['better-sqlite3'],
  // CommonJS dependencies (tar-stream, yaml) call require() for node builtins.
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  logLevel: 'warning',
});
