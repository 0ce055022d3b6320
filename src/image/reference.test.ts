import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { candidateNames, looksLikeId, normalizeName, parseReference, splitName } from './reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('references', () => {
  it('parses domain, path, tag and digest', () => {
    assert.deepEqual(parseReference('busybox'), { domain: '', path: 'busybox', tag: undefined, digest: undefined });
    assert.deepEqual(parseReference('registry:5000/team/app:v1.2'), { domain: 'registry:5000', path: 'team/app', tag: 'v1.2', digest: undefined });
    assert.deepEqual(parseReference(`localhost/web@${D}`), { domain: 'localhost', path: 'web', tag: undefined, digest: D });
    assert.deepEqual(parseReference('team/app:1'), { domain: '', path: 'team/app', tag: '1', digest: undefined });
  });

  it('rejects malformed references with a named error', () => {
    for (const bad of ['', 'UPPER', 'a//b', 'a:b:c', 'x@sha256:12', 'a:-tag', 'a/../b']) {
      assert.throws(() => parseReference(bad), { code: 'image.bad_reference' }, bad);
    }
  });

  it('normalises names for storage under localhost/', () => {
    assert.equal(normalizeName('busybox'), 'localhost/busybox:latest');
    assert.equal(normalizeName('busybox:1'), 'localhost/busybox:1');
    assert.equal(normalizeName('localhost/nginx:latest'), 'localhost/nginx:latest');
    assert.equal(normalizeName('docker.io/nginx'), 'docker.io/library/nginx:latest');
    assert.equal(normalizeName('quay.io/a/b:c'), 'quay.io/a/b:c');
    assert.throws(() => normalizeName(`x@${D}`), { code: 'image.bad_reference' });
  });

  it('tries exact, then localhost/, then docker.io/library/ for short names', () => {
    assert.deepEqual(candidateNames('busybox'), ['busybox:latest', 'localhost/busybox:latest', 'docker.io/library/busybox:latest']);
    assert.deepEqual(candidateNames('team/app:2'), ['team/app:2', 'localhost/team/app:2', 'docker.io/team/app:2']);
    assert.deepEqual(candidateNames('localhost/x:1'), ['localhost/x:1']);
  });

  it('recognises id prefixes and splits names', () => {
    assert.equal(looksLikeId('abc'), true);
    assert.equal(looksLikeId('ab'), false);
    assert.equal(looksLikeId(D), true);
    assert.equal(looksLikeId('busybox'), false);
    assert.deepEqual(splitName('localhost:5000/a/b:c'), { repository: 'localhost:5000/a/b', tag: 'c' });
    assert.deepEqual(splitName('localhost:5000/a/b'), { repository: 'localhost:5000/a/b', tag: 'latest' });
  });
});
