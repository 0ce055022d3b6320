import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitCpArg } from './cp.js';
import { toUpdateRequest } from './update.js';
import { isBerthError } from '../../common/errors.js';

test('a cp argument names a container only before a colon, never when it is an absolute or ./ path', () => {
  assert.deepEqual(splitCpArg('web:/etc/x'), { ctr: 'web', path: '/etc/x' });
  assert.deepEqual(splitCpArg('web:'), { ctr: 'web', path: '/' });
  assert.deepEqual(splitCpArg('/tmp/a:b'), { path: '/tmp/a:b' });
  assert.deepEqual(splitCpArg('./a:b'), { path: './a:b' });
  assert.deepEqual(splitCpArg('-'), { path: '-' });
});

test("update flags parse as Docker's and refuse bad values with one message", () => {
  assert.deepEqual(toUpdateRequest({ memory: '64m', cpus: '1', 'pids-limit': '-1', restart: 'on-failure:3' }, 4), {
    memory: 64 << 20,
    cpus: 1,
    pidsLimit: -1,
    restart: { name: 'on-failure', maxRetries: 3 },
  });
  assert.throws(() => toUpdateRequest({ 'pids-limit': '0' }, 4), (e) => isBerthError(e) && /--pids-limit/.test(e.message));
  assert.throws(() => toUpdateRequest({ cpus: '9' }, 4), (e) => isBerthError(e) && e.exitCode === 125);
});
