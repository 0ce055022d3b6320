// The lifecycle unit tests on the fake host need no privilege: run them as nobody to prove it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './helpers.js';

const FILE = join(REPO, 'build/src/engine/lifecycle-fake.test.js');
const AS_NOBODY = ['--reuid=65534', '--regid=65534', '--clear-groups'];

test('the lifecycle tests on the fake host pass as an unprivileged user', (t) => {
  // A checkout under a private home cannot be read by nobody at all: say so rather than fail.
  if (spawnSync('setpriv', [...AS_NOBODY, 'test', '-r', FILE]).status !== 0) {
    t.skip(`nobody cannot read ${FILE}`);
    return;
  }
  // Without the parent runner's NODE_TEST_CONTEXT, the child reports in plain TAP.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const r = spawnSync('setpriv', [...AS_NOBODY, process.execPath, '--test', '--test-reporter=tap', FILE], { encoding: 'utf8', cwd: '/tmp', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const pass = Number(/^# pass (\d+)$/m.exec(r.stdout)?.[1] ?? 0);
  assert.ok(pass >= 20, `only ${pass} lifecycle tests ran as nobody`);
  assert.match(r.stdout, /^# fail 0$/m);
});
