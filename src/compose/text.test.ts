import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateTree, normalizeProjectName, splitWords } from './text.js';

const env = { A: 'x', EMPTY: '' };

test('interpolate replaces variables, defaults and $$', () => {
  assert.equal(interpolate('$A ${A} $$A ${B:-def} ${EMPTY:-d} ${EMPTY-d} ${B}', env, 'w'), 'x x $A def d  ');
  assert.equal(interpolate('sh -c "echo $$(hostname)"', env, 'w'), 'sh -c "echo $(hostname)"');
});

test('interpolate refuses required variables and bad syntax, naming the value', () => {
  assert.throws(() => interpolate('${B:?give B}', env, 'services.web.image'), /services\.web\.image: required variable B is missing: give B/);
  assert.throws(() => interpolate('${A B}', env, 'services.x.command'), /services\.x\.command: invalid interpolation/);
});

test('interpolateTree walks lists and maps, not keys', () => {
  assert.deepEqual(interpolateTree({ $A: ['$A', 1, { k: '${A}' }] }, env), { $A: ['x', 1, { k: 'x' }] });
});

test('splitWords splits like a shell without expanding', () => {
  assert.deepEqual(splitWords(`sh -c 'echo "$HOME" x'`, 'w'), ['sh', '-c', 'echo "$HOME" x']);
  assert.deepEqual(splitWords(`a "b \\"c\\" d" e\\ f ''`, 'w'), ['a', 'b "c" d', 'e f', '']);
  assert.deepEqual(splitWords('  ', 'w'), []);
  assert.throws(() => splitWords(`echo 'x`, 'cmd'), /cmd: unterminated single quote/);
});

test('normalizeProjectName lowercases and drops what Compose drops', () => {
  assert.equal(normalizeProjectName('My.Web Farm_1'), 'mywebfarm_1');
  assert.equal(normalizeProjectName('-_x'), 'x');
});
