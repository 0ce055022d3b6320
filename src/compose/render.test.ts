import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseYaml } from './yaml.js';
import { normalizeCompose } from './normalize.js';
import { createRequest, serviceHash } from './plan.js';
import { projectModel, projectToYaml } from './render.js';

const opts = { file: 'compose.yaml', workingDir: '/srv/limits', env: {}, hostPlatform: 'linux/amd64' };
// parseYaml, as load.ts: merge keys resolved. Interpolation is load.ts's: a $ here is literal.
const load = (text: string) => normalizeCompose(parseYaml(text, 'compose.yaml'), opts);
/** The printed model of the file, as parsed YAML, and the project it reads back to. */
const printed = (text: string) => {
  const yaml = projectToYaml(load(text));
  return { model: parse(yaml) as { services: Record<string, Record<string, unknown>> } & Record<string, unknown>, again: load(yaml), yaml };
};

const LIMITS = `
services:
  svc: { image: busybox, mem_limit: 64m, cpus: 0.5, pids_limit: 50 }
  dep: { image: busybox, deploy: { resources: { limits: { memory: 32m, cpus: 0.25, pids: 10 } } } }
  both: { image: busybox, mem_limit: 16m, deploy: { resources: { limits: { memory: 16m } } } }
`;

test('mem_limit, cpus and pids_limit print as the service keys they were given, as compose-go keeps them', () => {
  const { model, again } = printed(LIMITS);
  const svc = model.services.svc!;
  assert.equal(svc.mem_limit, '67108864');
  assert.equal(svc.cpus, 0.5);
  assert.equal(svc.pids_limit, 50);
  assert.equal(svc.deploy, undefined);
  assert.deepEqual(model.services.dep!.deploy, { resources: { limits: { cpus: 0.25, memory: '33554432', pids: 10 } } });
  assert.equal(model.services.dep!.mem_limit, undefined);
  assert.equal(model.services.dep!.pids_limit, undefined);
  // Both places given: both printed, as compose-go keeps MemLimit and Deploy apart.
  assert.equal(model.services.both!.mem_limit, '16777216');
  assert.deepEqual(model.services.both!.deploy, { resources: { limits: { memory: '16777216' } } });
  // Read back, each limit is where it was.
  const given = (p: ReturnType<typeof load>) => Object.fromEntries(p.services.map((s) => [s.name, s.limitsGiven]));
  assert.deepEqual(given(again), given(load(LIMITS)));
});

test('where a limit was written changes neither what runs nor the config hash', () => {
  const a = load('services: { web: { image: busybox, mem_limit: 64m, cpus: 0.5, pids_limit: 50 } }');
  const b = load('services: { web: { image: busybox, deploy: { resources: { limits: { memory: 64m, cpus: 0.5, pids: 50 } } } } }');
  assert.deepEqual(a.services[0]!.limitsGiven, { service: ['memory', 'cpus', 'pids'], deploy: [] });
  assert.deepEqual(b.services[0]!.limitsGiven, { service: [], deploy: ['memory', 'cpus', 'pids'] });
  const req = (p: typeof a) => createRequest(p, p.services[0]!, { number: 1, hash: 'h' });
  assert.deepEqual(req(a).resources, req(b).resources);
  assert.equal(req(a).resources.memory, 64 * 1024 * 1024);
  assert.equal(serviceHash(a, a.services[0]!), serviceHash(b, b.services[0]!));
});

test('the config hash of a stack is what berth before these model keys computed: up recreates nothing', () => {
  // Computed with main at 073e7f7, before limitsGiven, imageDefaulted and extensions were in the model.
  const p = load(`
x-top: { a: 1 }
services:
  svc: { image: busybox, mem_limit: 64m, cpus: 0.5, pids_limit: 50, x-note: 1 }
  dep: { image: busybox, deploy: { resources: { limits: { memory: 32m, cpus: 0.25, pids: 10 } } } }
  web: { build: /srv/limits, mem_limit: 16m, deploy: { resources: { limits: { memory: 16m } } } }
`);
  assert.deepEqual(Object.fromEntries(p.services.map((s) => [s.name, serviceHash(p, s)])), {
    svc: 'eb0ac8ff9ae9fcd7178157d1770bd92cfbc84d370ecc49785b1a05bdd19abdfb',
    dep: '30331e493ee1c34f4fb586fdf93932176efaec23576a117c88c703fd89ca7bc4',
    web: '9c447f417182e54b067f83f3f7da34d462f1e0dad81d0f37636fd60e4f72de90',
  });
});

test('a service that builds without image: prints no image, as compose-go models it, and still runs PROJECT-SERVICE', () => {
  const text = 'services: { web: { build: /srv/limits }, tagged: { build: /srv/limits, image: example/tagged:1 } }';
  const { model, again } = printed(text);
  assert.equal('image' in model.services.web!, false);
  assert.equal(model.services.tagged!.image, 'example/tagged:1');
  const web = again.services.find((s) => s.name === 'web')!;
  assert.equal(web.image, 'limits-web');
  assert.equal(web.imageDefaulted, true);
  assert.equal(again.services.find((s) => s.name === 'tagged')!.imageDefaulted, undefined);
  assert.equal(createRequest(again, web, { number: 1, hash: 'h' }).image, 'limits-web');
});

test('top-level and service x- extensions are kept and printed, sorted, after the spec keys', () => {
  const text = `
x-zeta: last
x-defaults: &d { restart: always, labels: { b: "2", a: "1" } }
services:
  web: { <<: *d, image: busybox, x-note: { z: 1, cost: "$5" } }
`;
  const p = load(text);
  assert.deepEqual(p.extensions, { 'x-zeta': 'last', 'x-defaults': { restart: 'always', labels: { b: '2', a: '1' } } });
  assert.deepEqual(p.services[0]!.extensions, { 'x-note': { z: 1, cost: '$5' } });
  const { model, again, yaml } = printed(text);
  assert.deepEqual(Object.keys(model), ['name', 'services', 'networks', 'x-defaults', 'x-zeta']);
  assert.deepEqual(Object.keys(model.services.web!).at(-1), 'x-note');
  assert.deepEqual(Object.keys((model['x-defaults'] as { labels: object }).labels), ['a', 'b']);
  // Escaped as every value is, so that load.ts's interpolation reads it back as a literal dollar.
  assert.match(yaml, /cost: \$\$5/);
  assert.deepEqual(again.extensions, p.extensions);
  assert.deepEqual(Object.keys(again.services[0]!.extensions!['x-note'] as object), ['cost', 'z']);
});

test('a project without extensions prints none', () => {
  const { model } = printed('services: { web: { image: busybox } }');
  assert.deepEqual(Object.keys(model), ['name', 'services', 'networks']);
});

test("--format json keeps the project x- keys and drops a service's, as compose-go's MarshalJSON does", () => {
  const p = load('x-top: 1\nservices: { web: { image: busybox, x-note: 2 } }');
  const model = projectModel(p, 'json') as { services: { web: Record<string, unknown> } } & Record<string, unknown>;
  assert.equal(model['x-top'], 1);
  assert.equal('x-note' in model.services.web, false);
  assert.equal((projectModel(p, 'yaml') as typeof model).services.web['x-note'], 2);
});
