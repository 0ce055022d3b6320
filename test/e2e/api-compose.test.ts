// docker-compose 1.29 (Debian's, docker-py 5) against berth serve: a project of two services on
// a network of its own that find each other by name, through up -d, ps, exec (-T and on a pty),
// run --rm, up --scale, restart, logs (-f until the stop) and down. What compose made is checked
// with berth itself, and down must leave nothing of it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, until, jsonLines } from './helpers.js';
import { ApiServer } from './api-helpers.js';
import { Pty } from './pty.js';

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

/** The project's containers as berth lists them (running ones, or all with `all`). */
function names(all = false): string[] {
  const ps = jsonLines<{ Names: string }>(b.ok(['ps', ...(all ? ['-a'] : []), '--format', 'json']));
  return ps.map((x) => x.Names);
}

test('up -d makes the network and both containers, labelled as compose labels them; berth sees them', () => {
  composeOk(['up', '-d']);
  const ps = jsonLines<{ Names: string; State: string }>(b.ok(['ps', '--format', 'json']));
  const web = ps.find((x) => x.Names === 'bcmp_web_1');
  const client = ps.find((x) => x.Names === 'bcmp_client_1');
  assert.equal(web?.State, 'running');
  assert.equal(client?.State, 'running');
  assert.equal(
    b.ok(['ps', '--filter', 'name=bcmp_client_1', '--format',
      '{{.Label "com.docker.compose.project"}} {{.Label "com.docker.compose.service"}} {{.Label "team"}}']),
    'bcmp client blue\n',
  );
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

// compose 1.29 creates every exec with AttachStdin, even under -T.
test('exec -T runs in the service container', () => {
  assert.equal(composeOk(['exec', '-T', 'client', 'wget', '-qO-', 'http://web:8080/']), 'hello-from-web\n');
});

test('exec without -T runs on a terminal: typed input reaches the shell, its exit code comes back', async () => {
  const env = `DOCKER_HOST=unix://${api.socket} DOCKER_CONFIG=${api.dockerConfig}`;
  const t = new Pty(`cd ${dir} && ${env} docker-compose -p bcmp exec client sh`);
  try {
    const at = await t.expect(/\/ # /);
    t.type('tty; echo $((6*7))\r');
    await t.expect(/\/dev\/pts\/\d+\s+42/, at);
    t.type('exit 5\r');
    assert.equal(await t.exited, 5, t.output);
  } finally {
    t.kill();
  }
});

test('run --rm -T: the one-off container prints, hands back its exit code and is removed', () => {
  const r = compose(['run', '--rm', '-T', 'client', 'sh', '-c', 'echo one-off; exit 3']);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(r.stdout, 'one-off\n');
  assert.deepEqual(names(true).sort(), ['bcmp_client_1', 'bcmp_web_1']);
});

test('up --scale adds replicas numbered as compose numbers them, and takes them away again', () => {
  composeOk(['up', '-d', '--scale', 'client=3']);
  assert.deepEqual(names().sort(), ['bcmp_client_1', 'bcmp_client_2', 'bcmp_client_3', 'bcmp_web_1']);
  const ps = JSON.parse(b.ok(['inspect', 'bcmp_client_3'])) as { Config: { Labels: Record<string, string> } }[];
  assert.equal(ps[0]!.Config.Labels['com.docker.compose.container-number'], '3');
  composeOk(['up', '-d', '--scale', 'client=1']);
  assert.deepEqual(names(true).sort(), ['bcmp_client_1', 'bcmp_web_1']);
});

test('restart starts the service container anew', () => {
  const started = () => (JSON.parse(b.ok(['inspect', 'bcmp_client_1'])) as { State: { StartedAt: string } }[])[0]!.State.StartedAt;
  const before = started();
  composeOk(['restart', '-t', '1', 'client']);
  assert.notEqual(started(), before);
  assert.equal(b.ok(['inspect', '--format', '{{.State.Status}}', 'bcmp_client_1']).trim(), 'running');
  assert.equal((b.ok(['logs', 'bcmp_client_1']).match(/client up/g) ?? []).length, 2);
});

test('logs shows each service under its name', () => {
  const out = composeOk(['logs', '--no-color']);
  assert.match(out, /client_1\s+\| client up/);
  assert.match(out, /web_1\s+\| web ready/);
});

test('logs -f follows until the service stops, then ends by itself', async () => {
  const p = spawn('docker-compose', ['-p', 'bcmp', 'logs', '-f', '--no-color', 'client'], { cwd: dir, env: api.env });
  let out = '';
  p.stdout.on('data', (d: Buffer) => out += d.toString());
  const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  try {
    await until(() => /client up/.test(out), 30_000);
    composeOk(['stop', '-t', '1', 'client']);
    assert.equal(await exited, 0, out);
    assert.match(out, /bcmp_client_1 exited with code 137/);
  } finally {
    p.kill('SIGKILL');
  }
});

test('down removes the containers and the network', () => {
  composeOk(['down', '-t', '1']);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.doesNotMatch(b.ok(['network', 'ls']), /bcmp_back/);
});
