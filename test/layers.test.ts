// DESIGN.md's layer rule, enforced: cli, api → {compose, builder} → engine → {image, storage,
// runtime, network, state} → sys → common. The parts under engine do not import each other,
// with two exceptions the design allows: image unpacks through storage, and image and network
// keep their records in the instances file through state.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';

// Run from the repository root, as test/run.sh does.
const SRC = resolve('src');

const ALLOWED: Record<string, string[]> = {
  cli: ['compose', 'builder', 'kube', 'engine', 'common'],
  api: ['compose', 'builder', 'kube', 'engine', 'common'],
  compose: ['builder', 'engine', 'common'],
  kube: ['compose', 'builder', 'engine', 'common'],
  builder: ['engine', 'common'],
  engine: ['image', 'storage', 'runtime', 'network', 'state', 'sys', 'common'],
  image: ['storage', 'state', 'sys', 'common'],
  network: ['state', 'sys', 'common'],
  storage: ['sys', 'common'],
  runtime: ['sys', 'common'],
  state: ['common'],
  sys: ['common'],
  common: [],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('imports follow the layer rule', () => {
  const bad: string[] = [];
  for (const f of files(SRC)) {
    const layer = relative(SRC, f).split('/')[0]!;
    const allowed = ALLOWED[layer];
    assert.ok(allowed, `${relative(SRC, f)}: folder "${layer}" is not in the layer table`);
    for (const m of readFileSync(f, 'utf8').matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
      const target = relative(SRC, resolve(dirname(f), m[1]!)).split('/')[0]!;
      if (target !== layer && !allowed.includes(target)) bad.push(`${relative(SRC, f)} imports ${target}/ (${m[1]})`);
    }
  }
  assert.deepEqual(bad, []);
});

// The fronts reach the engine through its interface alone (engine/index.ts) and its types.
test('fronts import nothing from engine/ but its interface and its types', () => {
  const FRONTS = ['cli', 'api', 'compose', 'builder', 'kube'];
  const bad: string[] = [];
  for (const f of files(SRC)) {
    if (!FRONTS.includes(relative(SRC, f).split('/')[0]!)) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:from\s+|import\(\s*)'(\.[^']+)'/g)) {
      const target = relative(SRC, resolve(dirname(f), m[1]!));
      if (target.startsWith('engine/') && target !== 'engine/index.js' && target !== 'engine/types.js') bad.push(`${relative(SRC, f)} imports ${target}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('only sys/ starts programs', () => {
  const bad = files(SRC).filter((f) => !relative(SRC, f).startsWith('sys/') && /from 'node:child_process'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(bad.map((f) => relative(SRC, f)), []);
});
