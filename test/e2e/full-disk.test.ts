// A full disk under the berth root (a small tmpfs) during a pull, a build, a commit, a load and
// containers' log writes. A pull, build, commit or load that meets ENOSPC fails in one line (exit
// 125), leaves no partial blob, layer or image, and works once space is freed. Containers whose
// logs keep the disk full keep running, their logs stop growing, and ps, exec, stop, kill and
// rm -f still work: each command holds the logs still while it works (engine/quiet-writers.ts)
// and spends and remakes the 2 MiB reserve (state/reserve.ts); the instances file stays intact.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { integrityOk } from './db-check.js';
import { Berth, type Result, until, jsonLines } from './helpers.js';
import { TestRegistry } from './registry-helpers.js';

const MiB = 1024 * 1024;
const cleanups: Array<() => void | Promise<void>> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Pull's and build's progress lines (Podman's), not messages. */
const PROGRESS = /^(STEP \d+\/\d+: |Trying to pull |Copying (blob|config) |Writing manifest|Storing signatures|Getting image source)/;

function oneLine(r: Result, pattern: RegExp, what: string): void {
  assert.equal(r.status, 125, `${what}: ${r.stdout}${r.stderr}`);
  const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('hint: ') && !PROGRESS.test(l));
  assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
  assert.doesNotMatch(lines[0]!, /internal error/, what);
  assert.match(lines[0]!, pattern, what);
}

