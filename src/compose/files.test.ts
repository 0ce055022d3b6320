import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeFiles } from './files.js';

const dir = mkdtempSync('/tmp/berth-files-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('compose.yaml with its override, found here or in a parent directory', () => {
  writeFileSync(join(dir, 'compose.yaml'), 'services: {}');
  writeFileSync(join(dir, 'compose.override.yml'), 'services: {}');
  mkdirSync(join(dir, 'sub/deeper'), { recursive: true });
  const want = [join(dir, 'compose.yaml'), join(dir, 'compose.override.yml')];
  assert.deepEqual(composeFiles({ cwd: dir, env: {} }), want);
  assert.deepEqual(composeFiles({ cwd: join(dir, 'sub/deeper'), env: {} }), want);
});

test('-f wins over COMPOSE_FILE, which wins over the default names', () => {
  assert.deepEqual(composeFiles({ cwd: dir, env: { COMPOSE_FILE: 'a.yaml:b/c.yaml' }, files: ['x.yaml'] }), [join(dir, 'x.yaml')]);
  assert.deepEqual(composeFiles({ cwd: dir, env: { COMPOSE_FILE: 'a.yaml:b/c.yaml' } }), [join(dir, 'a.yaml'), join(dir, 'b/c.yaml')]);
  assert.deepEqual(composeFiles({ cwd: dir, env: { COMPOSE_FILE: 'a.yaml;b.yaml', COMPOSE_PATH_SEPARATOR: ';' } }), [join(dir, 'a.yaml'), join(dir, 'b.yaml')]);
});
