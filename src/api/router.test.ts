import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router, splitVersion } from './router.js';
import { ApiError } from './errors.js';

const h = async () => {};

test('the version prefix is optional and checked against 1.24..1.44', () => {
  assert.deepEqual(splitVersion('/v1.41/containers/json'), { version: '1.41', path: '/containers/json' });
  assert.deepEqual(splitVersion('/_ping'), { version: '1.44', path: '/_ping' });
  assert.throws(() => splitVersion('/v1.45/info'), (e: unknown) => e instanceof ApiError && e.status === 400 && /too new/.test(e.message));
  assert.throws(() => splitVersion('/v1.12/info'), (e: unknown) => e instanceof ApiError && e.status === 400 && /too old/.test(e.message));
});

test('parameters are decoded; a starred one takes slashes; HEAD falls back to GET', () => {
  const r = new Router().add([['GET', '/containers/{id}/json', h], ['POST', '/images/{name*}/tag', h], ['GET', '/_ping', h]]);
  assert.deepEqual(r.match('GET', '/containers/ab%20c/json').params, { id: 'ab c' });
  assert.deepEqual(r.match('POST', '/images/localhost:5000/team/app:1/tag').params, { name: 'localhost:5000/team/app:1' });
  assert.ok(r.match('HEAD', '/_ping'));
  assert.throws(() => r.match('GET', '/nope'), (e: unknown) => e instanceof ApiError && e.status === 404);
  assert.throws(() => r.match('DELETE', '/_ping'), (e: unknown) => e instanceof ApiError && e.status === 405);
  assert.throws(() => r.match('GET', '/containers/%zz/json'), (e: unknown) => e instanceof ApiError && e.status === 400);
});
