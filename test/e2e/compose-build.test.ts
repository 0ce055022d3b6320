// berth compose with build: sections, secrets and configs on real containers: a service's image
// built by berth's builder and run, rebuilt by `up --build` (only that service recreated), and
// secrets from a file, the environment and content: readable inside with their owner and mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, jsonLines } from './helpers.js';
import { TestRegistry } from './registry-helpers.js';

const suffix = Math.random().toString(36).slice(2, 8);
let b: Berth;
let dir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-build-');
  mkdirSync(join(dir, 'app'));
});

after(() => {
  for (const p of ['built', 'secret', 'broken']) b.run(['compose', '-f', join(dir, 'none.yaml'), '-p', `${p}${suffix}`, 'down']);
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
  Image: string;
}
const ps = (file: string, project: string) => jsonLines<PsEntry>(b.ok(['compose', '-f', file, '-p', project, 'ps', '-a', '--format', 'json']));
const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]`;

test('a build: service is built by compose build, run by up, and only it is recreated by up --build after a change', () => {
  const project = `built${suffix}`;
  write('app/Containerfile.dev', `FROM localhost/busybox:latest\nARG GREETING=none\nRUN echo "$GREETING" > /greeting\nCMD ${SLEEP}\n`);
  const text = (greeting: string) =>
    `services:
  web:
    build:
      context: ./app
      dockerfile: Containerfile.dev
      args: { GREETING: ${greeting} }
      labels: { org.example.built: "yes" }
      cache_from: [somewhere/else]
  inline:
    build:
      context: ./app
      dockerfile_inline: |
        FROM localhost/busybox:latest
        RUN echo inline > /made
        CMD ${SLEEP}
  worker:
    image: localhost/busybox:latest
    command: ${SLEEP}
`;
  const file = write('built.yaml', text('first'));
  const built = b.run(['compose', '-f', file, '-p', project, 'build', 'web']);
  assert.equal(built.status, 0, built.stderr);
  assert.match(built.stderr, /Service web {2}Built/);
  assert.match(built.stderr, /warning: services\.web\.build\.cache_from: ignored by berth's builder/);
  const img = JSON.parse(b.ok(['image', 'inspect', `${project}-web`])) as Array<{ Config: { Labels: Record<string, string> } }>;
  assert.equal(img[0]!.Config.Labels['org.example.built'], 'yes');

  // up builds what is still missing (inline), and runs what compose build made.
  const up = b.run(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stderr, /Service inline {2}Built/);
  assert.doesNotMatch(up.stderr, /Service web {2}Building/);
  assert.equal(b.ok(['compose', '-f', file, '-p', project, 'exec', '-T', 'web', 'cat', '/greeting']), 'first\n');
  assert.equal(b.ok(['compose', '-f', file, '-p', project, 'exec', '-T', 'inline', 'cat', '/made']), 'inline\n');
  const first = Object.fromEntries(ps(file, project).map((e) => [e.Service, e.ID]));

  // An unchanged file and image: nothing recreated, even with --build (the cached build gives the same image).
  const again = b.run(['compose', '-f', file, '-p', project, 'up', '-d', '--build']);
  assert.equal(again.status, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /Recreated/);

  write('built.yaml', text('second'));
  const rebuilt = b.run(['compose', '-f', file, '-p', project, 'up', '-d', '--build']);
  assert.equal(rebuilt.status, 0, rebuilt.stderr);
  const second = Object.fromEntries(ps(file, project).map((e) => [e.Service, e.ID]));
  assert.notEqual(second.web, first.web, 'web was rebuilt and recreated');
  assert.equal(second.inline, first.inline, 'inline builds the same image and is left alone');
  assert.equal(second.worker, first.worker, 'worker did not change');
  assert.equal(b.ok(['compose', '-f', file, '-p', project, 'exec', '-T', 'web', 'cat', '/greeting']), 'second\n');

  // --rmi local removes the images compose named itself, not the pulled busybox.
  const down = b.run(['compose', '-f', file, '-p', project, 'down', '--rmi', 'local']);
  assert.equal(down.status, 0, down.stderr);
  assert.match(down.stderr, new RegExp(`Image ${project}-web {2}Removed`));
  assert.notEqual(b.run(['image', 'inspect', `${project}-web`]).status, 0);
  assert.equal(b.run(['image', 'inspect', 'localhost/busybox:latest']).status, 0);
});

test('a build that fails is exit 125 with one line, and up leaves nothing made', () => {
  const project = `broken${suffix}`;
  const file = write('broken.yaml', `services:
  good:
    image: localhost/busybox:latest
    command: ${SLEEP}
  bad:
    build:
      context: ./app
      dockerfile_inline: "FROM localhost/busybox:latest\\nRUN exit 7\\n"
