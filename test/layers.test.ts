// DESIGN.md's layer rule, enforced: cli, api → {compose, build, kube} → engine → {image, storage,
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
  cli: ['compose', 'build', 'kube', 'engine', 'common'],
  api: ['compose', 'build', 'engine', 'common'],
  compose: ['engine', 'image', 'network', 'state', 'storage', 'runtime', 'sys', 'common'],
  // kube is a client of compose: it loads compose files and plays manifests through compose.
  kube: ['compose', 'engine', 'common'],
  build: ['engine', 'image', 'network', 'state', 'storage', 'runtime', 'sys', 'common'],
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

test('only sys/ starts programs', () => {
  const bad = files(SRC).filter((f) => !relative(SRC, f).startsWith('sys/') && /from 'node:child_process'/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(bad.map((f) => relative(SRC, f)), []);
});
