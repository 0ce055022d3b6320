import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { isBerthError } from '../common/errors.js';
import { normalizeSignal, sendSignal } from './signal.js';

test('normalizeSignal takes names with or without SIG, any case, and numbers', () => {
  for (const s of ['SIGTERM', 'TERM', 'term', 'sigterm', '15', 15]) assert.equal(normalizeSignal(s), 'SIGTERM');
  assert.equal(normalizeSignal('kill'), 'SIGKILL');
  assert.equal(normalizeSignal(9), 'SIGKILL');
  assert.equal(normalizeSignal('SIGHUP'), 'SIGHUP');
});

test('normalizeSignal refuses what is not a signal, as bad input', () => {
  for (const s of ['SIGNOPE', 'NOPE', '', '999', 0, 'SIG']) {
    assert.throws(() => normalizeSignal(s), (e: unknown) => isBerthError(e) && e.code === 'signal.invalid' && e.exitCode === 125, String(s));
  }
});

test('sendSignal delivers to a live process and reports a gone one', async () => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
  await once(child, 'spawn');
  const exited = once(child, 'exit');
  assert.equal(sendSignal(child.pid!, 'SIGTERM'), true);
  const [, sig] = await exited;
  assert.equal(sig, 'SIGTERM');
  assert.equal(sendSignal(child.pid!, 'SIGTERM'), false);
  assert.equal(sendSignal(0, 'SIGTERM'), false, 'pid 0 would signal our own process group');
  assert.equal(sendSignal(-1, 'SIGTERM'), false);
});
