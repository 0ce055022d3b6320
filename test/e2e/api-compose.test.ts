// docker-compose 1.29 (Debian's, docker-py 5) against berth serve: a project of two services on
// a network of its own that find each other by name, through up -d, ps, exec -T, logs and down.
// What compose made is checked with berth itself, and down must leave nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, until } from './helpers.js';
import { ApiServer } from './api-helpers.js';

let b: Berth;
let api: ApiServer;
let dir: string;
before(async () => {
  b = new Berth();
  b.importBusybox();
  api = new ApiServer(b);
  await api.start();
  dir = mkdtempSync('/tmp/berth-api-compose-');
  writeFileSync(join(dir, 'docker-compose.yml'), `version: "3.8"
services:
  web:
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello-from-web > /www/index.html && echo web ready && exec httpd -f -p 8080 -h /www"]
    networks: [back]
  client:
    image: busybox
    command: ["sh", "-c", "echo client up; exec sleep 300"]
    networks: [back]
    labels:
      team: blue
networks:
  back: {}
`);
});
after(async () => {
  compose(['down', '-t', '1']);
  await api.stop();
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function compose(args: string[]) {
  const r = spawnSync('docker-compose', ['-p', 'bcmp', ...args], { cwd: dir, encoding: 'utf8', env: api.env, timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
function composeOk(args: string[]): string {
  const r = compose(args);
  assert.equal(r.status, 0, `docker-compose ${args.join(' ')}\n${r.stdout}\n${r.stderr}\nserver: ${api.log}`);
  return r.stdout;
}

test('up -d makes the network and both containers, labelled as compose labels them; berth sees them', () => {
  composeOk(['up', '-d']);
  const names = b.ok(['ps', '--format', 'json']);
  const ps = JSON.parse(names) as { Names: string[]; State: string; Labels: Record<string, string> }[];
  const web = ps.find((x) => x.Names[0] === 'bcmp_web_1');
  const client = ps.find((x) => x.Names[0] === 'bcmp_client_1');
  assert.equal(web?.State, 'running');
  assert.equal(client?.State, 'running');
  assert.equal(client.Labels['com.docker.compose.project'], 'bcmp');
  assert.equal(client.Labels['com.docker.compose.service'], 'client');
  assert.equal(client.Labels.team, 'blue');
  assert.match(b.ok(['network', 'ls']), /bcmp_back/);
  // A second up finds everything as its file says: nothing is recreated.
  const again = compose(['up', '-d']);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /bcmp_web_1 is up-to-date/);
  assert.doesNotMatch(again.stderr, /Recreating|needs to be recreated/);
});

test('ps lists both services as Up', () => {
  const out = composeOk(['ps']);
  assert.match(out, /bcmp_web_1\s.*\sUp\b/);
  assert.match(out, /bcmp_client_1\s.*\sUp\b/);
});

test('the services find each other by name, the service name and the container name', async () => {
  await until(() => /web ready/.test(b.run(['logs', 'bcmp_web_1']).stdout), 15_000);
  assert.equal(api.dockerOk(['exec', 'bcmp_client_1', 'wget', '-qO-', 'http://web:8080/']), 'hello-from-web\n');
  assert.equal(api.dockerOk(['exec', 'bcmp_client_1', 'wget', '-qO-', 'http://bcmp_web_1:8080/']), 'hello-from-web\n');
});

// compose 1.29 creates every exec with AttachStdin, even under -T: that is the API's exec with
// stdin, which another slice of this issue brings.
test('exec -T runs in the service container', { todo: 'needs exec with AttachStdin in berth serve' }, () => {
  assert.equal(composeOk(['exec', '-T', 'client', 'wget', '-qO-', 'http://web:8080/']), 'hello-from-web\n');
});

test('logs shows each service under its name', () => {
  const out = composeOk(['logs', '--no-color']);
  assert.match(out, /client_1\s+\| client up/);
  assert.match(out, /web_1\s+\| web ready/);
});

test('down removes the containers and the network', () => {
  composeOk(['down', '-t', '1']);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.doesNotMatch(b.ok(['network', 'ls']), /bcmp_back/);
});
