import { test } from 'node:test';
import assert from 'node:assert/strict';
import { farmOf } from './farm.js';

const svc = (name: string, ports: string[], networks: string[]) => ({ name, ports, networks });

test('the service publishing a port is the front; it reaches the unpublished services on the networks it shares with them', () => {
  const farm = farmOf([
    svc('db', [], ['shop_back']),
    svc('proxy', ['0.0.0.0:8080->80/tcp'], ['shop_private', 'shop_public']),
    svc('web', [], ['shop_private', 'shop_back']),
    svc('worker', [], ['shop_back']),
  ]);
  assert.deepEqual(farm, [{ front: 'proxy', ports: ['0.0.0.0:8080->80/tcp'], backends: [{ service: 'web', networks: ['shop_private'] }] }]);
});

test('two fronts are drawn apart and do not point at each other; no published port, no farm', () => {
  const farm = farmOf([svc('a-front', ['127.0.0.1:1->1/tcp'], ['n']), svc('b-front', ['127.0.0.1:2->2/tcp'], ['n']), svc('srv', [], ['n'])]);
  assert.deepEqual(farm.map((f) => [f.front, f.backends.map((b) => b.service)]), [['a-front', ['srv']], ['b-front', ['srv']]]);
  assert.deepEqual(farmOf([svc('web', [], ['n']), svc('db', [], ['n'])]), []);
});
