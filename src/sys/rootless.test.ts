import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasSubordinateIds } from './rootless.js';

test('subordinate ids are found by user name or uid, and an empty range does not count', () => {
  const text = 'other:100000:65536\nann:165536:65536\n1002:231072:65536\nzero:300000:0\n';
  assert.equal(hasSubordinateIds(text, 'ann', 1001), true);
  assert.equal(hasSubordinateIds(text, 'bob', 1002), true);
  assert.equal(hasSubordinateIds(text, 'zero', 1003), false);
  assert.equal(hasSubordinateIds(text, 'carl', 1004), false);
  assert.equal(hasSubordinateIds('', 'ann', 1001), false);
});
