// The compose verbs beyond up/down on real containers: run, exec, create, kill, pause,
// unpause, top, images, port, ls, cp, wait, rm, scale, version, events, and up's recreate, orphan,
// wait and abort flags. Output as Docker Compose v2 writes it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Berth, BIN, until, jsonLines } from './helpers.js';
import { Pty } from './pty.js';

const suffix = Math.random().toString(36).slice(2, 8);
let b: Berth;
let dir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-compose-verbs-');
});

after(() => {
  for (const p of ['verbs', 'flags', 'abort', 'ready', 'fresh', 'events', 'detach'])
    b.run(['compose', '-f', join(dir, 'none.yaml'), '-p', `${p}${suffix}`, 'down']);
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
const SLEEP = `["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 0.2; done"]`;

test('run, exec, port, cp, top, images, kill, pause, rm, scale, ls and wait', () => {
  const project = `verbs${suffix}`;
  const file = write('verbs.yaml', `services:
  web:
    image: localhost/busybox:latest
    command: ${SLEEP}
    environment: { FROM_FILE: file }
    ports: ["8080"]
    deploy: { replicas: 2 }
  worker:
    image: localhost/busybox:latest
    command: ${SLEEP}
    depends_on: [web]
`);
  const c = (...args: string[]) => b.run(['compose', '-f', file, '-p', project, ...args]);
  const ok = (...args: string[]) => {
    const r = c(...args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };
  const ps = () => jsonLines<PsEntry>(ok('ps', '-a', '--format', 'json').stdout);

  // create makes the containers without starting them; start starts them.
  assert.match(ok('create').stderr, new RegExp(`Container ${project}-web-1 {2}Created`));
  assert.deepEqual(ps().map((e) => e.State), ['created', 'created', 'created']);
  ok('start');

  // run: a one-off named PROJECT-SERVICE-run-HEX, with -e on top of the file's environment,
  // the exit code passed through, and nothing left with --rm.
  const run = ok('run', '--rm', '-T', '-e', 'EXTRA=42', '--no-deps', 'web', 'sh', '-c', 'echo $FROM_FILE $EXTRA; hostname');
  assert.match(run.stdout, /^file 42\n/);
  assert.equal(c('run', '--rm', '-T', 'web', 'sh', '-c', 'exit 3').status, 3);
  const piped = b.run(['compose', '-f', file, '-p', project, 'run', '--rm', '-T', 'web', 'cat'], { input: 'through stdin' });
  assert.equal(piped.stdout, 'through stdin', piped.stderr);
  const detached = ok('run', '-d', 'web', 'sleep', '30').stdout.trim();
  assert.match(detached, new RegExp(`^${project}-web-run-[0-9a-f]{12}$`));
  assert.equal(b.inspect(detached).Config.Labels['com.docker.compose.oneoff'], 'True');
  // --entrypoint replaces the image's, as docker compose run does.
  assert.equal(ok('run', '--rm', '-T', '--entrypoint', 'echo', 'web', 'via', 'entrypoint').stdout, 'via entrypoint\n');
  // A one-off is not a replica: up does not count, recreate or remove it.
  assert.match(ok('up', '-d').stderr, new RegExp(`Container ${project}-web-2 {2}Running`));
  assert.equal(b.inspect(detached).State.Status, 'running');
  b.ok(['rm', '-f', detached]);

  // exec: -e, -w, -u and --index pick what runs where.
  assert.equal(ok('exec', '-T', '-e', 'V=x', '-w', '/tmp', '-u', '1000', '--index', '2', 'web', 'sh', '-c', 'echo $V $(pwd) $(id -u) $(hostname)')
    .stdout.split(' ').slice(0, 3).join(' '), 'x /tmp 1000');
  const hostnames = [1, 2].map((i) => ok('exec', '-T', '--index', String(i), 'web', 'hostname').stdout);
  assert.notEqual(hostnames[0], hostnames[1]);
  const noSuch = c('exec', '-T', '--index', '3', 'web', 'true');
  assert.equal(noSuch.status, 125);
  assert.equal(noSuch.stderr, 'berth: service "web" has no container number 3\n');

  // port: each replica's own host port for 8080.
  const ports = [1, 2].map((i) => ok('port', '--index', String(i), 'web', '8080').stdout.trim());
  for (const p of ports) assert.match(p, /^0\.0\.0\.0:\d+$/);
  assert.notEqual(ports[0], ports[1]);
  assert.equal(c('port', 'web', '9999').status, 125);

  // cp both ways.
  const hostFile = write('to-copy.txt', 'copied in');
  ok('cp', hostFile, 'worker:/tmp/in.txt');
  assert.equal(ok('exec', '-T', 'worker', 'cat', '/tmp/in.txt').stdout, 'copied in');
  ok('cp', 'worker:/tmp/in.txt', join(dir, 'out.txt'));
  assert.equal(readFileSync(join(dir, 'out.txt'), 'utf8'), 'copied in');

  // top and images name each container.
  const top = ok('top', 'worker').stdout;
  assert.match(top, new RegExp(`^${project}-worker-1\nUID +PID +PPID`));
  assert.match(top, /sleep 0\.2|while/);
  const images = ok('images').stdout.split('\n');
  assert.match(images[0]!, /^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$/);
  assert.match(images[1]!, new RegExp(`^${project}-web-1 +localhost/busybox +latest +[0-9a-f]{12} +[\\d.]+[kM]?B$`));

  // ls: the project from its containers' labels, with its file.
  const ls = JSON.parse(b.ok(['compose', 'ls', '--format', 'json'])) as Array<{ Name: string; Status: string; ConfigFiles: string }>;
  assert.deepEqual(ls.find((x) => x.Name === project), { Name: project, Status: 'running(3)', ConfigFiles: file });

  // pause and unpause.
  assert.match(ok('pause', 'worker').stderr, /Paused/);
  assert.equal(ps().find((e) => e.Service === 'worker')!.State, 'paused');
  ok('unpause', 'worker');
  assert.equal(ps().find((e) => e.Service === 'worker')!.State, 'running');

  // kill -s and wait: the signal reaches the process (trap exits 0 on TERM).
  const waiting = b.runAsync(['compose', '-f', file, '-p', project, 'wait', 'worker']);
  assert.match(ok('kill', '-s', 'TERM', 'worker').stderr, new RegExp(`Container ${project}-worker-1 {2}Killed`));
  return waiting.then((w) => {
    assert.equal(w.status, 0, w.stderr);
    assert.equal(w.stdout, '0\n');

    // rm: without -f and no terminal, nothing goes; -f removes the stopped ones only.
    c('rm', 'worker');
    assert.equal(ps().length, 3);
    assert.match(ok('rm', '-f').stderr, new RegExp(`Container ${project}-worker-1 {2}Removed`));
    assert.deepEqual(ps().map((e) => e.Name), [`${project}-web-1`, `${project}-web-2`]);
    // -s stops first.
    ok('rm', '-f', '-s', 'web');
    assert.deepEqual(ps(), []);

    // scale: replica counts from the command line.
    ok('scale', 'web=3');
    assert.deepEqual(ps().map((e) => e.Name), [1, 2, 3].map((n) => `${project}-web-${n}`));
    assert.match(ok('version').stdout, /^berth compose version \S+\n$/);
    ok('down');
  });
});

test('run in a project that is not up makes its network, and down removes it with the one-off', () => {
  const project = `fresh${suffix}`;
  const file = write('fresh.yaml', 'services:\n  tool:\n    image: localhost/busybox:latest\n');
  const r = b.run(['compose', '-f', file, '-p', project, 'run', '-T', 'tool', 'sh', '-c', 'echo ran; exit 0']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'ran\n');
  assert.match(b.ok(['network', 'ls']), new RegExp(`${project}_default`));
  const down = b.run(['compose', '-f', file, '-p', project, 'down']);
  assert.match(down.stderr, new RegExp(`Container ${project}-tool-run-[0-9a-f]{12} {2}Removed`));
  assert.doesNotMatch(b.ok(['network', 'ls']), new RegExp(`${project}_default`));
});

test('up --force-recreate, --no-recreate, --remove-orphans, --no-deps and bad flags', () => {
  const project = `flags${suffix}`;
  const text = (env: string, extra = '') =>
    `services:
  api:
    image: localhost/busybox:latest
    command: ${SLEEP}
    environment: { V: "${env}" }
  proxy:
    image: localhost/busybox:latest
    command: ${SLEEP}
    depends_on: [api]
${extra}`;
  const file = write('flags.yaml', text('1', `  extra:\n    image: localhost/busybox:latest\n    command: ${SLEEP}\n`));
  const c = (...args: string[]) => b.run(['compose', '-f', file, '-p', project, ...args]);
  const ids = () => Object.fromEntries((jsonLines<PsEntry>(c('ps', '-a', '--format', 'json').stdout)).map((e) => [e.Service, e.ID]));
  assert.equal(c('up', '-d').status, 0);
  const first = ids();

  const forced = c('up', '-d', '--force-recreate', 'api');
  assert.equal(forced.status, 0, forced.stderr);
  const second = ids();
  assert.notEqual(second.api, first.api);
  assert.equal(second.proxy, first.proxy);

  // A changed file with --no-recreate keeps the old container; the service left out is an orphan.
  write('flags.yaml', text('2'));
  const kept = c('up', '-d', '--no-recreate');
  assert.equal(kept.status, 0, kept.stderr);
  assert.match(kept.stderr, /warning: Found orphan containers \(.*-extra-1\) for this project/);
  assert.equal(ids().api, second.api);
  const cleaned = c('up', '-d', '--remove-orphans', '--no-deps', 'proxy');
  assert.equal(cleaned.status, 0, cleaned.stderr);
  assert.match(cleaned.stderr, new RegExp(`Container ${project}-extra-1 {2}Removed`));
  assert.equal(ids().api, second.api, '--no-deps left api alone though its configuration changed');
  assert.deepEqual(Object.keys(ids()).sort(), ['api', 'proxy']);

  for (const [args, msg] of [
    [['up', '-d', '--force-recreate', '--no-recreate'], '--force-recreate and --no-recreate cannot be combined'],
    [['up', '-d', '--pull', 'sometimes'], 'invalid --pull "sometimes": use always, missing or never'],
    [['up', '-d', '--abort-on-container-exit'], '--abort-on-container-exit and --exit-code-from cannot be combined with -d or --wait'],
    [['run', '--rm', 'nosuch'], 'no such service: nosuch'],
    [['down', '--rmi', 'some'], 'invalid --rmi "some": use local or all'],
    [['frobnicate'], 'unknown compose command "frobnicate"'],
  ] as const) {
    const r = c(...args);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.split('\n')[0], `berth: ${msg}`);
  }
  assert.equal(c('down', '-t', '1').status, 0);
});

test('up --wait waits for healthy; --abort-on-container-exit stops all and --exit-code-from returns its code', async () => {
  const ready = `ready${suffix}`;
  const waitFile = write('ready.yaml', `services:
  db:
    image: localhost/busybox:latest
    command: ["sh", "-c", "sleep 1; touch /tmp/ok; trap 'exit 0' TERM; while :; do sleep 0.2; done"]
    healthcheck: { test: ["CMD", "test", "-f", "/tmp/ok"], interval: 300ms, retries: 3, start_period: 10s }
`);
  const w = b.run(['compose', '-f', waitFile, '-p', ready, 'up', '--wait']);
  assert.equal(w.status, 0, w.stderr);
  assert.match(w.stderr, new RegExp(`Container ${ready}-db-1 {2}Healthy`));
  assert.equal(b.ok(['exec', `${ready}-db-1`, 'test', '-f', '/tmp/ok']), '');
  b.ok(['compose', '-f', waitFile, '-p', ready, 'down', '-t', '1']);

  const project = `abort${suffix}`;
  const file = write('abort.yaml', `services:
  server:
    image: localhost/busybox:latest
    command: ${SLEEP}
  tests:
    image: localhost/busybox:latest
    command: ["sh", "-c", "echo testing; sleep 1; exit 4"]
`);
  const r = await b.runAsync(['compose', '-f', file, '-p', project, 'up', '--exit-code-from', 'tests']);
  assert.equal(r.status, 4, r.stderr);
  assert.match(r.stdout, /tests-1 +\| testing/);
  assert.match(r.stderr, /Aborting on container exit\.\.\./);
  const states = (jsonLines<PsEntry>(b.ok(['compose', '-f', file, '-p', project, 'ps', '-a', '--format', 'json']))).map((e) => e.State);
  assert.deepEqual(states, ['exited', 'exited'], 'everything was stopped');
  b.ok(['compose', '-f', file, '-p', project, 'down']);
});

test('events: followed (--json, one service, from --since), and read back between --since and --until as text', async () => {
  const project = `events${suffix}`;
  const file = write('events.yaml', `services:
  web:
    image: localhost/busybox:latest
    command: ${SLEEP}
    labels: { team: blue }
  worker:
    image: localhost/busybox:latest
    command: ${SLEEP}
`);
  const c = (...args: string[]) => b.run(['compose', '-f', file, '-p', project, ...args]);
  const since = new Date().toISOString();
  const follower = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'compose', '-f', file, '-p', project, 'events', '--json', '--since', since, 'web']);
  // From --since on, then following: nothing is missed however late the follower opens the journal.
  let followed = '';
  follower.stdout.on('data', (d: Buffer) => followed += d.toString());
  try {
    assert.equal(c('up', '-d').status, 0);
    assert.equal(c('run', '--rm', '-T', 'worker', 'true').status, 0);
    assert.equal(c('down', '-t', '1').status, 0);
    await until(() => /"action":"destroy"/.test(followed));
  } finally {
    follower.kill('SIGINT');
  }
  const lines = followed.trim().split('\n').map((l) =>
    JSON.parse(l) as { action: string; service: string; type: string; id: string; attributes: Record<string, string>; time: string }
  );
  assert.deepEqual(lines.map((l) => l.action), ['create', 'start', 'kill', 'die', 'stop', 'destroy']);
  for (const l of lines) {
    assert.equal(l.service, 'web');
    assert.equal(l.type, 'container');
    assert.match(l.id, /^[0-9a-f]{64}$/);
    assert.equal(l.attributes.team, 'blue');
    assert.equal(l.attributes.name, `${project}-web-1`);
    assert.ok(!Object.keys(l.attributes).some((k) => k.startsWith('com.docker.compose.')));
    assert.match(l.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  }
  const past = c('events', '--since', since, '--until', new Date().toISOString());
  assert.equal(past.status, 0, past.stderr);
  const text = past.stdout.trim().split('\n');
  const re = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container (\w+) ([0-9a-f]{64}) \((.*)\)$/;
  for (const l of text) assert.match(l, re);
  // Both services, and not the one-off run of worker.
  const of = (name: string) => text.filter((l) => l.includes(`name=${name})`) || l.includes(`name=${name},`)).map((l) => re.exec(l)![1]);
  assert.deepEqual(of(`${project}-web-1`), ['create', 'start', 'kill', 'die', 'stop', 'destroy']);
  assert.deepEqual(of(`${project}-worker-1`).filter((a) => a === 'create' || a === 'destroy'), ['create', 'destroy']);
  assert.equal(text.filter((l) => /-run-/.test(l)).length, 0, past.stdout);
  // The one-off's events are in the journal, labelled with the project: compose events left them out.
  const all = b.ok(['events', '--since', since, '--until', new Date().toISOString(), '--filter', `label=com.docker.compose.project=${project}`]);
  assert.match(all, new RegExp(`container destroy [0-9a-f]{64} \\(.*name=${project}-worker-run-`));
  const bad = c('events', '--since', 'yesterday-ish');
  assert.equal(bad.status, 125);
  assert.match(bad.stderr, /^berth: .*--since/);
});

test('run --rm on a terminal detached from with ctrl-p ctrl-q: the one-off is removed when it exits later', async () => {
  const project = `detach${suffix}`;
  const file = write('detach.yaml', `services:
  shell:
    image: localhost/busybox:latest
    command: ${SLEEP}
`);
  const cli = `${BIN} --root ${b.root} --runroot ${b.runroot}`;
  const run = new Pty(`${cli} compose -f ${file} -p ${project} run --rm --no-deps shell sh`);
  let name = '';
  try {
    await run.expect(/\/ # /);
    run.type('\x10\x11');
    assert.equal(await run.exited, 0, run.output);
    const ps = jsonLines<{ Names: string }>(b.ok(['ps', '--format', 'json']));
    name = ps.map((x) => x.Names).find((n) => n.startsWith(`${project}-shell-run-`)) ?? '';
    assert.notEqual(name, '', JSON.stringify(ps));
    const att = new Pty(`${cli} attach ${name}`);
    att.type('exit 2\r');
    assert.equal(await att.exited, 2, att.output);
    await until(() => b.run(['inspect', name]).status === 125);
  } finally {
    run.kill();
    if (name) b.run(['rm', '-f', name]);
  }
});
