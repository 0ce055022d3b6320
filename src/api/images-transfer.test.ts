import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRegistryAuth } from './images-transfer.js';
import { ApiError } from './errors.js';

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

test('X-Registry-Auth: credentials when both are given, none for "{}" or nothing, 400 for garbage', () => {
  assert.deepEqual(parseRegistryAuth(enc({ username: 'u', password: 'p', serveraddress: 'r:5000' })), { username: 'u', password: 'p',
    serveraddress: 'r:5000' });
  assert.equal(parseRegistryAuth(enc({})), undefined);
  assert.equal(parseRegistryAuth(undefined), undefined);
  assert.equal(parseRegistryAuth(enc({ username: 'u' })), undefined);
  assert.throws(() => parseRegistryAuth('%%%not-base64'), ApiError);
  assert.throws(() => parseRegistryAuth(enc(['x'])), ApiError);
  assert.throws(() => parseRegistryAuth(enc({ username: 1, password: 'p' })), ApiError);
});
