import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stacksOf } from './views.js';

const ctr = (id: string, status: string, labels: Record<string, string>, ports: string[] = [], nets: string[] = []) => ({
  id,
  name: `n-${id}`,
  status,
  labels,
  ports,
  addresses: nets.map((network, i) => ({ network, ip: `10.0.${i}.${id}` })),
});
const svc = (p: string, s: string) => ({ 'com.docker.compose.project': p, 'com.docker.compose.service': s });

test('stacks are compose projects found by their labels, services sorted, replicas counted', () => {
  const stacks = stacksOf([
    ctr('1', 'running', svc('shop', 'web')),
    ctr('2', 'exited', svc('shop', 'web')),
    ctr('3', 'running', svc('shop', 'db')),
    ctr('4', 'running', svc('blog', 'app')),
    ctr('5', 'running', {}),
    ctr('6', 'running', { 'com.docker.compose.project': 'half' }),
  ]);
  assert.deepEqual(stacks.map((s) => s.project), ['blog', 'shop']);
  const shop = stacks[1]!;
  assert.deepEqual(shop.services.map((s) => [s.name, s.running, s.replicas]), [['db', 1, 1], ['web', 1, 2]]);
  assert.deepEqual(shop.services[1]!.containers.map((c) => c.id), ['1', '2']);
});

test('no compose containers, no stacks', () => {
  assert.deepEqual(stacksOf([ctr('1', 'running', {})]), []);
});

test("a stack's services carry their published ports and networks, their replicas in order, and the farm drawn from them", () => {
  const [shop] = stacksOf([
    ctr('1', 'running', svc('shop', 'proxy'), ['0.0.0.0:8080->80/tcp'], ['shop_private', 'shop_public']),
    ctr('3', 'exited', svc('shop', 'web'), [], ['shop_private']),
    ctr('2', 'running', svc('shop', 'web'), [], ['shop_private']),
  ]);
  assert.deepEqual(shop!.services.map((s) => [s.name, s.ports, s.networks]), [['proxy', ['0.0.0.0:8080->80/tcp'], ['shop_private', 'shop_public']], [
    'web',
    [],
    ['shop_private'],
  ]]);
  assert.deepEqual(shop!.services[1]!.containers.map((c) => c.addresses), [[{ network: 'shop_private', ip: '10.0.0.2' }], [{
    network: 'shop_private',
    ip: '10.0.0.3',
  }]]);
  assert.deepEqual(shop!.farm, [{ front: 'proxy', ports: ['0.0.0.0:8080->80/tcp'], backends: [{ service: 'web', networks: ['shop_private'] }] }]);
});
