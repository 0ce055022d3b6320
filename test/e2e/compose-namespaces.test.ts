// network_mode service:/container:, pid and ipc (service:, container:, host), domainname and
// annotations, run for real on busybox: each sharing checked from inside the containers by
// their namespace links, and by what crosses them (a server on the other's loopback, its
// processes seen); then down leaves nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, jsonLines } from './helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
const project = `ns${suffix}`;
const web = `nsweb-${suffix}`;
let b: Berth;
let dir: string;

const LOOP = `trap 'exit 0' TERM; while :; do sleep 0.2; done`;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-ns-');
  writeFileSync(join(dir, 'compose.yaml'), `
x-loop: &loop
  image: localhost/busybox:latest
  command: ["sh", "-c", "${LOOP}"]
  stop_grace_period: 2s
services:
  web:
    image: localhost/busybox:latest
    container_name: ${web}
    hostname: webhost
    domainname: example.test
    annotations:
      org.example.role: web
    environment:
      REV: \${REV:-1}
    command: ["sh", "-c", "mkdir -p /www && echo hello-over-loopback > /www/index.html && exec httpd -f -p 127.0.0.1:8080 -h /www"]
    stop_grace_period: 2s
  side:
    <<: *loop
    network_mode: service:web
    pid: service:web
    ipc: service:web
  bycontainer:
    <<: *loop
    network_mode: container:${web}
    depends_on: [web]
  hostns:
    <<: *loop
    pid: host
    ipc: host
    network_mode: none
`);
});

after(() => {
  b.run(['compose', '-p', project, 'down']);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const compose = (args: string[]) => b.run(['compose', '-p', project, '--project-directory', dir, '-f', join(dir, 'compose.yaml'), ...args]);
const sh = (ctr: string, script: string) => b.ok(['exec', ctr, 'sh', '-c', script]).trim();
const nsOf = (ctr: string, kind: string) => sh(ctr, `readlink /proc/self/ns/${kind}`);

test('config: the modes as written, and service: sharing implies a dependency', () => {
  const r = compose(['config']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /network_mode: service:web/);
  assert.match(r.stdout, /pid: service:web/);
  assert.match(r.stdout, /ipc: host/);
  assert.match(r.stdout, /depends_on:\n\s+web:\n\s+condition: service_started/);
});

test('up: each container shares what its file says, seen from inside', () => {
  const up = compose(['up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  const side = `${project}-side-1`;
  const byc = `${project}-bycontainer-1`;
  const hostns = `${project}-hostns-1`;

  // network_mode service:web and container:NAME: web's network namespace, its loopback server.
  const webNet = nsOf(web, 'net');
  assert.equal(nsOf(side, 'net'), webNet);
  assert.equal(nsOf(byc, 'net'), webNet);
  assert.equal(sh(side, 'wget -qO- http://127.0.0.1:8080/'), 'hello-over-loopback');
  assert.equal(sh(byc, 'wget -qO- http://127.0.0.1:8080/'), 'hello-over-loopback');
  // As in Docker: web's host name, and web's /etc/hosts.
  assert.equal(sh(side, 'hostname'), 'webhost');
  assert.equal(sh(side, 'cat /etc/hosts'), sh(web, 'cat /etc/hosts'));
  // pid and ipc service:web: web's httpd is among side's processes.
  assert.equal(nsOf(side, 'pid'), nsOf(web, 'pid'));
  assert.equal(nsOf(side, 'ipc'), nsOf(web, 'ipc'));
  assert.match(sh(side, 'ps -o comm'), /httpd/);
  // uts stays its own: only the network is shared, as Docker does.
  assert.notEqual(nsOf(side, 'uts'), nsOf(web, 'uts'));
  // bycontainer shares the network only.
  assert.notEqual(nsOf(byc, 'pid'), nsOf(web, 'pid'));

  // pid and ipc host: the host's namespaces (this test runs in them).
  assert.equal(nsOf(hostns, 'pid'), readlinkSync('/proc/self/ns/pid'));
  assert.equal(nsOf(hostns, 'ipc'), readlinkSync('/proc/self/ns/ipc'));
  assert.equal(sh(hostns, 'ls /sys/class/net'), 'lo');

  // domainname and annotations.
  assert.equal(sh(web, 'cat /proc/sys/kernel/domainname'), 'example.test');
  const info = b.inspect(web) as any;
  assert.equal(info.Config.Domainname, 'example.test');
  assert.equal(info.HostConfig.Annotations['org.example.role'], 'web');
  const sideInfo = b.inspect(side) as any;
  assert.equal(sideInfo.HostConfig.NetworkMode, `container:${info.Id}`);
  assert.equal(sideInfo.HostConfig.PidMode, `container:${info.Id}`);
  assert.equal((b.inspect(hostns) as any).HostConfig.PidMode, 'host');
});

test('up recreating web recreates what shares its namespaces, which then reach the new one', () => {
  const side = `${project}-side-1`;
  const oldSide = (b.inspect(side) as any).Id;
  const oldWeb = (b.inspect(web) as any).Id;
  const up = b.run(['compose', '-p', project, '--project-directory', dir, '-f', join(dir, 'compose.yaml'), 'up', '-d'], { env: { REV: '2' } });
  assert.equal(up.status, 0, up.stderr);
  const newWeb = (b.inspect(web) as any).Id;
  assert.notEqual(newWeb, oldWeb);
  assert.notEqual((b.inspect(side) as any).Id, oldSide, 'side still held the old network namespace');
  assert.equal((b.inspect(side) as any).HostConfig.NetworkMode, `container:${newWeb}`);
  assert.equal(sh(side, 'wget -qO- http://127.0.0.1:8080/'), 'hello-over-loopback');
  // hostns shares nothing of web's: left alone.
  assert.match(up.stderr, new RegExp(`Container ${project}-hostns-1  Running`));
});

test('a service sharing a stopped one cannot start, in one line; down removes everything', () => {
  assert.equal(compose(['stop']).status, 0);
  const r = compose(['start', 'side']);
  assert.equal(r.status, 125, r.stderr);
  assert.match(r.stderr, new RegExp(`^berth: cannot join the network namespace of container ${web}: it is not running`, 'm'));
  const down = compose(['down']);
  assert.equal(down.status, 0, down.stderr);
  assert.deepEqual(jsonLines(b.ok(['ps', '-a', '--format', 'json'])), []);
});
