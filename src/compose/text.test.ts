import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeProjectName, splitWords } from './text.js';

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
