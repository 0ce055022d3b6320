// volume create|ls|inspect|rm|prune, container prune, system prune, info and logs' time flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, sleep } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

test("volume create, ls, inspect: Docker's output; creating one that exists changes nothing", () => {
  assert.equal(b.ok(['volume', 'create', '--label', 'team=web', 'data']), 'data\n');
  assert.equal(b.ok(['volume', 'create', 'data']), 'data\n');
  const anon = b.ok(['volume', 'create']).trim();
  assert.match(anon, /^[0-9a-f]{64}$/);
  const doc = (JSON.parse(b.ok(['volume', 'inspect', 'data'])) as Record<string, unknown>[])[0]!;
  assert.equal(doc.Name, 'data');
  assert.equal(doc.Driver, 'local');
  assert.deepEqual(doc.Labels, { team: 'web' });
  assert.equal(doc.Mountpoint, join(b.root, 'volumes/data/_data'));
  assert.ok(existsSync(doc.Mountpoint));
  assert.equal(b.ok(['volume', 'inspect', '-f', '{{.Labels.team}}', 'data']), 'web\n');
  // A volume that `run -v` made is a volume too, and its data is what the container wrote.
  b.ok(['run', '--rm', '--network', 'none', '-v', 'implicit:/v', 'busybox', 'sh', '-c', 'echo kept > /v/f']);
  assert.equal(readFileSync(join(b.root, 'volumes/implicit/_data/f'), 'utf8'), 'kept\n');
  const ls = b.ok(['volume', 'ls']);
  assert.match(ls, /^DRIVER\s+VOLUME NAME\n/);
  assert.match(ls, /local\s+data\n/);
  assert.match(ls, /local\s+implicit\n/);
  assert.equal(b.ok(['volume', 'ls', '-q', '--filter', 'label=team=web']), 'data\n');
  assert.equal(b.ok(['volume', 'ls', '--format', '{{.Name}}', '--filter', 'name=impl']), 'implicit\n');
  for (const [args, re] of [
    [['volume', 'inspect', 'nope'], /^berth: no such volume: nope\n/],
    [['volume', 'create', '-d', 'nfs', 'x'], /^berth: unsupported volume driver "nfs"/],
    [['volume', 'create', 'bad/name'], /^berth: invalid volume name "bad\/name"/],
    [['volume', 'ls', '--filter', 'color=red'], /^berth: invalid filter 'color'/],
  ] as [string[], RegExp][]) {
    const r = b.run(args);
    assert.equal(r.status, 125, args.join(' '));
    assert.match(r.stderr, re);
  }
  assert.ok(!existsSync(join(b.root, 'volumes/x')), 'a refused create makes nothing');
});

test('volume rm refuses a volume in use, even with -f; rm -f of a missing one succeeds', () => {
  b.ok(['create', '--name', 'user', '-v', 'data:/d', 'busybox', 'true']);
  const r = b.run(['volume', 'rm', '-f', 'data']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: remove data: volume is in use by container user\n/);
  assert.equal(b.ok(['volume', 'rm', '-f', 'never-was']), 'never-was\n');
  const m = b.run(['volume', 'rm', 'never-was']);
  assert.equal(m.status, 125);
  assert.equal(m.stderr, 'berth: no such volume: never-was\n');
});

test('volume prune asks first, then removes every volume no container uses', () => {
  const no = b.run(['volume', 'prune'], { input: 'n\n' });
  assert.equal(no.status, 0);
  assert.match(no.stderr, /Are you sure you want to continue\? \[y\/N\]/);
  assert.match(b.ok(['volume', 'ls', '-q']), /implicit/, 'answering no removes nothing');
  const yes = b.run(['volume', 'prune'], { input: 'y\n' });
  assert.equal(yes.status, 0, yes.stderr);
  assert.match(yes.stdout, /^Deleted Volumes:\n/);
  assert.match(yes.stdout, /implicit\n/);
  assert.match(yes.stdout, /Total reclaimed space: \d/);
  assert.equal(b.ok(['volume', 'ls', '-q']), 'data\n', 'the one in use stays');
  assert.ok(!existsSync(join(b.root, 'volumes/implicit')));
});

test('container prune removes stopped containers only, with --filter label', () => {
  b.ok(['rm', 'user']);
  b.ok(['run', '-d', '--name', 'alive', '--network', 'none', 'busybox', 'sleep', '1000']);
  b.ok(['run', '--name', 'done1', '--network', 'none', '-l', 'keep=no', 'busybox', 'true']);
  const keep = b.ok(['create', '--name', 'made', '--network', 'none', '-l', 'keep=yes', 'busybox', 'true']).trim();
  const r1 = b.ok(['container', 'prune', '-f', '--filter', 'label=keep=no']);
  assert.match(r1, /^Deleted Containers:\n[0-9a-f]{64}\n\nTotal reclaimed space: /);
  assert.equal(b.run(['inspect', 'done1']).status, 125);
  assert.match(b.ok(['container', 'prune', '-f']), new RegExp(`${keep}\n`));
  assert.equal(b.inspect('alive').State.Status, 'running');
  assert.equal(b.ok(['ps', '-aq']).trim().split('\n').length, 1);
  const bad = b.run(['container', 'prune', '-f', '--filter', 'colour=red']);
  assert.equal(bad.status, 125);
  assert.match(bad.stderr, /^berth: invalid filter "colour=red"/);
});

