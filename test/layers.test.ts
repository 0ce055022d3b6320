// DESIGN.md's layer rule, enforced: cli, api → {compose, builder} → engine → {image, storage,
// runtime, network, state} → sys → common. The parts under engine do not import each other:
// what image/ and network/ need from the instances file (and image/ from storage/'s unpacker)
// the engine hands them as stores they declare themselves (engine/parts.ts).
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
  image: ['sys', 'common'],
  network: ['sys', 'common'],
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

test('only state/ holds SQL', () => {
  const bad = files(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !f.startsWith('state/') && /\.prepare\(|\.exec\(\s*['"`]\s*(SELECT|INSERT|UPDATE|DELETE|CREATE)/i.test(readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(bad, []);
});

// common/timing.ts's failpoint kills its own process to simulate a crash (common/ may not import sys/).
const SIGNAL_EXEMPT = new Set(['common/timing.ts']);

test('only sys/ sends signals', () => {
  const bad = files(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !f.startsWith('sys/') && !SIGNAL_EXEMPT.has(f) && /process\.kill\(/.test(readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(bad, []);
});

test('the parts under engine load each other neither statically nor lazily', () => {
  const parts = ['image', 'storage', 'runtime', 'network', 'state'];
  const bad: string[] = [];
  for (const f of files(SRC)) {
    const layer = relative(SRC, f).split('/')[0]!;
    if (!parts.includes(layer)) continue;
    for (const m of readFileSync(f, 'utf8').matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g)) {
      const target = relative(SRC, resolve(dirname(f), m[1]!)).split('/')[0]!;
      if (target !== layer && !ALLOWED[layer]!.includes(target)) bad.push(`${relative(SRC, f)} loads ${target}/ (${m[1]})`);
    }
  }
  assert.deepEqual(bad, []);
});
