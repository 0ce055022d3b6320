import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseYaml } from './yaml.js';

test('parseYaml reports syntax errors with their line and refuses duplicate keys', () => {
  assert.throws(() => parseYaml('services:\n  web: [\n', 'c.yaml'), /c\.yaml: invalid YAML \(line \d+, column \d+\)/);
  assert.throws(() => parseYaml('a: 1\na: 2\n', 'c.yaml'), /c\.yaml: invalid YAML.*[Dd]uplicate|unique/);
});

test('parseYaml expands anchors and merge keys', () => {
  assert.deepEqual(parseYaml('x: &a { k: 1 }\ny: { <<: *a, j: 2 }\nz: [*a]\n', 'c.yaml'), { x: { k: 1 }, y: { k: 1, j: 2 }, z: [{ k: 1 }] });
});

test('an alias bomb is a user error, not a crash', () => {
  let text = 'a: &a [x, x, x, x, x, x, x, x, x, x]\n';
  let prev = 'a';
  for (const n of ['b', 'c', 'd', 'e', 'f']) {
    text += `${n}: &${n} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
    prev = n;
  }
  assert.throws(() => parseYaml(text, 'bomb.yaml'), (e: Error & { kind?: string }) => {
    assert.equal(e.kind, 'InvalidArgument');
    assert.match(e.message, /^bomb\.yaml: invalid YAML: .*alias/);
    return true;
  });
});