test('system prune: stopped containers, unused networks, dangling images, and with --volumes unused volumes', () => {
  b.ok(['network', 'create', 'unused-net']);
  b.ok(['volume', 'create', 'loose']);
  b.ok(['run', '--name', 'gone', '--network', 'none', 'busybox', 'true']);
  const r = b.ok(['system', 'prune', '-f', '--volumes']);
  assert.match(r, /Deleted Containers:\n[0-9a-f]{64}\n/);
  assert.match(r, /Deleted Networks:\nunused-net\n/);
  assert.match(r, /Deleted Volumes:\n(data\n)?loose\n/);
  assert.match(r, /Total reclaimed space: /);
  assert.equal(b.run(['network', 'inspect', 'unused-net']).status, 125);
  assert.match(b.ok(['images']), /busybox/, 'an image a container uses stays, even with -a');
  b.ok(['system', 'prune', '-a', '-f']);
  assert.match(b.ok(['images']), /busybox/);
  assert.equal(b.inspect('alive').State.Status, 'running');
});

test('info: counts and host facts, as text, JSON and a template', () => {
  const t = b.ok(['info']);
  assert.match(t, /Containers: 1\n {2}Running: 1\n {2}Paused: 0\n {2}Stopped: 0\n/);
  assert.match(t, /Images: 1\n/);
  assert.match(t, new RegExp(`Docker Root Dir: ${b.root}\n`));
  const j = JSON.parse(b.ok(['info', '--format', 'json'])) as Record<string, unknown>;
  assert.equal(j.ContainersRunning, 1);
  assert.equal(j.OSType, 'linux');
  assert.ok(['1', '2'].includes(j.CgroupVersion as string));
  assert.equal(b.ok(['info', '-f', '{{.Containers}} {{.Images}}']), '1 1\n');
  assert.equal(b.ok(['system', 'info', '-f', '{{.Containers}}']), '1\n');
});

test('logs --since, --until, --tail and -t', async () => {
  b.ok(['run', '-d', '--name', 'talk', '--network', 'none', 'busybox', 'sh', '-c', 'echo one; echo two; sleep 2; echo three; sleep 1000']);
  await sleep(1000);
  const mid = new Date().toISOString();
  await sleep(2000);
  assert.equal(b.ok(['logs', 'talk']), 'one\ntwo\nthree\n');
  assert.equal(b.ok(['logs', '--since', mid, 'talk']), 'three\n');
  assert.equal(b.ok(['logs', '--until', mid, 'talk']), 'one\ntwo\n');
  assert.equal(b.ok(['logs', '--since', '10m', '--tail', '1', 'talk']), 'three\n');
  assert.equal(b.ok(['logs', '--since', String(Math.floor(Date.now() / 1000) + 60), 'talk']), '', 'Unix seconds in the future: nothing yet');
  assert.match(b.ok(['logs', '-t', '--tail', '2', 'talk']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+\S* two\n\S+ three\n$/);
  const r = b.run(['logs', '--since', 'last tuesday', 'talk']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /^berth: invalid --since "last tuesday"/);
});

test("images and network ls --format: Go templates over Docker's fields, table with headers, an unknown field refused", () => {
  const imageId = b.ok(['images', '-q']).trim();
  assert.equal(b.ok(['images', '--format', '{{.Repository}}:{{.Tag}}']), 'localhost/busybox:latest\n');
  const t = b.ok(['images', '--format', 'table {{.ID}}\\t{{.Tag}}\\t{{.CreatedAt}}']).split('\n');
  assert.match(t[0]!, /^IMAGE ID {3,}TAG {3,}CREATED AT$/);
  assert.match(t[1]!, new RegExp(`^${imageId} +latest +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d \\+0000 UTC$`));
  b.ok(['network', 'create', '--label', 'team=ops', 'fmtnet']);
  try {
    assert.equal(b.ok(['network', 'ls', '--filter', 'name=fmtnet', '--format', '{{.Name}}\\t{{.Driver}}\\t{{.Scope}}\\t{{.Labels}}']),
      'fmtnet\tbridge\tlocal\tteam=ops\n');
    assert.match(b.ok(['network', 'ls', '--filter', 'name=fmtnet', '--format', 'table {{.ID}}\\t{{.Name}}']),
      /^NETWORK ID {3,}NAME\n[0-9a-f]{12} {3,}fmtnet\n$/);
  } finally {
    b.ok(['network', 'rm', 'fmtnet']);
  }
  for (const verb of [['images'], ['network', 'ls']]) {
    const r = b.run([...verb, '--format', '{{.Nope}}']);
    assert.deepEqual([r.status, r.stdout], [125, ''], verb.join(' '));
    assert.match(r.stderr, /^berth: template: can't evaluate field Nope in type (image|network)\n$/);
  }
});
