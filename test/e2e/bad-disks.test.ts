// Bad disks and files, and the mistakes users make, each answered with one line (exit 125),
// never "internal error": a read-only instances file (rm -f deletes nothing before failing), a
// read-only root (writes refused, reads work), a full disk (run and create refused with the
// instances file intact; ps, stop, kill and rm still work, so a user can always get out), a
// relative -w, -m 1, the default network named by its id.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { integrityOk } from './db-check.js';
import { Berth, type Result, jsonLines } from './helpers.js';

/** One line on stderr, `berth: …` (and maybe a hint), exit 125, not a bug's message. */
function oneLine(r: Result, pattern: RegExp, what: string): void {
  assert.equal(r.status, 125, `${what}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('hint: '));
  assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
  assert.doesNotMatch(lines[0]!, /internal error/, what);
  assert.match(lines[0]!, pattern, what);
}

const state = (b: Berth) =>
  new Map((jsonLines<{ Names: string; State: string }>(b.ok(['ps', '-a', '--format', 'json'])))
    .map((c) => [c.Names, c.State]));

test('a read-only instances file: one line, and rm -f deletes nothing before failing', () => {
  const b = new Berth();
  const file = join(b.root, 'berth.db');
  let mounted = false;
  try {
    b.importBusybox();
    b.ok(['run', '-d', '--name', 'up', 'busybox', 'sleep', '1000']);
    b.ok(['create', '--name', 'idle', 'busybox', 'true']);
    const ids = b.ok(['ps', '-aq', '--no-trunc']).trim().split('\n');
    const files = (id: string) => readdirSync(join(b.root, 'containers', id)).sort();
    const before = new Map(ids.map((id) => [id, files(id)]));
    assert.equal(spawnSync('mount', ['--bind', file, file]).status, 0);
    mounted = true;
    assert.equal(spawnSync('mount', ['-o', 'remount,bind,ro', file, file]).status, 0);
    oneLine(b.run(['rm', '-f', 'up']), /^berth: the instances file .*berth\.db cannot be written/, 'rm -f running');
    oneLine(b.run(['rm', 'idle']), /^berth: the instances file .*berth\.db cannot be written/, 'rm created');
    oneLine(b.run(['run', '-d', 'busybox', 'true']), /cannot be written/, 'run');
    for (const id of ids) assert.deepEqual(files(id), before.get(id), `container ${id.slice(0, 12)} kept every file`);
    assert.deepEqual([...state(b)].sort(), [['idle', 'created'], ['up', 'running']]);
    assert.equal(b.ok(['exec', 'up', 'echo', 'alive']), 'alive\n');
    spawnSync('umount', [file]);
    mounted = false;
    b.ok(['rm', '-f', 'up', 'idle']);
    assert.equal(state(b).size, 0);
  } finally {
    if (mounted) spawnSync('umount', [file]);
    b.destroy();
  }
});

test('a full disk: run and create refused in one line, the instances file intact; ps, stop, kill and rm still work', () => {
  const b = new Berth();
  // A 16 MiB tmpfs as the root, filled up once the containers are there.
  rmSync(b.root, { recursive: true, force: true });
  mkdirSync(b.root, { mode: 0o700 });
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', b.root]).status, 0);
  try {
    b.importBusybox();
    for (const n of ['one', 'two', 'three']) b.ok(['run', '-d', '--name', n, 'busybox', 'sleep', '1000']);
    b.ok(['create', '--name', 'idle', 'busybox', 'true']);
    spawnSync('dd', ['if=/dev/zero', `of=${join(b.root, 'fill')}`, 'bs=1M']);
    assert.match(spawnSync('df', ['--output=avail', b.root], { encoding: 'utf8' }).stdout, /\n\s*0\n/, 'the disk is full');

    oneLine(b.run(['run', '-d', '--name', 'new', 'busybox', 'sleep', '1']), /^berth: no space left on the disk holding /, 'run -d');
    oneLine(b.run(['create', '--name', 'new', 'busybox', 'true']), /^berth: no space left on the disk holding /, 'create');
    oneLine(b.run(['run', '--rm', 'busybox', 'true']), /^berth: no space left on the disk holding /, 'run --rm');
    integrityOk(b.root);
    assert.deepEqual([...state(b)].sort(), [['idle', 'created'], ['one', 'running'], ['three', 'running'], ['two', 'running']], 'nothing half made');
    assert.ok(!existsSync(join(b.root, 'containers')) || readdirSync(join(b.root, 'containers')).length === 4);

    b.ok(['stop', '-t', '0', 'one']);
    b.ok(['kill', 'two']);
    b.ok(['rm', '-f', 'three']);
    b.ok(['rm', 'idle']);
    const s = state(b);
    assert.equal(s.get('one'), 'exited');
    assert.equal(s.get('two'), 'exited');
    assert.equal(s.size, 2);
    integrityOk(b.root);
    b.ok(['rm', 'one', 'two']);
  } finally {
    rmSync(join(b.root, 'fill'), { force: true });
    b.destroy();
    spawnSync('umount', [b.root]);
    rmSync(b.root, { recursive: true, force: true });
  }
});

let u: Berth;
before(() => {
  u = new Berth();
  u.importBusybox();
});
after(() => u.destroy());

test('mistakes users make are theirs, in one line: relative -w, -m 1, the default network by id', () => {
  oneLine(u.run(['run', '--rm', '-w', 'rel', 'busybox', 'pwd']), /^berth: the working directory 'rel' is invalid, it needs to be an absolute path$/, '-w rel');
  oneLine(u.run(['create', '-m', '1', 'busybox', 'true']), /^berth: Minimum memory limit allowed is 6MB$/, '-m 1');
  assert.equal(u.ok(['ps', '-aq']), '', 'nothing was created');
  assert.equal(u.ok(['run', '--rm', '-w', '/tmp', '-m', '6m', 'busybox', 'pwd']), '/tmp\n');
  const net = jsonLines(u.ok(['network', 'ls', '--no-trunc', '--format', 'json'])).find((n) => n.Name === 'berth')!;
  for (const ref of [net.ID!, net.ID!.slice(0, 12)]) {
    oneLine(u.run(['network', 'rm', ref]), /^berth: network [0-9a-f]+ is the default network berth and cannot be removed by its id$/, `network rm ${ref}`);
  }
  assert.ok(u.ok(['network', 'ls']).includes('berth'));
});

test('a read-only root: what would write is refused in one line, what reads works, and all is as it was once writable', () => {
  const b = new Berth();
  rmSync(b.root, { recursive: true, force: true });
  mkdirSync(b.root, { mode: 0o700 });
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m,mode=0700', 'tmpfs', b.root]).status, 0);
  try {
    b.importBusybox();
    b.ok(['create', '--name', 'kept', 'busybox', 'true']);
    assert.equal(spawnSync('mount', ['-o', 'remount,ro', b.root]).status, 0);
    const ro = /^berth: the instances file .* cannot be written|^berth: read-only file system/;
    oneLine(b.run(['run', '--rm', 'busybox', 'true']), ro, 'run on a read-only root');
    oneLine(b.run(['create', 'busybox', 'true']), ro, 'create on a read-only root');
    oneLine(b.run(['rm', 'kept']), ro, 'rm on a read-only root');
    assert.deepEqual([...state(b)], [['kept', 'created']], 'ps reads it');
    assert.match(b.ok(['images']), /busybox/);
    assert.equal(spawnSync('mount', ['-o', 'remount,rw', b.root]).status, 0);
    integrityOk(b.root);
    b.ok(['rm', 'kept']);
    assert.equal(b.ok(['run', '--rm', 'busybox', 'echo', 'back']), 'back\n');
  } finally {
    spawnSync('mount', ['-o', 'remount,rw', b.root]);
    b.destroy();
    spawnSync('umount', [b.root]);
    rmSync(b.root, { recursive: true, force: true });
  }
});
