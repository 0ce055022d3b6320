import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBerthError } from '../common/errors.js';
import { nextRestartDelay, parseRestartPolicy, shouldRestart } from './restart.js';

test("parseRestartPolicy takes Docker's forms and refuses the rest with one line", () => {
  assert.deepEqual(parseRestartPolicy(undefined), { name: 'no', maxRetries: 0 });
  assert.deepEqual(parseRestartPolicy('always'), { name: 'always', maxRetries: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { name: 'on-failure', maxRetries: 3 });
  assert.deepEqual(parseRestartPolicy('unless-stopped'), { name: 'unless-stopped', maxRetries: 0 });
  for (const bad of ['always:3', 'sometimes', 'on-failure:x', 'on-failure:-1']) {
    assert.throws(() => parseRestartPolicy(bad, 'restart'), (e) => isBerthError(e) && e.message.includes(`invalid restart "${bad}"`));
  }
});

test('shouldRestart: on-failure counts, a user stop ends every policy', () => {
  const on3 = { name: 'on-failure' as const, maxRetries: 3 };
  assert.equal(shouldRestart(on3, { exitCode: 1, stopRequested: false, restartCount: 2 }), true);
  assert.equal(shouldRestart(on3, { exitCode: 1, stopRequested: false, restartCount: 3 }), false);
  assert.equal(shouldRestart(on3, { exitCode: 0, stopRequested: false, restartCount: 0 }), false);
  assert.equal(shouldRestart({ name: 'on-failure', maxRetries: 0 }, { exitCode: 2, stopRequested: false, restartCount: 99 }), true);
  for (const name of ['always', 'unless-stopped'] as const) {
    assert.equal(shouldRestart({ name, maxRetries: 0 }, { exitCode: 0, stopRequested: false, restartCount: 50 }), true);
    assert.equal(shouldRestart({ name, maxRetries: 0 }, { exitCode: 137, stopRequested: true, restartCount: 0 }), false);
  }
  assert.equal(shouldRestart({ name: 'no', maxRetries: 0 }, { exitCode: 1, stopRequested: false, restartCount: 0 }), false);
});

test('nextRestartDelay doubles from 100 ms to a minute and starts over after a good run', () => {
  const seq: number[] = [];
  let d = 0;
  for (let i = 0; i < 12; i++) {
    d = nextRestartDelay(d, 50);
    seq.push(d);
  }
  assert.deepEqual(seq.slice(0, 5), [100, 200, 400, 800, 1600]);
  assert.equal(seq[seq.length - 1], 60_000);
  assert.equal(nextRestartDelay(60_000, 10_000), 100);
  assert.equal(nextRestartDelay(60_000, 9_999), 60_000);
});
