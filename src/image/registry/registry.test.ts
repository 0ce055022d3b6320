import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getCredentials, parseChallenge, removeCredentials, storeCredentials } from './auth.js';
import { parsePlatform, pullCandidates } from './pull.js';
import { pool } from './progress.js';

const tmp = mkdtempSync('/tmp/berth-regunit-');
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('registry pieces', () => {
  it('parses WWW-Authenticate challenges', () => {
    assert.deepEqual(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push"'), {
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' },
    });
    assert.deepEqual(parseChallenge('Basic realm="berth-test"'), { scheme: 'basic', params: { realm: 'berth-test' } });
  });

  it('stores credentials 0600 in Docker config.json format, finds and forgets them', () => {
    const f = join(tmp, 'sub', 'auth.json');
    storeCredentials(f, 'reg:5000', { username: 'u', password: 'p:w' });
    assert.equal(statSync(f).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(f, 'utf8')), { auths: { 'reg:5000': { auth: Buffer.from('u:p:w').toString('base64') } } });
    assert.deepEqual(getCredentials(f, 'reg:5000'), { username: 'u', password: 'p:w' });
    assert.equal(getCredentials(f, 'other'), undefined);
    assert.equal(removeCredentials(f, 'reg:5000'), true);
    assert.equal(removeCredentials(f, 'reg:5000'), false);
  });

  it('resolves short names through the search list', () => {
    assert.deepEqual(pullCandidates('busybox', ['docker.io']).map((c) => `${c.domain}/${c.path}`), ['docker.io/library/busybox']);
    assert.deepEqual(pullCandidates('team/app:1', ['a:5000', 'docker.io']).map((c) => `${c.domain}/${c.path}:${c.tag}`), ['a:5000/team/app:1',
      'docker.io/team/app:1']);
    assert.deepEqual(pullCandidates('r.example/x', ['docker.io']).map((c) => `${c.domain}/${c.path}`), ['r.example/x']);
  });

  it('parses --platform', () => {
    assert.deepEqual(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64', variant: 'v8' });
    assert.throws(() => parsePlatform('linux'), { code: 'image.bad_platform' });
  });

  it('pool runs at most N at once and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const r = await pool([1, 2, 3, 4, 5].map((n) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((res) => setTimeout(res, 5));
      running--;
      return n * 2;
    }), 2);
    assert.deepEqual(r, [2, 4, 6, 8, 10]);
    assert.equal(peak, 2);
  });
});
