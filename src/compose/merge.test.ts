import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mergeFiles, mergeService } from './merge.js';
import { parseYaml, stripTags } from './yaml.js';

const y = (t: string) => parseYaml(t, 't.yaml') as Record<string, unknown>;
const merged = (a: string, b: string) => stripTags(mergeFiles(y(a), y(b))) as any;

test('scalars and commands are replaced, mappings merged key by key', () => {
  const m = merged('services: { web: { image: a, command: [x, y], healthcheck: { test: [CMD, a], interval: 5s } } }',
    'services: { web: { image: b, command: [z], healthcheck: { test: [CMD, b] } } }');
  assert.deepEqual(m.services.web, { image: 'b', command: ['z'], healthcheck: { test: ['CMD', 'b'], interval: '5s' } });
});

test('environment and labels merge by key whatever their syntax', () => {
  const m = merged('services: { web: { environment: [A=1, B=2], labels: { x: "1" } } }',
    'services: { web: { environment: { B: "3", C: null }, labels: [y=2] } }');
  assert.deepEqual(m.services.web.environment, { A: '1', B: '3', C: null });
  assert.deepEqual(m.services.web.labels, { x: '1', y: '2' });
});

test('ports and expose append without duplicates; volumes replace the same target', () => {
  const m = merged('services: { web: { ports: ["80:80"], expose: ["1"], volumes: ["./a:/data", "v:/cache"] } }',
    'services: { web: { ports: ["80:80", "81:81"], expose: ["1", "2"], volumes: [{ type: bind, source: /b, target: /data }] } }');
  assert.deepEqual(m.services.web.ports, ['80:80', '81:81']);
  assert.deepEqual(m.services.web.expose, ['1', '2']);
  assert.deepEqual(m.services.web.volumes, [{ type: 'bind', source: '/b', target: '/data' }, 'v:/cache']);
});

test('depends_on and networks in list form merge with the long form', () => {
  const m = merged('services: { web: { depends_on: [db], networks: [a] } }',
    'services: { web: { depends_on: { cache: { condition: service_healthy } }, networks: { b: { aliases: [x] } } } }');
  assert.deepEqual(m.services.web.depends_on, { db: { condition: 'service_started' }, cache: { condition: 'service_healthy' } });
  assert.deepEqual(m.services.web.networks, { a: null, b: { aliases: ['x'] } });
});

test('!reset drops a value and !override replaces it whole', () => {
  const m = merged('services: { web: { ports: ["80"], environment: { A: "1", B: "2" }, labels: { k: v } } }',
    'services: { web: { ports: !reset [], environment: !override { C: "3" } } }');
  assert.deepEqual(m.services.web, { environment: { C: '3' }, labels: { k: 'v' } });
  // Tags left in a single file are resolved too.
  assert.deepEqual(stripTags(y('services: { web: { image: a, ports: !reset ["1"], labels: !override { a: b } } }')), {
    services: { web: { image: 'a', labels: { a: 'b' } } },
  });
});

test('new services, networks and volumes are added; top-level scalars replaced', () => {
  const m = merged('name: a\nservices: { web: { image: a } }\nnetworks: { n: { internal: true } }',
    'name: b\nservices: { db: { image: d } }\nnetworks: { n: { labels: { x: y } }, m: null }');
  assert.equal(m.name, 'b');
  assert.deepEqual(Object.keys(m.services), ['web', 'db']);
  assert.deepEqual(m.networks, { n: { internal: true, labels: { x: 'y' } }, m: null });
});

test('mergeService is what extends uses', () => {
  assert.deepEqual(mergeService({ image: 'a', environment: ['A=1'] }, { environment: { B: '2' } }), { image: 'a', environment: { A: '1', B: '2' } });
});
