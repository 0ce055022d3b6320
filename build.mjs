// Bundles the CLI: one ESM entry plus chunks that each command loads on demand, so `ps` never
// reads the compose, image or network code. Fewer, smaller files to read and compile saves tens
// of milliseconds on every berth command. better-sqlite3 stays outside (native addon).
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

rmSync('build/bundle', { recursive: true, force: true });
await build({
  entryPoints: { berth: 'src/cli/main.ts' },
  bundle: true,
  splitting: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outdir: 'build/bundle',
  chunkNames: 'chunks/[name]-[hash]',
  external: ['better-sqlite3'],
  minifySyntax: true,
  minifyWhitespace: true,
  // CommonJS dependencies (tar-stream, yaml) call require() for node builtins.
  banner: { js: "import { createRequire as __berthRequire } from 'node:module'; const require = __berthRequire(import.meta.url);" },
  logLevel: 'warning',
});
