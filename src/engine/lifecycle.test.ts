import { test } from 'node:test';
import assert from 'node:assert/strict';
import { can, mustBe } from './lifecycle.js';
import { BerthError } from '../common/errors.js';

test('state table', () => {
  assert.ok(can('start', 'created'));
  assert.ok(can('start', 'exited'));
  assert.ok(!can('start', 'running'));
  assert.ok(!can('rm', 'running'));
  assert.ok(can('exec', 'running'));
  assert.throws(() => mustBe('rm', 'running', 'web'),
    (e: unknown) => e instanceof BerthError && /cannot remove container web: it is running/.test(e.message) && e.hint === 'stop it first, or use rm -f');
  assert.throws(() => mustBe('exec', 'exited', 'web'), (e: unknown) => e instanceof BerthError && e.code === 'container.not_running');
});
