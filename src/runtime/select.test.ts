import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chooseRuntime, findConmon, findProgram } from './select.js';
import { isBerthError } from '../common/errors.js';

const tmp = mkdtempSync('/tmp/berth-select-');
after(() => rmSync(tmp, { recursive: true, force: true }));

function binDir(name: string, programs: string[]): string {
  const d = join(tmp, name);
  mkdirSync(d, { recursive: true });
  for (const p of programs) {
    writeFileSync(join(d, p), '#!/bin/sh\nexit 0\n');
    chmodSync(join(d, p), 0o755);
  }
  return d;
}

const both = binDir('both', ['runc', 'crun', 'conmon']);
const onlyCrun = binDir('crun-only', ['crun']);
const empty = binDir('empty', []);

test('v2 prefers crun, hybrid and v1 prefer runc', () => {
  assert.deepEqual(chooseRuntime(undefined, { searchPath: [both], mode: 'v2' }), { name: 'crun', path: join(both, 'crun') });
  assert.deepEqual(chooseRuntime(undefined, { searchPath: [both], mode: 'hybrid' }), { name: 'runc', path: join(both, 'runc') });
  assert.deepEqual(chooseRuntime(undefined, { searchPath: [both], mode: 'v1' }), { name: 'runc', path: join(both, 'runc') });
});

test('crun alone: fine on v2, refused on hybrid', () => {
  assert.equal(chooseRuntime(undefined, { searchPath: [onlyCrun], mode: 'v2' }).name, 'crun');
  assert.throws(() => chooseRuntime(undefined, { searchPath: [onlyCrun], mode: 'hybrid' }), (e) => isBerthError(e) && e.code === 'runtime.not_found');
});

test('an explicit request is honoured, or refused with a hint', () => {
  assert.equal(chooseRuntime('runc', { searchPath: [both], mode: 'v2' }).name, 'runc');
  assert.throws(() => chooseRuntime('runc', { searchPath: [onlyCrun], mode: 'v2' }),
    (e) => isBerthError(e) && e.kind === 'Unavailable' && e.code === 'runtime.not_found' && /runc/.test(e.message) && e.hint !== undefined);
  assert.throws(() => chooseRuntime('crun', { searchPath: [both], mode: 'hybrid' }),
    (e) => isBerthError(e) && e.code === 'runtime.unsupported' && /runc/.test(e.hint ?? ''));
});

test('non-executable files are not programs', () => {
  const d = join(tmp, 'noexec');
  mkdirSync(d);
  writeFileSync(join(d, 'runc'), '');
  assert.equal(findProgram('runc', [d]), null);
  assert.equal(findProgram('runc', [d, both]), join(both, 'runc'));
});

test('findConmon finds it or says make build', () => {
  assert.equal(findConmon({ searchPath: [empty, both] }), join(both, 'conmon'));
  assert.throws(() => findConmon({ searchPath: [empty] }), (e) => isBerthError(e) && e.code === 'conmon.not_found' && /make build/.test(e.hint ?? ''));
});

test('on this host: a runtime is found and its choice matches the cgroup layout', () => {
  const rt = chooseRuntime();
  assert.ok(rt.path.endsWith(`/${rt.name}`));
});
