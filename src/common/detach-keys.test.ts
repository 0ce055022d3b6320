import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';
import { isBerthError } from './errors.js';

test("parseDetachKeys reads Docker's syntax", () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-a,d')], [0x01, 0x64]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')], [0, 27, 28, 29, 30, 31]);
  assert.deepEqual([...parseDetachKeys('CTRL-P')], [0x10]);
  assert.equal(parseDetachKeys('').length, 0);
  for (const bad of ['ctrl-', 'ctrl-1', 'ab', 'ctrl-p,,ctrl-q', 'shift-a']) {
    assert.throws(() => parseDetachKeys(bad), (e) => isBerthError(e) && e.kind === 'InvalidArgument' && e.message.includes(bad), bad);
  }
});

test('the scanner detaches on the whole sequence, split across reads', () => {
  const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(s.push(Buffer.from('ls\x10')), { forward: Buffer.from('ls'), detached: false });
  assert.deepEqual(s.push(Buffer.from('\x11after')), { forward: Buffer.alloc(0), detached: true });
});

test('a broken sequence is sent on as typed', () => {
  const s = new DetachScanner(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.equal(s.push(Buffer.from('\x10x')).forward.toString('latin1'), '\x10x');
  // ctrl-p ctrl-p ctrl-q: the first ctrl-p was for the container, the next two detach.
  const r = s.push(Buffer.from('\x10\x10\x11'));
  assert.deepEqual(r, { forward: Buffer.from('\x10'), detached: true });
  const three = new DetachScanner(parseDetachKeys('ctrl-a,b,c'));
  assert.deepEqual(three.push(Buffer.from('\x01b\x01bc')), { forward: Buffer.from('\x01b'), detached: true });
});

test('no keys: everything passes, nothing detaches', () => {
  const s = new DetachScanner(parseDetachKeys(''));
  assert.deepEqual(s.push(Buffer.from('\x10\x11')), { forward: Buffer.from('\x10\x11'), detached: false });
});
