// berth's lint: typescript-eslint's type-checked rules, the layer rule of docs/ARCHITECTURE.md,
// no import cycles, and programs started only from src/sys/. `make lint` runs it over src/ and
// test/; test/lint.test.ts checks that it catches what it is meant to catch.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

// Who may import whom, by folder under src/. A part absent from a list is forbidden to it. The

const FRONT_ONLY_ENGINE = ['engine/index.ts', 'engine/types.ts'];
export const LAYERS = {
  // `berth serve` is a CLI verb that runs the API server.
  cli: ['api', 'ui', 'compose', 'builder', 'kube', 'common', ...FRONT_ONLY_ENGINE],
  // The dashboard of `berth serve --ui`: a front beside the API, sharing its error replies, and
  // running compose's up, down and scale for its Stacks page as the CLI does.
  ui: ['api', 'compose', 'common', ...FRONT_ONLY_ENGINE],
  api: ['compose', 'builder', 'kube', 'common', ...FRONT_ONLY_ENGINE],
  kube: ['compose', 'builder', 'common', ...FRONT_ONLY_ENGINE],
  compose: ['builder', 'common', ...FRONT_ONLY_ENGINE],
  builder: ['common', ...FRONT_ONLY_ENGINE],
  engine: ['image', 'storage', 'runtime', 'network', 'state', 'sys', 'common'],
  image: ['sys', 'common'],
  storage: ['sys', 'common'],
  runtime: ['sys', 'common'],
  network: ['sys', 'common'],
  state: ['sys', 'common'],
  sys: ['common'],
  common: [],
};

// TEMPORARY: imports that break the layer rule today and are being removed by the engine work of
// issue 12. One entry a file, naming what that file may still reach (a part, or one file of a
// part). Delete an entry when its file is fixed; the list is meant to end empty.
export const KNOWN_VIOLATIONS = {};

// One zone a forbidden (importer part, imported part) pair, so that the message names both.
function zonesFor(layer, allowed) {
  const zones = [];
  for (const other of Object.keys(LAYERS)) {
    if (other === layer || allowed.includes(other)) continue;
    const files = allowed.filter((a) => a.startsWith(`${other}/`)).map((a) => `./${a.slice(other.length + 1)}`);
    zones.push({
      target: `./src/${layer}`,
      from: `./src/${other}`,
      ...(files.length > 0 ? { except: files } : {}),
      message: files.length > 0
        ? `${layer}/ may import from ${other}/ only ${files.map((f) => f.slice(2)).join(' and ')} (the layer rule, in eslint.config.js).`
        : `${layer}/ may not import ${other}/ (the layer rule, in eslint.config.js).`,
    });
  }
  return zones;
}

export function layerRule(layer, extra = []) {
  // basePath: the zones are folders of this repository, wherever eslint is started from.
  return ['error', { basePath: import.meta.dirname, zones: zonesFor(layer, [...LAYERS[layer], ...extra]) }];
}

// Imports are written './x.js' and resolved to './x.ts' as tsc does; no-cycle parses the files it
// follows with typescript-eslint's parser.
export const importSettings = {
  'import-x/extensions': ['.ts', '.js'],
  'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
  'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${import.meta.dirname}/tsconfig.json` })],
};

const SRC_TS = ['src/**/*.ts'];
const TESTS = ['src/**/*.test.ts'];

export default tseslint.config(
  { ignores: ['build/**', 'node_modules/**', 'images/out/**', 'bench/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: importSettings,
    rules: {
      // node:test's test() and describe() return a promise that the runner itself awaits and reports;
      // a subtest (t.test) is still caught, since it must be awaited.
      '@typescript-eslint/no-floating-promises': ['error', {
        allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }],
      }],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      // Off: it flags functions async on purpose (the CLI's lazy loaders, a done() that an
      // interface wants as a promise). Dropped and misused promises are the rules above.
      '@typescript-eslint/require-await': 'off',
      // A leading underscore marks a binding kept on purpose (a skipped tuple slot, a rest sibling).
      '@typescript-eslint/no-unused-vars': ['error', {
        argsIgnorePattern: '^_',
        varsIgnorePattern: '^_',
        destructuredArrayIgnorePattern: '^_',
        ignoreRestSiblings: true,
      }],
      // Type-only cycles vanish at compile time; a value cycle means an order of initialisation.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  // Tests read JSON that berth printed (ps, inspect, compose config): typing every document would
  // add nothing, since a document of the wrong shape fails the assertion that reads it.
  {
    files: ['test/**/*.ts', 'src/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
    },
  },
  // The layer rule, for the sources (a test beside them may set up what it tests with other parts).
  ...Object.keys(LAYERS).map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    ignores: TESTS,
    rules: { 'import-x/no-restricted-paths': layerRule(layer) },
  })),
  ...Object.entries(KNOWN_VIOLATIONS).map(([file, extra]) => ({
    files: [file],
    rules: { 'import-x/no-restricted-paths': layerRule(file.split('/')[1], extra) },
  })),
  {
    files: SRC_TS,
    ignores: ['src/sys/**', ...TESTS],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['node:child_process', 'child_process'].map((name) => ({
          name,
          message: 'programs are started only through src/sys/ (sys/exec.ts), with argument arrays.',
        })),
      }],
      // no-restricted-imports does not see import(): the same rule for a lazy load.
      'no-restricted-syntax': ['error', {
        selector: 'ImportExpression[source.value=/^(node:)?child_process$/]',
        message: 'programs are started only through src/sys/ (sys/exec.ts), with argument arrays.',
      }],
    },
  },
);
