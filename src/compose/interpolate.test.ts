import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateTree } from './interpolate.js';

const env = { A: 'x', EMPTY: '' };
const o = { env };

test('interpolate replaces variables, defaults and $$', () => {
  assert.equal(interpolate('$A ${A} $$A ${B:-def} ${EMPTY:-d} ${EMPTY-d} ${B}', o, 'w'), 'x x $A def d  ');
  assert.equal(interpolate('sh -c "echo $$(hostname)"', o, 'w'), 'sh -c "echo $(hostname)"');
  assert.equal(interpolate('cost: $5 and $', o, 'w'), 'cost: $5 and $');
});

test('interpolate gives alternatives with :+ and +', () => {
  assert.equal(interpolate('[${A:+alt}][${EMPTY:+alt}][${EMPTY+alt}][${B+alt}]', o, 'w'), '[alt][][alt][]');
});

test('interpolate nests defaults and alternatives', () => {
  assert.equal(interpolate('${B:-${C:-${A}}}', o, 'w'), 'x');
  assert.equal(interpolate('${A:+-${A}-}', o, 'w'), '-x-');
  assert.equal(interpolate('${B:-a}}', o, 'w'), 'a}');
  assert.equal(interpolate('${B:-$$}', o, 'w'), '$');
});

test('interpolate refuses required variables and bad syntax, naming the value', () => {
  assert.throws(() => interpolate('${B:?give B}', o, 'services.web.image'), /services\.web\.image: required variable B is missing a value: give B/);
  assert.throws(() => interpolate('${EMPTY:?}', o, 'w'), /^Error: w: required variable EMPTY is missing a value$|required variable EMPTY is missing a value$/);
  assert.equal(interpolate('${EMPTY?}', o, 'w'), '');
  assert.throws(() => interpolate('${B?${A} needed}', o, 'w'), /required variable B is missing a value: x needed/);
  assert.throws(() => interpolate('${A B}', o, 'services.x.command'), /services\.x\.command: invalid interpolation/);
  assert.throws(() => interpolate('${A', o, 'w'), /w: invalid interpolation "\$\{A": no closing/);
});

test('interpolate reports each plain reference to an unset variable', () => {
  const unset: string[] = [];
  interpolate('$NOPE ${NOPE2} ${NOPE3:-d} ${A}', { env, onUnset: (n) => unset.push(n) }, 'w');
  assert.deepEqual(unset, ['NOPE', 'NOPE2']);
});

test('interpolateTree walks lists and maps, not keys', () => {
  assert.deepEqual(interpolateTree({ $A: ['$A', 1, { k: '${A}' }] }, o), { $A: ['x', 1, { k: 'x' }] });
});
