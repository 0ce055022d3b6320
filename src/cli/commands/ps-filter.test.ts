import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterContainers } from './ps-filter.js';
import type { Container } from '../../engine/index.js';
import { isBerthError } from '../../common/errors.js';

const ctr = (over: Partial<Container>): Container => ({
  id: 'a'.repeat(64),
  name: 'web',
  imageId: 'sha256:' + 'f'.repeat(64),
  imageRef: 'busybox',
  labels: {},
  status: 'running',
  exitCode: null,
  ...over,
} as Container);

const list = [
  ctr({ id: 'ab' + '0'.repeat(62), name: 'web-1', labels: { tier: 'front' } }),
  ctr({ id: 'cd' + '0'.repeat(62), name: 'db', status: 'exited', exitCode: 3, imageRef: 'localhost/nginx:latest', labels: { tier: 'back', x: '' } }),
  ctr({ id: 'ce' + '0'.repeat(62), name: 'web-2', status: 'paused' }),
];
const nets = (c: Container) => (c.name === 'db' ? ['back'] : ['berth']);
const names = (f: string[]) => filterContainers(list, f, nets).map((c) => c.name);

test("Docker's ps filter keys; a repeated key is an alternative, labels all apply", () => {
  assert.deepEqual(names(['id=c']), ['db', 'web-2']);
  assert.deepEqual(names(['name=web']), ['web-1', 'web-2']);
  assert.deepEqual(names(['status=paused', 'status=exited']), ['db', 'web-2']);
  assert.deepEqual(names(['ancestor=nginx']), ['db']);
  assert.deepEqual(names(['ancestor=busybox', 'network=berth']), ['web-1', 'web-2']);
  assert.deepEqual(names(['exited=3']), ['db']);
  assert.deepEqual(names(['label=tier=back', 'label=x']), ['db']);
  assert.deepEqual(names(['label=tier', 'label=x']), ['db']);
});

test('an unknown key or a bad value is one clear error', () => {
  for (const f of ['colour=red', 'status=sleeping', 'exited=no']) {
    assert.throws(() => names([f]), (e) => isBerthError(e) && e.exitCode === 125 && /invalid filter/.test(e.message), f);
  }
});

test('health=starting|healthy|unhealthy|none; other values refused', () => {
  const h = new Map([[list[0]!.id, 'healthy' as const]]);
  const names = (f: string) => filterContainers(list, [f], () => [], (c) => h.get(c.id)).map((c) => c.name);
  assert.deepEqual(names('health=healthy'), ['web-1']);
  assert.ok(!names('health=none').includes('web-1'));
  assert.ok(names('health=none').includes('db'));
  assert.deepEqual(names('health=unhealthy'), []);
  assert.throws(() => names('health=fine'), (e) => isBerthError(e) && e.exitCode === 125 && /Unrecognised filter value for health: fine/.test(e.message));
});
