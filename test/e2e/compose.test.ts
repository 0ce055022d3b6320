// berth compose beyond the web farm: idempotent up (keep, recreate, scale down), start order
// gated by healthchecks, named volumes, and the attached up that Ctrl-C stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, BIN, until, jsonLines } from './helpers.js';
import { Pty } from './pty.js';

const suffix = Math.random().toString(36).slice(2, 8);
let b: Berth;
let dir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-e2e-');
});

after(() => {
  for (const p of ['keep', 'health', 'sick', 'vol', 'attach', 'colour']) b.run(['compose', '-p', `${p}${suffix}`, 'down']);
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
}

interface PsEntry {
  ID: string;
  Name: string;
  Service: string;
  State: string;
}
const ps = (file: string, project: string) => jsonLines<PsEntry>(b.ok(['compose', '-f', file, '-p', project, 'ps', '-a', '--format', 'json']));
const ids = (entries: PsEntry[]) => Object.fromEntries(entries.map((e) => [e.Name, e.ID]));

const SLEEPER = 'image: localhost/busybox:latest\n    command: ["sh", "-c", "trap \'exit 0\' TERM; while :; do sleep 0.2; done"]';

test('up keeps what is unchanged, recreates what changed, and scales down from the top', () => {
  const project = `keep${suffix}`;
  const text = (env: string) => `services:\n  a:\n    ${SLEEPER}\n    environment: { V: "${env}" }\n    deploy: { replicas: 2 }\n  b:\n    ${SLEEPER}\n`;
  const file = write('keep.yaml', text('1'));
  b.ok(['compose', '-f', file, '-p', project, 'up', '-d']);
  const first = ids(ps(file, project));
  assert.deepEqual(Object.keys(first).sort(), [`${project}-a-1`, `${project}-a-2`, `${project}-b-1`]);

  write('keep.yaml', text('2'));
  const r = b.run(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`${project}-a-1  Recreated`));
  const second = ids(ps(file, project));
  assert.notEqual(second[`${project}-a-1`], first[`${project}-a-1`]);
  assert.notEqual(second[`${project}-a-2`], first[`${project}-a-2`]);
  assert.equal(second[`${project}-b-1`], first[`${project}-b-1`], 'b did not change and is left alone');
  assert.match(b.ok(['exec', `${project}-a-1`, 'sh', '-c', 'echo $V']), /^2$/m);

  b.ok(['compose', '-f', file, '-p', project, 'up', '-d', '--scale', 'a=1']);
  const third = ids(ps(file, project));
  assert.deepEqual(Object.keys(third).sort(), [`${project}-a-1`, `${project}-b-1`]);
  assert.equal(third[`${project}-a-1`], second[`${project}-a-1`]);
  b.ok(['compose', '-f', file, '-p', project, 'down']);
  assert.deepEqual(ps(file, project), []);
});

test('depends_on service_healthy waits for the healthcheck; an unhealthy one stops up', () => {
  const project = `health${suffix}`;
  const file = write('health.yaml', `services:
  app:
    ${SLEEPER}
    depends_on: { db: { condition: service_healthy } }
  db:
    image: localhost/busybox:latest
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; exec sleep 600"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ready"], interval: 500ms, retries: 3, start_period: 10s }
`);
  const t0 = Date.now();
  const r = b.run(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Date.now() - t0 >= 2000, 'up waited for db to become healthy');
  const order = r.stderr.split('\n').map((l) => l.trim());
  assert.ok(order.indexOf(`Container ${project}-db-1  Healthy`) >= 0, r.stderr);
  assert.ok(order.indexOf(`Container ${project}-db-1  Healthy`) < order.indexOf(`Container ${project}-app-1  Started`), r.stderr);

  const sick = `sick${suffix}`;
  const sickFile = write('sick.yaml', `services:
  app:
    ${SLEEPER}
    depends_on: { db: { condition: service_healthy } }
  db:
    ${SLEEPER}
    healthcheck: { test: ["CMD", "false"], interval: 200ms, retries: 2 }
`);
  const s = b.run(['compose', '-f', sickFile, '-p', sick, 'up', '-d']);
  assert.equal(s.status, 125);
  assert.match(s.stderr, new RegExp(`berth: container ${sick}-db-1 is unhealthy`));
  assert.deepEqual(ps(sickFile, sick).map((e) => e.Service), ['db'], 'app was never created');
});

