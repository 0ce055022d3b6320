import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError, invalid, isBerthError } from './errors.js';

test("isBerthError knows a BerthError by its mark, so one of the other bundle's class counts too", () => {
  assert.equal(isBerthError(invalid('x.y', 'bad')), true);
  // What berth-full.cjs's own copy of the class makes: another class, the same registered symbol.
  const mark: unique symbol = Symbol.for('berth.BerthError') as never;
  class Other extends Error {
    readonly [mark] = true;
  }
  assert.equal(isBerthError(new Other('bad')), true);
  assert.equal(isBerthError(new Error('bad')), false);
  assert.equal(isBerthError({ code: 'x.y', exitCode: 125 }), false);
  assert.equal(isBerthError(null), false);
  assert.equal(isBerthError('berth: bad'), false);
  assert.ok(new BerthError('Conflict', 'c', 'm') instanceof Error);
});