/** A berth whose root is a tmpfs of `mib` MiB. */
function smallRoot(mib: number, registries: object): Berth {
  const b = new Berth();
  rmSync(b.root, { recursive: true, force: true });
  mkdirSync(b.root, { mode: 0o700 });
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${mib}m,mode=0700`, 'tmpfs', b.root]).status, 0);
  cleanups.push(() => {
    // A failure on the full disk must not also fail the cleanup: the logs go first, making room.
    const dir = join(b.root, 'containers');
    if (existsSync(dir)) { for (const id of readdirSync(dir)) spawnSync('truncate', ['-s', '0', join(dir, id, 'ctr.log')]); }
    rmSync(join(b.root, 'fill'), { force: true });
    b.destroy();
    spawnSync('umount', [b.root]);
    rmSync(b.root, { recursive: true, force: true });
  });
  writeFileSync(join(b.root, 'registries.json'), JSON.stringify(registries));
  return b;
}

const avail = (dir: string) => Number(spawnSync('df', ['-B1', '--output=avail', dir], { encoding: 'utf8' }).stdout.split('\n')[1]);

/** Fills the disk until only `leave` bytes are free. */
function fillTo(b: Berth, leave: number): string {
  const fill = join(b.root, 'fill');
  const n = Math.floor((avail(b.root) - leave) / MiB);
  assert.ok(n > 0, 'room to fill');
  spawnSync('dd', ['if=/dev/zero', `of=${fill}`, 'bs=1M', `count=${n}`]);
  return fill;
}

/** What the store holds: blobs, layers, images, and berth's scratch space. */
function store(b: Berth): string {
  const ls = (d: string) => (existsSync(d) ? readdirSync(d).sort().join(',') : '');
  return JSON.stringify({
    blobs: ls(join(b.root, 'blobs', 'sha256')),
    layers: ls(join(b.root, 'layers')),
    tmp: ls(join(b.root, 'tmp')),
    images: b.ok(['images', '-q']),
  });
}

test('a pull and a build that fill the disk fail in one line, leave nothing partial, and work once space is freed', async () => {
  const reg = await new TestRegistry().start();
  cleanups.push(() => reg.stop());
  const registries = { search: [], insecure: [reg.host] };
  // The image to pull: busybox and 12 MiB that do not compress, built and pushed from a root on a real disk.
  const src = new Berth();
  cleanups.push(() => src.destroy());
  writeFileSync(join(src.root, 'registries.json'), JSON.stringify(registries));
  src.importBusybox();
  const ctx = mkdtempSync('/tmp/berth-fulldisk-ctx-');
  cleanups.push(() => rmSync(ctx, { recursive: true, force: true }));
  writeFileSync(join(ctx, 'big'), randomBytes(12 * MiB));
  writeFileSync(join(ctx, 'Containerfile'), 'FROM localhost/busybox:latest\nCOPY big /big\n');
  const ref = `${reg.host}/berth/fulldisk:1`;
  src.ok(['build', '-t', ref, ctx]);
  src.ok(['push', ref]);
  // The build's context for the small root: 10 MiB that do not compress, which needs about twice that
  // (the copy that becomes the layer, and its blob) where 14 MiB are free.
  const small = mkdtempSync('/tmp/berth-fulldisk-small-');
  cleanups.push(() => rmSync(small, { recursive: true, force: true }));
  writeFileSync(join(small, 'part'), randomBytes(10 * MiB));
  writeFileSync(join(small, 'Containerfile'), 'FROM localhost/busybox:latest\nCOPY part /part\n');

  const b = smallRoot(64, registries);
  b.importBusybox();
  const fill = fillTo(b, 14 * MiB);
  const before = store(b);

  oneLine(b.run(['pull', ref]), /^berth: no space left on the disk holding /, 'pull');
  assert.equal(store(b), before, 'the pull left no blob, layer, image or scratch file');
  integrityOk(b.root);
  oneLine(b.run(['build', '-t', 'localhost/part:1', small]), /^berth: no space left on the disk holding /, 'build');
  assert.equal(store(b), before, 'the build left no blob, layer, image or scratch file');
  integrityOk(b.root);
  const check = b.run(['system', 'check']);
  assert.equal(check.status, 0, `system check finds nothing left over:\n${check.stdout}`);

  rmSync(fill);
  b.ok(['pull', ref]);
  assert.equal(b.ok(['run', '--rm', ref, 'sh', '-c', 'wc -c < /big']).trim(), String(12 * MiB));
  b.ok(['build', '-t', 'localhost/part:1', small]);
  assert.equal(b.ok(['run', '--rm', 'localhost/part:1', 'sh', '-c', 'wc -c < /part']).trim(), String(10 * MiB));
  integrityOk(b.root);
});

/** The log stops growing: two looks a while apart see the same size. */
async function stillLog(log: string): Promise<number> {
  let last = -1;
  await until(() => {
    const now = statSync(log).size;
    const same = now === last;
    last = now;
    return same;
  }, 30_000, 500);
  return last;
}

function procState(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '')[0];
  } catch {
    return undefined;
  }
}

test('on a disk running logs keep full, ps, exec, stop, kill and rm -f work; the containers keep running until told', async () => {
  const b = smallRoot(24, { search: [] });
  b.importBusybox();
  const reserve = join(b.root, 'berth.db.reserve');
  assert.equal(statSync(reserve).size, 2 * MiB, 'the reserve is kept');
  const line = 'x'.repeat(200);
  const names = ['stopme', 'killme', 'rmme'];
  // They start writing together, when told: the first to write would fill the disk before the others started.
  const go = mkdtempSync('/tmp/berth-fulldisk-go-');
  cleanups.push(() => rmSync(go, { recursive: true, force: true }));
  const ids = names.map((n) =>
    b.ok(['run', '-d', '--name', n, '-v', `${go}:/go`, 'busybox', 'sh', '-c', `while [ ! -e /go/now ]; do sleep 0.1; done; while :; do echo ${line}; done`])
      .trim()
  );
  writeFileSync(join(go, 'now'), '');
  const logs = ids.map((id) => join(b.root, 'containers', id, 'ctr.log'));
  const pids = names.map((n) => (b.inspect(n).State as { Pid: number }).Pid);
  const conmons = names.map((n) => (b.inspect(n).State as { ConmonPid: number }).ConmonPid);
  await until(() => avail(b.root) === 0, 60_000);
  for (const log of logs) await stillLog(log);
  for (const pid of pids) assert.match(procState(pid) ?? 'gone', /^[RS]$/, 'the container keeps running on the full disk');

  // Every command below opens the instances file on a disk with no room: each gives up the
  // reserve, holds the logs still while it works, and makes the reserve again before letting go.
  const ps = (jsonLines<{ Names: string; State: string }>(b.ok(['ps', '--format', 'json']))).map((c) => `${c.Names} ${c.State}`).sort();
  assert.deepEqual(ps, ['killme running', 'rmme running', 'stopme running'], 'ps on the full disk');
  const ex = b.run(['exec', 'stopme', 'echo', 'alive']);
  if (ex.status === 0) assert.equal(ex.stdout, 'alive\n');
  else oneLine(ex, /^berth: no space left on the disk holding /, 'exec on the full disk');
  oneLine(b.run(['run', '-d', 'busybox', 'true']), /^berth: no space left on the disk holding /, 'run on the full disk');
  // Held still (SIGSTOP) while each command worked, let go when it was done.
  for (const pid of [...pids, ...conmons]) assert.match(procState(pid) ?? 'gone', /^[RS]$/, 'the containers and their conmons run on');

  b.ok(['stop', '-t', '1', 'stopme']);
  assert.equal(b.inspect('stopme').State.Status, 'exited', 'stop on the full disk');
  b.ok(['kill', 'killme']);
  await until(() => b.inspect('killme').State.Status === 'exited', 15_000);
  assert.equal((b.inspect('killme').State as { ExitCode: number }).ExitCode, 137, 'kill on the full disk');
  // A start needs room: refused, for each container named, in one line each, and rolled back.
  const st = b.run(['start', 'stopme', 'killme']);
  assert.equal(st.status, 125, st.stderr);
  const lines = st.stderr.trim().split('\n');
  assert.equal(lines.length, 2, st.stderr);
  for (const l of lines) assert.match(l, /^berth: no space left on the disk holding /);
  b.ok(['rm', '-f', 'rmme']);
  const left = (jsonLines<{ Names: string; State: string }>(b.ok(['ps', '-a', '--format', 'json']))).map((c) => `${c.Names} ${c.State}`).sort();
  assert.deepEqual(left, ['killme exited', 'stopme exited']);
  assert.equal(procState(pids[1]!) ?? 'gone', 'gone', 'kill ended the container');
  assert.ok(!existsSync(logs[2]!), 'rm -f took the log with it');
  integrityOk(b.root);
  const check = b.run(['system', 'check']);
  assert.equal(check.status, 0, `system check finds nothing left over:\n${check.stdout}`);
  b.ok(['rm', 'stopme', 'killme']);
  assert.ok(avail(b.root) > 10 * MiB, 'the logs went with their containers');
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.equal(b.ok(['run', '--rm', 'busybox', 'echo', 'back']), 'back\n');
  assert.equal(statSync(reserve).size, 2 * MiB, 'the reserve is whole again once there is room');
  integrityOk(b.root);
});

test('a conmon left held still (a berth that died on a full disk) is found by system check and let go by --repair', () => {
  const b = new Berth();
  cleanups.push(() => b.destroy());
  b.importBusybox();
  b.ok(['run', '-d', '--name', 'heldstill', 'busybox', 'sleep', '1000']);
  const conmon = (b.inspect('heldstill').State as { ConmonPid: number }).ConmonPid;
  process.kill(conmon, 'SIGSTOP');
  const check = b.run(['system', 'check']);
  assert.equal(check.status, 1, check.stdout);
  assert.match(check.stdout, /stopped \(SIGSTOP\) by a berth that ended/);
  assert.match(b.run(['system', 'check', '--repair']).stdout, /done: let it go \(SIGCONT\)/);
  assert.match(procState(conmon) ?? 'gone', /^[RS]$/, 'conmon runs again');
  assert.equal(b.run(['system', 'check']).status, 0);
  b.ok(['rm', '-f', 'heldstill']);
});

test('a commit and a load that fill the disk fail in one line, leave nothing partial, and work once space is freed', () => {
  const b = smallRoot(64, { search: [] });
  b.importBusybox();
  b.ok(['run', '-d', '--name', 'tocommit', 'busybox', 'sleep', '1000']);
  // 12 MiB that do not compress, in the writable layer: the commit's layer blob needs as much again.
  b.ok(['exec', 'tocommit', 'dd', 'if=/dev/urandom', 'of=/big', 'bs=1M', 'count=12']);
  let fill = fillTo(b, 4 * MiB);
  const before = store(b);
  oneLine(b.run(['commit', 'tocommit', 'localhost/committed:1']), /^berth: no space left on the disk holding /, 'commit');
  assert.equal(store(b), before, 'the commit left no blob, layer, image or scratch file');
  integrityOk(b.root);
  let check = b.run(['system', 'check']);
  assert.equal(check.status, 0, `system check finds nothing left over:\n${check.stdout}`);
  rmSync(fill);
  b.ok(['commit', 'tocommit', 'localhost/committed:1']);
  b.ok(['rm', '-f', 'tocommit']);

  // The committed image, saved outside the small root, loaded back on a full disk.
  const out = mkdtempSync('/tmp/berth-fulldisk-save-');
  cleanups.push(() => rmSync(out, { recursive: true, force: true }));
  const tar = join(out, 'committed.tar');
  b.ok(['save', '-o', tar, 'localhost/committed:1']);
  b.ok(['rmi', 'localhost/committed:1']);
  b.ok(['image', 'prune', '-f']);
  fill = fillTo(b, 4 * MiB);
  const before2 = store(b);
  oneLine(b.run(['load', '-i', tar]), /^berth: no space left on the disk holding /, 'load');
  assert.equal(store(b), before2, 'the load left no blob, layer, image or scratch file');
  integrityOk(b.root);
  check = b.run(['system', 'check']);
  assert.equal(check.status, 0, `system check finds nothing left over:\n${check.stdout}`);
  rmSync(fill);
  b.ok(['load', '-i', tar]);
  assert.equal(b.ok(['run', '--rm', 'localhost/committed:1', 'sh', '-c', 'wc -c < /big']).trim(), String(12 * MiB));
  integrityOk(b.root);
});
