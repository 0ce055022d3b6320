import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findComposeFile, loadProject, parseYaml } from './load.js';
import { normalizeCompose } from './normalize.js';
import { projectToYaml } from './render.js';

const dir = mkdtempSync('/tmp/berth-compose-test-');
after(() => rmSync(dir, { recursive: true, force: true }));

test('parseYaml reports syntax errors with their line and refuses duplicate keys', () => {
  assert.throws(() => parseYaml('services:\n  web: [\n', 'c.yaml'), /c\.yaml: invalid YAML \(line \d+, column \d+\)/);
  assert.throws(() => parseYaml('a: 1\na: 2\n', 'c.yaml'), /c\.yaml: invalid YAML.*[Dd]uplicate|unique/);
  assert.deepEqual(parseYaml('x: &a { k: 1 }\ny: { <<: *a, j: 2 }\n', 'c.yaml'), { x: { k: 1 }, y: { k: 1, j: 2 } });
});

test('loadProject finds the default file, reads .env and names the project after the directory', () => {
  const d = join(dir, 'My_Stack');
  mkdirSync(d);
  assert.equal(findComposeFile(d), undefined);
  assert.throws(() => loadProject({ cwd: d, env: {} }), /no compose file found/);
  writeFileSync(join(d, 'docker-compose.yml'), 'services:\n  web:\n    image: ${IMG}\n    command: echo $$HOME ${TAG:-v1}\n');
  writeFileSync(join(d, '.env'), 'IMG=from-dotenv\nTAG=v2\n');
  const p = loadProject({ cwd: d, env: { TAG: 'v3' } });
  assert.equal(p.name, 'my_stack');
  assert.equal(p.workingDir, d);
  assert.equal(p.services[0]!.image, 'from-dotenv');
  assert.deepEqual(p.services[0]!.command, ['echo', '$HOME', 'v3']);
  assert.throws(() => loadProject({ cwd: d, file: 'missing.yaml', env: {} }), /cannot read compose file .*missing\.yaml: ENOENT/);
});

test('compose config output reads back to the same project', () => {
  const d = join(dir, 'farm');
  mkdirSync(d);
  writeFileSync(join(d, 'compose.yaml'), `
services:
  web:
    image: busybox
    command: sh -c 'echo "$$(hostname)" > /www/index.html; exec httpd -f'
    environment: { A: 1 }
    networks: { private: { aliases: [www] } }
    deploy: { replicas: 3, resources: { limits: { memory: 64m, cpus: 0.5 } } }
    healthcheck: { test: "true", interval: 1500ms }
  proxy:
    image: nginx
    ports: ["8080:80"]
    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]
    networks: [private, public]
    depends_on: { web: { condition: service_healthy } }
    blkio_config: { device_write_bps: [{ path: /dev/sda, rate: 1m }] }
networks:
  private: { internal: true, ipam: { config: [{ subnet: 10.98.0.0/24 }] } }
  public:
`);
  const p = loadProject({ cwd: d, env: {} });
  assert.deepEqual(p.services[0]!.command, ['sh', '-c', 'echo "$(hostname)" > /www/index.html; exec httpd -f']);
  const text = projectToYaml(p);
  writeFileSync(join(d, 'again.yaml'), text);
  const again = loadProject({ cwd: d, file: 'again.yaml', env: {} });
  // compose config prints services, like every map of compose-go's model, sorted by name.
  const byName = <T extends { name?: string; key?: string }>(xs: T[]) => [...xs].sort((a, b) => ((a.name ?? a.key)! < (b.name ?? b.key)! ? -1 : 1));
  const same = (x: typeof p) => ({ ...x, configFile: 'x', configFiles: [], services: byName(x.services), networks: byName(x.networks) });
  assert.deepEqual(same(again), same(p));
  assert.deepEqual(again.services.map((s) => s.name), ['proxy', 'web']);
  assert.deepEqual(normalizeCompose(parseYaml(text, 'x'), { file: 'x', workingDir: d, env: {} }).name, 'farm');
});