test('named volumes outlive recreation and go with down -v', () => {
  const project = `vol${suffix}`;
  const text = (n: string) => `services:\n  w:\n    ${SLEEPER}\n    environment: { N: "${n}" }\n    volumes: ["data:/data"]\nvolumes:\n  data: {}\n`;
  const file = write('vol.yaml', text('1'));
  b.ok(['compose', '-f', file, '-p', project, 'up', '-d']);
  b.ok(['exec', `${project}-w-1`, 'sh', '-c', 'echo kept > /data/f']);
  write('vol.yaml', text('2'));
  b.ok(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(b.ok(['exec', `${project}-w-1`, 'cat', '/data/f']), 'kept\n');
  b.ok(['compose', '-f', file, '-p', project, 'down']);
  b.ok(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(b.ok(['exec', `${project}-w-1`, 'cat', '/data/f']), 'kept\n', 'down without -v keeps volumes');
  const r = b.run(['compose', '-f', file, '-p', project, 'down', '-v']);
  assert.match(r.stderr, new RegExp(`Volume ${project}_data  Removed`));
  b.ok(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.notEqual(b.run(['exec', `${project}-w-1`, 'cat', '/data/f']).status, 0, 'down -v removed the data');
  b.ok(['compose', '-f', file, '-p', project, 'down', '-v']);
});

test('attached up prints prefixed logs and Ctrl-C stops the project', async () => {
  const project = `attach${suffix}`;
  const file = write('attach.yaml', `services:
  talk:
    image: localhost/busybox:latest
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo hello; while :; do sleep 0.2; done"]
    deploy: { replicas: 2 }
`);
  const child = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', '-f', file, '-p', project, 'up'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number>((res) => child.on('close', (code) => res(code ?? -1)));
  await until(() => /talk-1 \| hello/.test(stdout) && /talk-2 \| hello/.test(stdout), 30_000);
  child.kill('SIGINT');
  const code = await exited;
  assert.equal(code, 130, stderr);
  assert.match(stdout, /^talk-1 \| bye$/m);
  assert.match(stderr, /Gracefully stopping/);
  assert.deepEqual(ps(file, project).map((e) => e.State), ['exited', 'exited']);
});

/** A pattern that starts with ESC; ESC inside stands for another (a regex literal may not hold one). */
const ansi = (src: string) => new RegExp(`\x1b${src.replaceAll('ESC', '\x1b')}`);

test('attached up on a terminal: each replica its own colour, ctrl-c typed stops the project; --no-color is plain', async () => {
  const project = `colour${suffix}`;
  const file = write('colour.yaml', `services:
  talk:
    image: localhost/busybox:latest
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; echo hello; while :; do sleep 0.2; done"]
    deploy: { replicas: 2 }
`);
  const cli = `${BIN} --root ${b.root} --runroot ${b.runroot} compose -f ${file} -p ${project}`;
  const t = new Pty(`${cli} up`);
  try {
    // Compose's first two colours, cyan and yellow, in the containers' order.
    await t.expect(ansi('\\[36mtalk-1 \\| ESC\\[0mhello'));
    await t.expect(ansi('\\[33mtalk-2 \\| ESC\\[0mhello'));
    t.type('\x03');
    assert.equal(await t.exited, 130, t.output);
    assert.match(t.output, /Gracefully stopping/);
    assert.match(t.output, ansi('\\[3[36]mtalk-[12] \\| ESC\\[0mbye'));
  } finally {
    t.kill();
  }
  assert.deepEqual(ps(file, project).map((e) => e.State), ['exited', 'exited']);
  const plain = new Pty(`${cli} logs --no-color`);
  assert.equal(await plain.exited, 0, plain.output);
  assert.match(plain.output, /^talk-1 \| hello/m);
  assert.ok(!plain.output.includes('\x1b'), plain.output);
});
