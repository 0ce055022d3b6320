// House rules the lint (eslint.config.js) does not see: SQL only in state/, signals only through
// sys/. The layer rule itself, lazy imports included, is the lint's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

// Run from the repository root, as test/run.sh does.
const SRC = resolve('src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('only state/ holds SQL', () => {
  const bad = files(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !f.startsWith('state/') && /\.prepare\(|\.exec\(\s*['"`]\s*(SELECT|INSERT|UPDATE|DELETE|CREATE)/i.test(readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(bad, []);
});

// common/fault.ts's BERTH_FAULT kills its own process to simulate a crash (common/ may not import sys/).
const SIGNAL_EXEMPT = new Set(['common/fault.ts']);

test('only sys/ sends signals', () => {
  const bad = files(SRC)
    .map((f) => relative(SRC, f))
    .filter((f) => !f.startsWith('sys/') && !SIGNAL_EXEMPT.has(f) && /process\.kill\(/.test(readFileSync(join(SRC, f), 'utf8')));
  assert.deepEqual(bad, []);
});
