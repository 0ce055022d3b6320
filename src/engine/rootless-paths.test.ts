import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootlessPaths } from './rootless-paths.js';

test('rootless paths follow XDG: data home for the root, the runtime directory for the runroot', () => {
  assert.deepEqual(rootlessPaths(1001, { HOME: '/home/ann', XDG_RUNTIME_DIR: '/run/user/1001' }), {
    root: '/home/ann/.local/share/berth',
    runroot: '/run/user/1001/berth',
  });
  assert.deepEqual(rootlessPaths(1001, { HOME: '/home/ann', XDG_DATA_HOME: '/data/ann' }).root, '/data/ann/berth');
});

test('without XDG_RUNTIME_DIR the runroot is /tmp/berth-UID; relative XDG values are ignored, as the spec says', () => {
  assert.equal(rootlessPaths(1001, { HOME: '/home/ann' }).runroot, '/tmp/berth-1001');
  assert.equal(rootlessPaths(1001, { HOME: '/home/ann', XDG_RUNTIME_DIR: 'rel', XDG_DATA_HOME: 'rel' }).runroot, '/tmp/berth-1001');
  assert.equal(rootlessPaths(1001, { HOME: '/home/ann', XDG_DATA_HOME: 'rel' }).root, '/home/ann/.local/share/berth');
});
