import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goFileMode, statHeader } from './archive.js';

test("st_mode becomes Go's os.FileMode, whose type bits the docker CLI tests", () => {
  assert.equal(goFileMode(0o040755), 2 ** 31 + 0o755);
  assert.equal(goFileMode(0o120777), 2 ** 27 + 0o777);
  assert.equal(goFileMode(0o100644), 0o644);
  assert.equal(goFileMode(0o104755), 2 ** 23 + 0o755);
  assert.equal(goFileMode(0o041777), 2 ** 31 + 2 ** 20 + 0o777);
});

test('the stat header is base64 JSON with the names the CLI decodes', () => {
  const h = statHeader({ name: 'etc', size: 4096, mode: 0o040755, mtime: new Date('2026-01-02T03:04:05Z'), linkTarget: '' });
  assert.deepEqual(JSON.parse(Buffer.from(h, 'base64').toString()), { name: 'etc', size: 4096, mode: 2147484141, mtime: '2026-01-02T03:04:05.000Z',
    linkTarget: '' });
});
