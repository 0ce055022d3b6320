import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { normalizeCompose } from './normalize.js';
import { checkFeasible, containerName, createRequest, parseScale, planService, serviceHash, startOrder, withRestartDependents, type Existing } from './plan.js';

const load = (text: string) => normalizeCompose(parse(text), { file: 'compose.yaml', workingDir: '/srv/farm', env: {} });

const FARM = `
services:
  proxy: { image: nginx, ports: ["8080:80"], networks: [private, public], depends_on: [web] }
  web:
    image: busybox
    command: [httpd, -f]
    networks: { private: { aliases: [www], ipv4_address: 10.99.0.9 } }
    mem_limit: 64m
    restart: on-failure:3
    deploy: { replicas: 3 }
    volumes: ["./www:/www:ro", "data:/data"]
  db: { image: busybox }
networks: { private: { internal: true }, public: {} }
volumes: { data: {} }
`;

test('start order puts dependencies first and keeps file order otherwise', () => {
  assert.deepEqual(startOrder(load(FARM).services).map((s) => s.name), ['web', 'proxy', 'db']);
  const chain = load('services: { a: { image: x, depends_on: [b] }, b: { image: x, depends_on: [c] }, c: { image: x } }');
  assert.deepEqual(startOrder(chain.services).map((s) => s.name), ['c', 'b', 'a']);
});

test('create requests carry names, labels, aliases, limits and mounts', () => {
  const p = load(FARM);
  const web = p.services.find((s) => s.name === 'web')!;
  const req = createRequest(p, web, { number: 2, hash: 'h1' });
  assert.equal(req.name, 'farm-web-2');
  assert.equal(containerName('farm', 'web', 2), 'farm-web-2');
  assert.deepEqual(req.cmd, ['httpd', '-f']);
  assert.equal(req.entrypoint, undefined);
  assert.deepEqual(req.networks, [{ network: 'farm_private', aliases: ['web', 'www'], ip: '10.99.0.9' }]);
  assert.equal(req.resources.memory, 64 * 1024 * 1024);
  assert.deepEqual(req.restart, { name: 'on-failure', maxRetries: 3 });
  assert.deepEqual(req.volumes, [
    { source: '/srv/farm/www', destination: '/www', readonly: true },
    { source: 'farm_data', destination: '/data', readonly: false, named: true },
  ]);
  assert.equal(req.labels['com.docker.compose.project'], 'farm');
  assert.equal(req.labels['com.docker.compose.service'], 'web');
  assert.equal(req.labels['com.docker.compose.container-number'], '2');
  assert.equal(req.labels['com.docker.compose.config-hash'], 'h1');
  assert.equal(req.networkMode, 'bridge');
  const proxy = createRequest(p, p.services[0]!, { number: 1, hash: 'h' });
  assert.deepEqual(proxy.ports, ['8080:80']);
  assert.deepEqual(proxy.networks.map((n) => n.network), ['farm_private', 'farm_public']);
});

test('the config hash ignores the replica count but not the configuration', () => {
  const a = load(FARM);
  const b = load(FARM.replace('replicas: 3', 'replicas: 5'));
  const c = load(FARM.replace('mem_limit: 64m', 'mem_limit: 128m'));
  const web = (p: typeof a) => p.services.find((s) => s.name === 'web')!;
  assert.equal(serviceHash(a, web(a)), serviceHash(b, web(b)));
  assert.notEqual(serviceHash(a, web(a)), serviceHash(c, web(c)));
  // The proxy does not change when the servers scale.
  assert.equal(serviceHash(a, a.services[0]!), serviceHash(b, b.services[0]!));
  assert.match(serviceHash(a, web(a)), /^[0-9a-f]{64}$/);
});

const ex = (number: number, hash = 'h', running = true): Existing => ({ id: `id${number}`, name: `p-s-${number}`, number, hash, running });

test('planService keeps, recreates, creates and removes the right replicas', () => {
  assert.deepEqual(planService(3, 'h', []), { keep: [], recreate: [], create: [1, 2, 3], remove: [] });
  assert.deepEqual(planService(3, 'h', [ex(1), ex(2), ex(3)]), { keep: [ex(1), ex(2), ex(3)], recreate: [], create: [], remove: [] });
  const up = planService(5, 'h', [ex(1), ex(2), ex(3)]);
  assert.deepEqual(up.create, [4, 5]);
  const downTo2 = planService(2, 'h', [ex(1), ex(2), ex(3), ex(4)]);
  assert.deepEqual(downTo2.remove.map((e) => e.number), [4, 3]);
  assert.deepEqual(downTo2.keep.map((e) => e.number), [1, 2]);
  const changed = planService(2, 'new', [ex(1), ex(2, 'new')]);
  assert.deepEqual(changed.recreate.map((e) => e.number), [1]);
  assert.deepEqual(changed.keep.map((e) => e.number), [2]);
  // A gap left by a removed replica is filled first.
  assert.deepEqual(planService(3, 'h', [ex(1), ex(3)]).create, [2]);
  assert.deepEqual(planService(0, 'h', [ex(1)]).remove.map((e) => e.number), [1]);
});

