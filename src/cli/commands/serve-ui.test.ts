import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UI_DEFAULT, uiArgv } from './serve.js';

test('--ui takes an optional address', () => {
  assert.deepEqual(uiArgv(['--ui']), [`--ui=${UI_DEFAULT}`]);
  assert.deepEqual(uiArgv(['--ui', '--socket', '/s']), [`--ui=${UI_DEFAULT}`, '--socket', '/s']);
  assert.deepEqual(uiArgv(['--ui', '127.0.0.1:8080', '--socket', '/s']), ['--ui=127.0.0.1:8080', '--socket', '/s']);
  assert.deepEqual(uiArgv(['--ui=[::1]:1']), ['--ui=[::1]:1']);
  // A word that is no address is still --ui's, so that the error names it.
  assert.deepEqual(uiArgv(['--ui', 'nonsense']), ['--ui=nonsense']);
  assert.deepEqual(uiArgv(['--', '--ui']), ['--', '--ui']);
});
