// The lint catches what it is there for: eslint.config.js is run, through ESLint's Node API, on a
// small tree of offending files made in a temporary directory, and must report exactly the rules
// each file breaks, naming the import; a clean file gets nothing. Then the layer table is held
// to the tree: every folder of src/ has a row, and every entry of the temporary allow-list is
// still needed, so that the list empties as the fixes land.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';

// build/test/lint.test.js → the repository.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface LintConfigModule {
  LAYERS: Record<string, string[]>;
  KNOWN_VIOLATIONS: Record<string, string[]>;
  layerRule(layer: string, extra?: string[]): Linter.RuleEntry;
  importSettings: Record<string, unknown>;
}
const config = (await import(pathToFileURL(join(ROOT, 'eslint.config.js')).href)) as LintConfigModule;

const FIXTURE: Record<string, string> = {
  'src/sys/exec.ts': 'export function run(argv: string[]): number { return argv.length; }\n',
  'src/engine/index.ts': 'export function createEngine(): { ok: boolean } { return { ok: true }; }\n',
  'src/engine/context.ts': 'export const ROOT = "/var/lib/berth";\n',
  // A front reaching below the engine, statically and through a lazy import.
  'src/cli/layer.ts': "import { run } from '../sys/exec.js';\nexport const n = run(['true']);\n",
  'src/cli/lazy.ts': "export async function load(): Promise<number> {\n  const { run } = await import('../sys/exec.js');\n  return run([]);\n}\n",
  // A front reaching into the engine past its interface.
  'src/cli/internals.ts': "import { ROOT } from '../engine/context.js';\nexport const root = ROOT;\n",
  // A promise nobody awaits: the process may exit before it settles, and its error is lost.
  'src/engine/floating.ts': 'async function stop(): Promise<void> {\n  await Promise.resolve();\n}\nexport function stopAll(): void {\n  stop();\n}\n',
  'src/engine/spawn.ts': "import { spawnSync } from 'node:child_process';\nexport const r = spawnSync('true');\n",
  'src/engine/spawn-lazy.ts':
    "export async function sh(): Promise<unknown> {\n  const cp = await import('node:child_process');\n  return cp.spawnSync('true');\n}\n",
  'src/common/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
  'src/common/b.ts': "import { a } from './a.js';\nexport const b = (): number => (a.length > 0 ? 1 : 0);\n",
  'src/cli/clean.ts':
    "import { createEngine } from '../engine/index.js';\nexport async function main(): Promise<boolean> {\n  await Promise.resolve();\n  return createEngine().ok;\n}\n",
};

async function lintFixture(): Promise<Map<string, Linter.LintMessage[]>> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-lint-'));
  try {
    for (const [rel, text] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    copyFileSync(join(ROOT, 'eslint.config.js'), join(dir, 'eslint.config.js'));
    copyFileSync(join(ROOT, 'tsconfig.json'), join(dir, 'tsconfig.json'));
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const eslint = new ESLint({ cwd: dir });
    const results = await eslint.lintFiles(['src']);
    return new Map(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the lint reports each offence with its rule, and nothing on a clean file', async () => {
  const found = await lintFixture();
  const rules = (f: string): string[] => (found.get(f) ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`).sort();
  const text = (f: string): string => (found.get(f) ?? []).map((m) => m.message).join('\n');

  assert.deepEqual(rules('src/cli/layer.ts'), ['import-x/no-restricted-paths']);
  assert.match(text('src/cli/layer.ts'), /"\.\.\/sys\/exec\.js".*cli\/ may not import sys\//);
  assert.deepEqual(rules('src/cli/lazy.ts'), ['import-x/no-restricted-paths'], 'a dynamic import() is seen too');
  assert.match(text('src/cli/lazy.ts'), /"\.\.\/sys\/exec\.js"/);
  assert.deepEqual(rules('src/cli/internals.ts'), ['import-x/no-restricted-paths']);
  assert.match(text('src/cli/internals.ts'), /"\.\.\/engine\/context\.js".*cli\/ may import from engine\/ only index\.ts and types\.ts/);
  assert.deepEqual(rules('src/engine/floating.ts'), ['@typescript-eslint/no-floating-promises']);
  assert.deepEqual(rules('src/engine/spawn.ts'), ['no-restricted-imports']);
  assert.match(text('src/engine/spawn.ts'), /node:child_process.*src\/sys\//);
  assert.deepEqual(rules('src/engine/spawn-lazy.ts'), ['no-restricted-syntax'], 'and through import()');
  assert.match(text('src/engine/spawn-lazy.ts'), /src\/sys\//);
  assert.deepEqual(rules('src/common/a.ts'), ['import-x/no-cycle']);
  assert.deepEqual(rules('src/common/b.ts'), ['import-x/no-cycle']);
  for (const f of ['src/cli/clean.ts', 'src/sys/exec.ts', 'src/engine/index.ts', 'src/engine/context.ts']) assert.deepEqual(rules(f), [], f);
});

test('every folder of src/ has a row in the layer table', () => {
  const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
  assert.deepEqual(folders.filter((f) => !(f in config.LAYERS)), []);
});

// Only the layer rule, without type information, so that this takes a second, not the whole lint.
test('every entry of the layer allow-list is still needed', async () => {
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfigFile: true,
    overrideConfig: Object.keys(config.LAYERS).map((layer) => ({
      files: [`src/${layer}/**/*.ts`],
      languageOptions: { parser: tseslint.parser, parserOptions: { tsconfigRootDir: ROOT } },
      plugins: { 'import-x': importX },
      settings: config.importSettings,
      rules: { 'import-x/no-restricted-paths': config.layerRule(layer) },
    })),
  });
  const stale: string[] = [];
  for (const [pattern, extra] of Object.entries(config.KNOWN_VIOLATIONS)) {
    const files = ['build', 'builder'].map((b) => pattern.replace('{build,builder}', b)).filter((f, i, all) =>
      all.indexOf(f) === i && existsSync(join(ROOT, f))
    );
    if (files.length === 0) {
      stale.push(`${pattern}: no such file`);
      continue;
    }
    const messages = (await eslint.lintFiles(files)).flatMap((r) => r.messages).map((m) => m.message).join('\n');
    for (const e of extra) {
      // A part is named in the message ("may not import state/"), a file in its import path.
      const sign = e.includes('/') ? `${e.replace(/\.ts$/, '.js')}"` : `may not import ${e}/`;
      if (!messages.includes(sign)) stale.push(`${pattern}: ${e} is no longer imported: delete it from KNOWN_VIOLATIONS`);
    }
  }
  assert.deepEqual(stale, []);
});