test('--scale is checked against the project', () => {
  const p = load(FARM);
  assert.deepEqual([...parseScale(['web=5', 'db=0'], p)], [['web', 5], ['db', 0]]);
  assert.throws(() => parseScale(['web'], p), /invalid --scale "web": expected SERVICE=NUMBER/);
  assert.throws(() => parseScale(['nope=2'], p), /no such service: nope/);
});

test('checkFeasible refuses what would fail half way through up', () => {
  const ok = load('services: { a: { image: x, ports: ["8080:80", "90"], deploy: { replicas: 1 } }, b: { image: x, ports: ["90"], deploy: { replicas: 3 } } }');
  checkFeasible(ok, new Map(), 2);
  assert.throws(() => checkFeasible(ok, new Map([['a', 2]]), 2), /service a: 2 replicas cannot all publish host port 8080/);
  const twice = load('services: { a: { image: x, ports: ["8080:80"] }, b: { image: x, ports: ["8080:81"] } }');
  assert.throws(() => checkFeasible(twice, new Map(), 2), /services a and b both publish host port 8080\/tcp/);
  checkFeasible(twice, new Map([['b', 0]]), 2);
  const ip = load('services: { a: { image: x, networks: { n: { ipv4_address: 10.1.0.5 } }, deploy: { replicas: 2 } } }\nnetworks: { n: {} }');
  assert.throws(() => checkFeasible(ip, new Map(), 2), /2 replicas cannot all have the address 10\.1\.0\.5/);
  const cpu = load('services: { a: { image: x, cpus: 4 } }');
  assert.throws(() => checkFeasible(cpu, new Map(), 2), /service a: cpus 4 is more than the 2 CPUs/);
});

test('withRestartDependents follows restart: true from a dependency to its dependents', () => {
  const p = load(`services:
  db: { image: x }
  api: { image: x, depends_on: { db: { condition: service_started, restart: true } } }
  web: { image: x, depends_on: { api: { condition: service_started, restart: true } } }
  batch: { image: x, depends_on: [db] }
`);
  assert.deepEqual(withRestartDependents(p.services, ['db']).sort(), ['api', 'db', 'web']);
  assert.deepEqual(withRestartDependents(p.services, ['api']).sort(), ['api', 'web']);
  assert.deepEqual(withRestartDependents(p.services, ['batch']), ['batch']);
  assert.deepEqual(withRestartDependents(p.services, []), []);
});

test('serviceHash leaves out profiles, pull_policy and keys at their defaults', () => {
  const p = load('services: { a: { image: x } }');
  const s = p.services[0]!;
  const h = serviceHash(p, s);
  assert.equal(serviceHash(p, { ...s, profiles: ['x'], pullPolicy: 'always' }), h);
  // A service as an older berth knew it (none of the newer keys) hashes the same.
  const { expose: _e, annotations: _a, readOnly: _r, networkMode: _n, secrets: _s, configs: _c, reservations: _v, ...old } = s;
  assert.equal(serviceHash(p, old as typeof s), h);
  assert.notEqual(serviceHash(p, { ...s, readOnly: true }), h);
  assert.notEqual(serviceHash(p, { ...s, expose: ['80'] }), h);
});

test('planService with no hash (--no-recreate) keeps every replica that stays, changed or not', () => {
  assert.deepEqual(planService(2, null, [ex(1, 'old'), ex(2, 'h'), ex(3, 'old')]), {
    keep: [ex(1, 'old'), ex(2, 'h')],
    recreate: [],
    create: [],
    remove: [ex(3, 'old')],
  });
});

test('serviceHash ignores build: (a rebuilt image recreates through its id) but not a secret value', () => {
  const p = load('services:\n  web:\n    build: /srv/farm/app\n    secrets: [s]\nconfigs: {}\nsecrets: { s: { file: /f } }\n');
  const q = load('services:\n  web:\n    build: { context: /srv/farm/app, args: { A: "1" } }\n    secrets: [s]\nsecrets: { s: { file: /f } }\n');
  assert.equal(serviceHash(p, p.services[0]!), serviceHash(q, q.services[0]!));
  const r = load('services:\n  web:\n    build: /srv/farm/app\n    secrets: [{ source: s, mode: 0400 }]\nsecrets: { s: { file: /f } }\n');
  assert.notEqual(serviceHash(p, p.services[0]!), serviceHash(r, r.services[0]!));
});

test('create_host_path is not hashed: a bind written in the long syntax without it recreates nothing', () => {
  const short = load('services: { web: { image: x, volumes: ["/srv/a:/a"] } }');
  const long = load('services: { web: { image: x, volumes: [{ type: bind, source: /srv/a, target: /a }] } }');
  assert.equal(short.services[0]!.volumes[0]!.createHostPath, true);
  assert.equal(serviceHash(short, short.services[0]!), serviceHash(long, long.services[0]!));
});
