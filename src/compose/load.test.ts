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
  assert.deepEqual({ ...again, configFile: 'x', configFiles: [] }, { ...p, configFile: 'x', configFiles: [] });
  assert.deepEqual(normalizeCompose(parseYaml(text, 'x'), { file: 'x', workingDir: d, env: {} }).name, 'farm');
});
