import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import type { Container } from '../engine/index.js';
import { normalizeCompose } from './normalize.js';
import { oneOffName, pickReplica, runRequest } from './oneoff.js';

const p = normalizeCompose(
  parse(`services:
  web:
    image: x
    container_name: the-web
    command: [serve]
    environment: { A: "1", B: "2" }
    ports: ["8080:80"]
    restart: always
    healthcheck: { test: ["CMD", "true"] }
`),
  { file: 'compose.yaml', workingDir: '/srv/shop', env: {} },
);
const web = p.services[0]!;
const base = { command: [], env: [], autoRemove: false, servicePorts: false, publish: [] };

test('a one-off is named PROJECT-SERVICE-run-HEX, labelled oneoff, without restart policy or published ports', () => {
  assert.match(oneOffName(p, web), /^shop-web-run-[0-9a-f]{12}$/);
  const r = runRequest(p, web, base, 'abcdefabcdef');
  assert.equal(r.name, 'shop-web-run-abcdefabcdef', 'container_name names the replica, never a one-off');
  assert.equal(r.labels['com.docker.compose.oneoff'], 'True');
  assert.equal(r.labels['com.docker.compose.service'], 'web');
  assert.deepEqual(r.restart, { name: 'no', maxRetries: 0 });
  assert.deepEqual(r.ports, []);
  assert.deepEqual(r.cmd, ['serve']);
  assert.deepEqual(runRequest(p, web, { ...base, servicePorts: true, publish: ['9090:90'] }).ports, ['8080:80', '9090:90']);
});

test('-e adds to and overrides the environment; --entrypoint drops the image command unless one is given', () => {
  const r = runRequest(p, web, { ...base, env: ['B=3', 'C=4'], entrypoint: ['sh', '-c'], command: [] });
  assert.deepEqual(r.env.sort(), ['A=1', 'B=3', 'C=4']);
  assert.deepEqual(r.entrypoint, ['sh', '-c']);
  assert.deepEqual(r.cmd, []);
  assert.deepEqual(runRequest(p, web, { ...base, entrypoint: ['echo'], command: ['hi'] }).cmd, ['hi']);
  assert.throws(() => runRequest(p, web, { ...base, env: ['=x'] }), /invalid -e "=x": no name before =/);
});

test('pickReplica finds --index N among the service replicas, never a one-off', () => {
  const ctr = (name: string, service: string, n: number, oneoff = false) =>
    ({ name,
      labels: { 'com.docker.compose.service': service, 'com.docker.compose.container-number': String(n),
        ...(oneoff ? { 'com.docker.compose.oneoff': 'True' } : {}) } }) as unknown as Container;
  const all = [ctr('shop-web-run-1', 'web', 1, true), ctr('shop-web-1', 'web', 1), ctr('shop-web-2', 'web', 2), ctr('shop-db-1', 'db', 1)];
  assert.equal(pickReplica(all, 'shop', 'web', undefined).name, 'shop-web-1');
  assert.equal(pickReplica(all, 'shop', 'web', 2).name, 'shop-web-2');
  assert.throws(() => pickReplica(all, 'shop', 'web', 3), /service "web" has no container number 3/);
  assert.throws(() => pickReplica(all, 'shop', 'cache', undefined), /service "cache" is not running/);
});
