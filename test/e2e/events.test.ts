// berth events: the journal that every berth process appends to (the CLI, conmon's exit
// callback, berth serve), read back with --since/--until, followed live, filtered; the docker
// CLI and dockerode read the same journal through berth serve's GET /events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { Berth, BIN, until } from './helpers.js';
import { ApiServer } from './api-helpers.js';

interface Message {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: string;
  time: number;
  timeNano: number;
}

let b: Berth;
let api: ApiServer | undefined;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(async () => {
  await api?.stop();
  b.destroy();
});

const unixNow = () => (Date.now() / 1000).toFixed(3);
const parse = (out: string) => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);

test('run, stop and rm appear in order, with Docker fields, between --since and --until', () => {
  const since = unixNow();
  const id = b.ok(['run', '-d', '--name', 'evweb', '--label', 'tier=web', '--network', 'none', 'busybox', 'sleep', '100']).trim();
  b.ok(['stop', '-t', '0', 'evweb']);
  b.ok(['rm', 'evweb']);
  const untilT = unixNow();
  const evs = parse(b.ok(['events', '--since', since, '--until', untilT, '--format', '{{json .}}']));
  assert.deepEqual(evs.map((e) => e.Action), ['create', 'start', 'kill', 'die', 'stop', 'destroy']);
  assert.equal(evs[2]!.Actor.Attributes['signal'], '9', 'stop -t 0 goes straight to SIGKILL');
  for (const e of evs) {
    assert.equal(e.Type, 'container');
    assert.equal(e.Actor.ID, id);
    assert.equal(e.status, e.Action);
    assert.equal(e.id, id);
    assert.equal(e.from, 'busybox');
    assert.equal(e.scope, 'local');
    assert.deepEqual({ name: e.Actor.Attributes['name'], image: e.Actor.Attributes['image'], tier: e.Actor.Attributes['tier'] }, { name: 'evweb',
      image: 'busybox', tier: 'web' });
    assert.equal(e.time, Math.floor(e.timeNano / 1e9));
  }
  assert.equal(evs[3]!.Actor.Attributes['exitCode'], '137');
  const times = evs.map((e) => e.timeNano);
  assert.deepEqual([...times].sort((x, y) => x - y), times, 'oldest first');
  // The text form, as docker events prints it.
  const lines = b.ok(['events', '--since', since, '--until', untilT]).trim().split('\n');
  assert.match(lines[0]!, new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z container create ${id} \\(image=busybox, name=evweb, tier=web\\)$`));
  assert.match(lines[3]!, new RegExp(` container die ${id} \\(exitCode=137, image=busybox, name=evweb, tier=web\\)$`));
  // Nothing before --since, nothing after --until; durations count back from now.
  assert.equal(b.ok(['events', '--since', untilT, '--until', untilT]), '');
  assert.ok(parse(b.ok(['events', '--since', '10m', '--until', '0s', '--format', 'json'])).length >= 5);
});

test('filters: container, event, type, image, label; and images, networks and volumes have events too', () => {
  const since = unixNow();
  b.ok(['network', 'create', 'evnet']);
  b.ok(['volume', 'create', 'evvol']);
  b.ok(['tag', 'busybox', 'evtag:1']);
  b.ok(['run', '--name', 'evone', '--label', 'team=a', '--network', 'evnet', '-v', 'evvol:/data', 'busybox', 'true']);
  assert.equal(b.run(['run', '--name', 'evtwo', '--network', 'none', 'busybox', 'sh', '-c', 'exit 4']).status, 4);
  b.ok(['rm', 'evone', 'evtwo']);
  b.ok(['rmi', 'evtag:1']);
  b.ok(['volume', 'rm', 'evvol']);
  b.ok(['network', 'rm', 'evnet']);
  const untilT = unixNow();
  const q = (...f: string[]) =>
    parse(b.ok(['events', '--since', since, '--until', untilT, '--format', '{{json .}}', ...f.flatMap((x) => ['--filter', x])])).map((e) =>
      `${e.Type} ${e.Action} ${e.Actor.Attributes['name'] ?? e.Actor.ID}`
    );
  assert.deepEqual(q('container=evtwo'), ['container create evtwo', 'container start evtwo', 'container die evtwo', 'container destroy evtwo']);
  assert.deepEqual(q('event=die'), ['container die evone', 'container die evtwo']);
  assert.deepEqual(q('event=die', 'container=evone', 'container=evtwo'), ['container die evone', 'container die evtwo']);
  assert.deepEqual(q('label=team=a', 'event=destroy'), ['container destroy evone']);
  assert.deepEqual(q('type=network'), ['network create evnet', 'network connect evnet', 'network disconnect evnet', 'network destroy evnet']);
  assert.deepEqual(q('type=volume').map((l) => l.replace(/ \S+$/, '')), ['volume create', 'volume mount', 'volume destroy']);
  assert.equal(q('volume=evvol').length, 3);
  assert.deepEqual(q('type=image'), ['image tag evtag:1', 'image untag localhost/evtag:1']);
  assert.deepEqual(q('image=busybox', 'event=start'), ['container start evone', 'container start evtwo']);
  assert.equal(
    parse(b.ok(['events', '--since', since, '--until', untilT, '--format', '{{json .}}', '--filter', 'event=die', '--filter', 'container=evtwo']))[0]!
      .Actor.Attributes['exitCode'],
    '4',
  );
  assert.equal(
    b.ok(['events', '--since', since, '--until', untilT, '--format', '{{.Action}}:{{.Actor.Attributes.name}}', '--filter', 'event=create', '--filter',
      'type=container']),
    'create:evone\ncreate:evtwo\n',
  );
});

test('bad input: an unknown filter, a bad time, a bad template: one line, exit 125', () => {
  for (const args of [['--filter', 'colour=red'], ['--filter', 'type=bogus'], ['--since', 'yesterday'], ['--until', '10x'], ['--format', '{{range .}}']]) {
    const r = b.run(['events', '--until', '0s', ...args]);
    assert.equal(r.status, 125, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^berth: /);
    assert.equal(r.stderr.trim().split('\n').filter((l) => !l.startsWith('hint:')).length, 1, r.stderr);
  }
});

test("a follower started first sees the die that conmon's exit callback records", async () => {
  const follower = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'events', '--filter', 'container=evdie', '--format', '{{json .}}'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  follower.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  try {
    // The follower reads from its start on: anything before it is not shown.
    await until(() => follower.pid !== undefined);
    await new Promise((r) => setTimeout(r, 500));
    // -d: this berth exits at once; the container's end is seen only by conmon, which calls berth back.
    b.ok(['run', '-d', '--name', 'evdie', '--network', 'none', 'busybox', 'sh', '-c', 'sleep 0.3; exit 7']);
    await until(() => out.includes('"die"'), 20_000);
    const evs = parse(out);
    assert.deepEqual(evs.map((e) => e.Action), ['create', 'start', 'die']);
    assert.equal(evs[2]!.Actor.Attributes['exitCode'], '7');
    assert.equal(b.inspect('evdie').State.Status, 'exited');
  } finally {
    follower.kill('SIGTERM');
    await new Promise((r) => follower.once('close', r));
    b.ok(['rm', '-f', 'evdie']);
  }
});

test('the docker CLI reads the journal through berth serve: docker events --since --until --filter', async () => {
  api = new ApiServer(b);
  await api.start();
  const since = unixNow();
  const id = api.dockerOk(['run', '-d', '--name', 'evapi', '--network', 'none', 'busybox', 'sh', '-c', 'exit 2']).trim();
  await until(() => b.inspect('evapi').State.Status === 'exited', 20_000);
  b.ok(['rm', 'evapi']);
  const untilT = unixNow();
  const text = api.dockerOk(['events', '--since', since, '--until', untilT, '--filter', 'container=evapi', '--format',
    '{{.Action}} {{.Actor.ID}} {{.TimeNano}}']);
  const lines = text.trim().split('\n').map((l) => l.split(' '));
  assert.deepEqual(lines.map((l) => l[0]), ['create', 'start', 'die', 'destroy']);
  assert.ok(lines.every((l) => l[1] === id));
  // The same events, and the same nanoseconds (read exactly from the raw JSON), as the CLI's own view.
  const own = b.ok(['events', '--since', since, '--until', untilT, '--filter', 'container=evapi', '--format', '{{json .}}']).trim().split('\n');
  assert.deepEqual(lines.map((l) => l[2]), own.map((l) => /"timeNano":(\d+)\}$/.exec(l)![1]));
  const dies = api.dockerOk(['events', '--since', since, '--until', untilT, '--filter', 'event=die', '--format', '{{json .}}']);
  assert.equal((JSON.parse(dies.trim()) as Message).Actor.Attributes['exitCode'], '2');
  const bad = api.docker(['events', '--since', since, '--until', untilT, '--filter', 'colour=red']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /invalid filter 'colour'/);
});

test('dockerode getEvents: a past window, then a live follow that sees a new container', async () => {
  if (!api) {
    api = new ApiServer(b);
    await api.start();
  }
  type Docker = { getEvents(o: Record<string, unknown>): Promise<NodeJS.ReadableStream> };
  const DockerCtor = createRequire(import.meta.url)('dockerode') as new(o: { socketPath: string }) => Docker;
  const docker = new DockerCtor({ socketPath: api.socket });
  const live = await docker.getEvents({ filters: { container: ['evsdk'] } });
  let got = '';
  live.on('data', (d: Buffer) => {
    got += d.toString();
  });
  const since = Math.floor(Date.now() / 1000) - 1;
  try {
    b.ok(['run', '--name', 'evsdk', '--network', 'none', 'busybox', 'true']);
    await until(() => got.includes('"die"'), 20_000);
    assert.deepEqual(parse(got).map((e) => e.Action), ['create', 'start', 'die']);
  } finally {
    (live as unknown as { destroy(): void }).destroy();
  }
  b.ok(['rm', 'evsdk']);
  const past = await docker.getEvents({ since, until: Math.ceil(Date.now() / 1000), filters: JSON.stringify({ container: ['evsdk'], event: ['destroy'] }) });
  let text = '';
  for await (const d of past as AsyncIterable<Buffer>) text += d.toString();
  assert.deepEqual(parse(text).map((e) => `${e.Action} ${e.Actor.Attributes['name']}`), ['destroy evsdk']);
});