test('project name: -p, then COMPOSE_PROJECT_NAME (shell or .env), then name:, then the directory', () => {
  const d = join(dir, 'Named');
  mkdirSync(d);
  writeFileSync(join(d, 'compose.yaml'), 'name: from-file\nservices: { a: { image: x } }\n');
  assert.equal(loadProject({ cwd: d, env: {} }).name, 'from-file');
  assert.equal(loadProject({ cwd: d, env: { COMPOSE_PROJECT_NAME: 'from-env' } }).name, 'from-env');
  assert.equal(loadProject({ cwd: d, env: { COMPOSE_PROJECT_NAME: 'from-env' }, projectName: 'flag' }).name, 'flag');
  writeFileSync(join(d, '.env'), 'COMPOSE_PROJECT_NAME=dotenv\n');
  assert.equal(loadProject({ cwd: d, env: {} }).name, 'dotenv');
});

test('several files: later ones override, relative paths start in the project directory', () => {
  const d = join(dir, 'multi');
  mkdirSync(join(d, 'overrides'), { recursive: true });
  writeFileSync(join(d, 'compose.yaml'), 'services: { a: { image: x, volumes: ["./data:/data"] } }\n');
  writeFileSync(join(d, 'overrides/dev.yaml'), 'services: { a: { image: y, volumes: ["./src:/src"] } }\n');
  const p = loadProject({ cwd: d, env: {}, files: ['compose.yaml', 'overrides/dev.yaml'] });
  assert.equal(p.services[0]!.image, 'y');
  assert.deepEqual(p.services[0]!.volumes.map((v) => v.source), [join(d, 'data'), join(d, 'src')]);
  assert.deepEqual(p.configFiles, [join(d, 'compose.yaml'), join(d, 'overrides/dev.yaml')]);
  // COMPOSE_FILE names them the same way.
  assert.equal(loadProject({ cwd: d, env: { COMPOSE_FILE: 'compose.yaml:overrides/dev.yaml' } }).services[0]!.image, 'y');
});

test('include: a conflicting name is refused; the included .env feeds only its own file', () => {
  const d = join(dir, 'inc');
  mkdirSync(join(d, 'lib'), { recursive: true });
  writeFileSync(join(d, 'lib/compose.yaml'), 'services: { db: { image: "pg:${V}" } }\n');
  writeFileSync(join(d, 'lib/.env'), 'V=16\n');
  writeFileSync(join(d, 'compose.yaml'), 'include: [lib/compose.yaml]\nservices: { app: { image: "app:${V:-none}" } }\n');
  const p = loadProject({ cwd: d, env: {} });
  assert.deepEqual(p.services.map((s) => `${s.name}=${s.image}`), ['app=app:none', 'db=pg:16']);
  assert.equal(loadProject({ cwd: d, env: { V: '17' } }).services[1]!.image, 'pg:17', 'the including project wins');
  writeFileSync(join(d, 'compose.yaml'), 'include: [lib/compose.yaml]\nservices: { db: { image: other } }\n');
  assert.throws(() => loadProject({ cwd: d, env: {} }), /include .*lib\/compose\.yaml: services\.db is also defined by the including file/);
});

test('warnings: unset variables once each, swarm keys', () => {
  const d = join(dir, 'warn');
  mkdirSync(d);
  writeFileSync(join(d, 'compose.yaml'), 'services: { a: { image: "x:${T}", command: "echo ${T}", deploy: { placement: {} } } }\n');
  const warnings: string[] = [];
  loadProject({ cwd: d, env: {}, warn: (w) => warnings.push(w) });
  assert.deepEqual(warnings, ['The "T" variable is not set. Defaulting to a blank string.',
    'services.a.deploy.placement: ignored: a swarm key, with no meaning on one machine']);
});
