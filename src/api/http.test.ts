import { test } from 'node:test';
import assert from 'node:assert/strict';
import { qBool, qFilters, qInt } from './http.js';
import { ApiError } from './errors.js';

test('filters in both the map and the list form', () => {
  const list = qFilters(new URLSearchParams({ filters: JSON.stringify({ label: ['a=b'], status: ['running'] }) }));
  assert.deepEqual([...list], [['label', ['a=b']], ['status', ['running']]]);
  const map = qFilters(new URLSearchParams({ filters: JSON.stringify({ label: { 'a=b': true, off: false } }) }));
  assert.deepEqual([...map], [['label', ['a=b']]]);
  assert.throws(() => qFilters(new URLSearchParams({ filters: '{' })), ApiError);
  assert.throws(() => qFilters(new URLSearchParams({ filters: JSON.stringify({ label: [1] }) })), ApiError);
});

test("booleans and integers as Docker's clients write them", () => {
  const q = new URLSearchParams('a=1&b=True&c=0&d=&e=yes&t=10&u=1e3');
  assert.equal(qBool(q, 'a'), true);
  assert.equal(qBool(q, 'b'), true);
  assert.equal(qBool(q, 'c'), false);
  assert.equal(qBool(q, 'd'), false);
  assert.equal(qBool(q, 'zz', true), true);
  assert.throws(() => qBool(q, 'e'), ApiError);
  assert.equal(qInt(q, 't'), 10);
  assert.throws(() => qInt(q, 'u'), ApiError);
});
