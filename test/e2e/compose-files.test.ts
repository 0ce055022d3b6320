// How a project is put together, run for real on busybox: files named by COMPOSE_FILE (merged),
// variables from --env-file, include, external networks and volumes made beforehand with berth,
// and the long syntax of ports, volumes and networks (aliases, a static address in an ipam
// subnet); each effect checked from inside the containers or on loopback. down leaves nothing
// but the external objects, which the test removes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { Berth, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const project = `files${suffix}`;
const extNet = `extnet-${suffix}`;
const extVol = `extvol-${suffix}`;
const port = 20000 + Math.floor(Math.random() * 20000);
// A /24 unlikely to be another test's; berth refuses one that is taken, which would fail loudly.
const third = 100 + Math.floor(Math.random() * 100);
const subnet = `10.213.${third}.0/24`;
const staticIp = `10.213.${third}.50`;
let b: Berth;
let dir: string;

const HTTPD = (text: string) => `["sh", "-c", "mkdir -p /www && echo ${text} > /www/index.html && exec httpd -f -p 8080 -h /www"]`;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-files-');
  mkdirSync(join(dir, 'backend'));
  writeFileSync(join(dir, 'vars.env'), `IMAGE=localhost/busybox:latest\nGREETING=from-env-file\nPORT=${port}\n`);
  writeFileSync(join(dir, 'backend', 'compose.yaml'), `
services:
  api:
    image: localhost/busybox:latest
    command: ${HTTPD('hello-from-included')}
    networks:
      back:
        aliases: [api-alias]
        ipv4_address: ${staticIp}
networks:
  back:
    ipam:
      config:
        - subnet: ${subnet}
`);
  writeFileSync(join(dir, 'compose.yaml'), `
include:
  - backend/compose.yaml
services:
  front:
    image: \${IMAGE}
    command: ${HTTPD('hello-from-front')}
    environment:
      GREETING: \${GREETING}
    ports:
      - target: 8080
        published: "\${PORT}"
        host_ip: 127.0.0.1
        protocol: tcp
    volumes:
      - type: volume
        source: shared
        target: /shared
    networks: [back, outside]
    depends_on: [api]
networks:
  outside:
    external: true
    name: ${extNet}
volumes:
  shared:
    external: true
    name: ${extVol}
`);
  // The second file of COMPOSE_FILE: merged over the first by Compose's rules.
  writeFileSync(join(dir, 'extra.yaml'), `
services:
  front:
    labels:
      com.example.from: extra-file
`);
  b.ok(['network', 'create', extNet]);
  b.ok(['volume', 'create', extVol]);
  b.ok(['run', '--rm', '--network', 'none', '-v', `${extVol}:/v`, 'busybox', 'sh', '-c', 'echo made-before > /v/seed']);
});

after(() => {
  b.run(['compose', '-p', project, 'down']);
  b.run(['network', 'rm', extNet]);
  b.run(['volume', 'rm', extVol]);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// Relative COMPOSE_FILE paths are the shell's working directory's, as in Compose; these are absolute.
const compose = (args: string[]) =>
  b.run(['compose', '--project-directory', dir, '--env-file', join(dir, 'vars.env'), ...args], {
    env: { COMPOSE_FILE: `${join(dir, 'compose.yaml')}:${join(dir, 'extra.yaml')}`, COMPOSE_PROJECT_NAME: project },
  });
const sh = (ctr: string, script: string) => b.ok(['exec', ctr, 'sh', '-c', script]).trim();

function fetchLoopback(p: number): Promise<string> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port: p, path: '/' }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => (body += d.toString()));
      r.on('end', () => res(body));
    }).on('error', rej);
  });
}

test('up: COMPOSE_FILE, --env-file, include, external objects and the long syntax all take effect', async () => {
  const up = compose(['up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  const front = `${project}-front-1`;
  const api = `${project}-api-1`;
  // --env-file: the image, the environment and the published port came from vars.env.
  assert.equal(sh(front, 'echo $GREETING'), 'from-env-file');
  // COMPOSE_FILE: extra.yaml's label merged onto front.
  assert.equal((b.inspect(front) as any).Config.Labels['com.example.from'], 'extra-file');
  // The long syntax of ports: published on loopback only.
  assert.equal((await fetchLoopback(port)).trim(), 'hello-from-front');
  assert.match(b.ok(['port', front]), new RegExp(`^8080/tcp -> 127\\.0\\.0\\.1:${port}$`, 'm'));
  // include: the included file's service and network, with its static address and alias.
  assert.match(sh(api, 'ip -4 addr show'), new RegExp(`inet ${staticIp.replaceAll('.', '\\.')}/24`));
  assert.equal(sh(front, 'wget -qO- http://api-alias:8080/'), 'hello-from-included');
  assert.equal(sh(front, 'wget -qO- http://api:8080/'), 'hello-from-included');
  // External volume: what was there before is there; external network: front is attached to it.
  assert.equal(sh(front, 'cat /shared/seed'), 'made-before');
  const nets = Object.keys((b.inspect(front) as any).NetworkSettings.Networks).sort();
  assert.deepEqual(nets, [`${project}_back`, extNet].sort());
});

test('down removes the project but leaves the external network and volume', () => {
  const down = compose(['down']);
  assert.equal(down.status, 0, down.stderr);
  assert.deepEqual(jsonLines(b.ok(['ps', '-a', '--format', 'json'])), []);
  const nets = (jsonLines<{ Name: string }>(b.ok(['network', 'ls', '--format', 'json']))).map((n) => n.Name);
  assert.ok(nets.includes(extNet));
  assert.ok(!nets.includes(`${project}_back`));
  assert.match(b.ok(['volume', 'ls']), new RegExp(extVol));
});
