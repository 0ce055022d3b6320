import { test } from 'node:test';
import assert from 'node:assert/strict';
import { asSystemError } from './system-errors.js';

const err = (code: string, message: string) => Object.assign(new Error(message), { code });

test('a full disk, a read-only or damaged instances file become one line a user can act on', () => {
  const full = asSystemError(err('SQLITE_FULL', 'database or disk is full'), '/r');
  assert.equal(full?.message, 'no space left on the disk holding /r (database or disk is full)');
  assert.equal(full?.exitCode, 125);
  assert.equal(asSystemError(err('ENOSPC', 'ENOSPC: no space left on device, write'), '/r')?.code, 'disk.full');
  assert.match(asSystemError(err('SQLITE_READONLY', 'attempt to write a readonly database'), '/r')!.message,
    /^the instances file \/r\/berth\.db cannot be written/);
  assert.equal(asSystemError(err('SQLITE_READONLY_DBMOVED', 'x'), '/r')?.code, 'state.read_only');
  assert.match(asSystemError(err('SQLITE_NOTADB', 'file is not a database'), '/r')!.hint!, /system recover/);
});

test('anything else stays what it was: a bug is not dressed up as a user error', () => {
  assert.equal(asSystemError(new TypeError('x is undefined'), '/r'), undefined);
  assert.equal(asSystemError(err('SQLITE_CONSTRAINT_UNIQUE', 'UNIQUE constraint failed'), '/r'), undefined);
  assert.equal(asSystemError('a string', '/r'), undefined);
});