`);
  const r = b.run(['compose', '-f', file, '-p', project, 'up', '-d']);
  assert.equal(r.status, 125, r.stderr);
  const berthLines = r.stderr.split('\n').filter((l) => l.startsWith('berth: '));
  assert.equal(berthLines.length, 1, r.stderr);
  assert.deepEqual(ps(file, project), []);
  assert.doesNotMatch(b.ok(['network', 'ls']), new RegExp(`${project}_default`));

  const remote = write('remote.yaml', 'services:\n  web:\n    build: { context: ./app, ssh: [default] }\n');
  const rr = b.run(['compose', '-f', remote, '-p', project, 'up', '-d']);
  assert.equal(rr.status, 125);
  assert.match(rr.stderr, /^berth: .*services\.web\.build\.ssh: not supported by berth$/m);
});

test('secrets from a file, the environment and content: are readable inside with their owner and mode', () => {
  const project = `secret${suffix}`;
  write('pw.txt', 'from-a-file');
  const file = write('secret.yaml', `services:
  web:
    image: localhost/busybox:latest
    command: ${SLEEP}
    user: "1000"
    secrets:
      - plain
      - { source: token, uid: "1000", gid: "1001", mode: 0400 }
      - { source: plain, target: copy, mode: 0440 }
    configs:
      - { source: settings, target: /etc/app.conf }
secrets:
  plain: { file: ./pw.txt }
  token: { environment: BERTH_TEST_TOKEN }
configs:
  settings: { content: "key: value" }
`);
  const unset = b.run(['compose', '-f', file, '-p', project, 'up', '-d'], { env: { BERTH_TEST_TOKEN: undefined } });
  assert.equal(unset.status, 125);
  assert.match(unset.stderr, /^berth: service web: token: the environment variable BERTH_TEST_TOKEN is not set$/m);
  assert.deepEqual(ps(file, project), []);

  const up = b.run(['compose', '-f', file, '-p', project, 'up', '-d'], { env: { BERTH_TEST_TOKEN: 't0ken' } });
  assert.equal(up.status, 0, up.stderr);
  const exec = (cmd: string) => b.ok(['compose', '-f', file, '-p', project, 'exec', '-T', 'web', 'sh', '-c', cmd]);
  assert.equal(exec('cat /run/secrets/plain /run/secrets/token /run/secrets/copy /etc/app.conf'), 'from-a-filet0kenfrom-a-filekey: value');
  // As the service's user 1000: its own 0400 secret is readable.
  assert.equal(exec('id -u'), '1000\n');
  const stat = exec('stat -c "%n %u %g %a" /run/secrets/token /run/secrets/copy /etc/app.conf');
  assert.equal(stat, '/run/secrets/token 1000 1001 400\n/run/secrets/copy 0 0 440\n/etc/app.conf 0 0 444\n');
  assert.notEqual(b.run(['compose', '-f', file, '-p', project, 'exec', '-T', 'web', 'sh', '-c', 'echo x > /run/secrets/token']).status, 0, 'mounted read-only');

  const files = join(b.root, 'compose', project);
  assert.deepEqual(readdirSync(files), [`${project}-web-1`]);
  // A one-off gets its own copies, gone with it after --rm.
  const oneoff = b.run(['compose', '-f', file, '-p', project, 'run', '--rm', '-T', 'web', 'cat', '/run/secrets/token'], { env: { BERTH_TEST_TOKEN: 'other' } });
  assert.equal(oneoff.status, 0, oneoff.stderr);
  assert.equal(oneoff.stdout, 'other');
  assert.deepEqual(readdirSync(files), [`${project}-web-1`]);
  b.ok(['compose', '-f', file, '-p', project, 'down']);
  assert.ok(!existsSync(files), 'down removes the files berth wrote for the secrets');
});

test('push sends the built image to a registry on loopback, and pull brings it back', async () => {
  const reg = await new TestRegistry().start();
  try {
    const project = `pushed${suffix}`;
    writeFileSync(join(b.root, 'registries.json'), JSON.stringify({ search: [], insecure: [reg.host] }));
    const ref = `${reg.host}/berth/${project}:1`;
    const file = write('pushed.yaml', `services:
  app:
    image: ${ref}
    build:
      context: ./app
      dockerfile_inline: "FROM localhost/busybox:latest\\nRUN echo pushed > /where\\n"
  plain:
    image: localhost/busybox:latest
`);
    const c = (...args: string[]) => b.run(['compose', '-f', file, '-p', project, ...args]);
    const built = c('build');
    assert.equal(built.status, 0, built.stderr);
    const push = c('push');
    assert.equal(push.status, 0, push.stderr);
    assert.match(push.stderr, new RegExp(`Image ${ref.replace(/[.]/g, '\\.')} {2}Pushed`));
    assert.doesNotMatch(push.stderr, /busybox/, 'a pulled image is not pushed');
    b.ok(['rmi', ref]);
    const pull = c('pull', 'app');
    assert.equal(pull.status, 0, pull.stderr);
    assert.equal(b.ok(['run', '--rm', ref, 'cat', '/where']), 'pushed\n');
    assert.match(c('pull', '--ignore-buildable', 'app').stderr, /Service app {2}Skipped/);
    b.ok(['rmi', ref]);
  } finally {
    writeFileSync(join(b.root, 'registries.json'), JSON.stringify({ search: [] }));
    await reg.stop();
    rmSync(reg.dir, { recursive: true, force: true });
  }
});
