// User namespaces (--userns=auto, --uidmap, compose userns_mode), proven from inside real
// containers: the kernel's own uid_map, the owner on the host of what root inside writes, files
// root inside may not read, and what the host sees of the image layers (shared, untouched).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, type Result } from './helpers.js';

// Subordinate ids of the test's own, far from any a real /etc/subuid would give.
const START = 3_000_000_000;
const SIZE = 300_000;

let b: Berth;
let dir: string;
let env: NodeJS.ProcessEnv;

before(() => {
  b = new Berth();
  b.importBusybox();
  dir = mkdtempSync('/tmp/berth-test-userns-');
  const subid = join(dir, 'subid');
  writeFileSync(subid, `someone:100000:65536\ncontainers:${START}:${SIZE}\n`);
  env = { BERTH_SUBUID: subid, BERTH_SUBGID: subid };
});
after(() => {
  b.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const run = (args: string[]): Result => b.run(args, { env });
function ok(args: string[]): string {
  const r = run(args);
  assert.equal(r.status, 0, `berth ${args.join(' ')} → ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}
/** uid_map's lines as [inside, outside, count]. */
const idMap = (text: string) => text.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
const hostUid = (pid: number) => Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

test("--userns=auto: root inside is a subordinate uid outside, and what it writes to a bind mount is that uid's", () => {
  ok(['volume', 'create', 'uns-vol']);
  writeFileSync(join(dir, 'root-only'), 'host secret\n', { mode: 0o600 });
  chmodSync(dir, 0o755);
  const out = ok(['run', '--rm', '--network', 'none', '--userns=auto', '-v', `${dir}:/host`, 'busybox', 'sh', '-c',
    'cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map; echo ---; id -u; cat /host/root-only 2>&1; echo read=$?'
    + '; mkdir -p /tmp/t && touch /tmp/t/f && echo rootfs-writable']);
  const [uids, gids, rest] = out.split('---\n');
  assert.deepEqual(idMap(uids!), [[0, START, 65536]]);
  assert.deepEqual(idMap(gids!), [[0, START, 65536]]);
  assert.match(rest!, /^0\n/, 'root inside');
  assert.match(rest!, /Permission denied\nread=1/, 'root inside cannot read a file only host root may read');
  assert.match(rest!, /rootfs-writable/, "the writable layer is its root's");

  // Without a user namespace the same root reads it (CAP_DAC_OVERRIDE on the host's files).
  assert.match(ok(['run', '--rm', '--network', 'none', '-v', `${dir}:/host`, 'busybox', 'cat', '/host/root-only']), /host secret/);

  const wdir = mkdtempSync(join(dir, 'w-'));
  chmodSync(wdir, 0o777);
  ok(['run', '--rm', '--network', 'none', '--userns=auto', '-v', `${wdir}:/w`, '-v', 'uns-vol:/v', 'busybox', 'sh', '-c',
    'touch /w/made /v/made; mkdir /w/sub']);
  for (const p of [join(wdir, 'made'), join(wdir, 'sub')]) {
    const st = statSync(p);
    assert.deepEqual([st.uid, st.gid], [START, START], `${p} belongs to the mapped root`);
  }
  const vol = JSON.parse(ok(['volume', 'inspect', 'uns-vol'])) as { Mountpoint: string }[];
  assert.equal(statSync(join(vol[0]!.Mountpoint, 'made')).uid, START, "a new named volume is given to the container's root");
  ok(['volume', 'rm', 'uns-vol']);
});

test('two --userns=auto containers get ranges that do not overlap; exec, the bridge network and rm work; rm frees the range', async () => {
  ok(['run', '-d', '--name', 'uns-one', '--userns=auto', '-p', '127.0.0.1:0:80', 'busybox', 'httpd', '-f', '-p', '80', '-h', '/etc']);
  ok(['run', '-d', '--name', 'uns-two', '--userns=auto:size=1000', 'busybox', 'sleep', '300']);
  const one = b.inspect('uns-one') as unknown as { State: { Pid: number }; HostConfig: { UsernsMode: string; IDMappings: { UidMap: string[] } } };
  const two = b.inspect('uns-two') as unknown as { State: { Pid: number }; HostConfig: { IDMappings: { UidMap: string[] } } };
  assert.equal(one.HostConfig.UsernsMode, 'auto');
  assert.deepEqual(one.HostConfig.IDMappings.UidMap, [`0:${START}:65536`]);
  assert.deepEqual(two.HostConfig.IDMappings.UidMap, [`0:${START + 65536}:1000`]);
  assert.equal(hostUid(one.State.Pid), START, "uns-one's init runs as its mapped root");
  assert.equal(hostUid(two.State.Pid), START + 65536);
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  assert.equal(mode(b.root), '711', 'search only, so that runc can reach the rootfs as the mapped root');
  assert.equal(mode(join(b.root, 'berth.db')), '600');
  assert.equal(mode(join(b.root, 'containers', b.inspect('uns-one').Id, 'ctr.log')), '600');
  // exec joins the user namespace and then the network namespace, which that namespace owns.
  assert.deepEqual(idMap(ok(['exec', 'uns-two', 'cat', '/proc/self/uid_map'])), [[0, START + 65536, 1000]]);
  assert.match(ok(['exec', 'uns-one', 'ip', '-4', 'addr', 'show', 'eth0']), /inet 10\.\d+\.\d+\.\d+\//);
  assert.match(ok(['exec', 'uns-one', 'cat', '/etc/hosts']), /uns-one/, '/etc/hosts was filled after the network was made');
  const port = /127\.0\.0\.1:(\d+)/.exec(ok(['port', 'uns-one', '80']))![1];
  const res = await fetch(`http://127.0.0.1:${port}/hostname`);
  assert.equal(res.status, 200, 'a published port reaches the container');
  assert.equal((await res.text()).trim(), b.inspect('uns-one').Id.slice(0, 12));
  ok(['rm', '-f', 'uns-one']);
  ok(['run', '-d', '--name', 'uns-three', '--userns=auto:size=500', 'busybox', 'sleep', '300']);
  const three = b.inspect('uns-three') as unknown as { HostConfig: { IDMappings: { UidMap: string[] } } };
  assert.deepEqual(three.HostConfig.IDMappings.UidMap, [`0:${START}:500`], 'the range uns-one held is free again');
  ok(['rm', '-f', 'uns-two', 'uns-three']);
});

test('the image layers stay shared and untouched: idmapped, not copied or chowned', () => {
  const layers = join(b.root, 'layers');
  const owners = () =>
    readdirSync(layers).map((l) => statSync(join(layers, l, 'bin', 'busybox'), { throwIfNoEntry: false })?.uid).filter((u) => u !== undefined);
  const before = owners();
  assert.ok(before.length > 0 && before.every((u) => u === 0));
  const out = ok(['run', '--rm', '--network', 'none', '--userns=auto', 'busybox', 'sh', '-c',
    'stat -c %u:%g /bin/busybox; grep -c " /proc/" /proc/self/mountinfo']);
  assert.match(out, /^0:0\n/, "inside, the layer's files are root's");
  assert.deepEqual(owners(), before, 'on the host they are still uid 0');
  assert.equal(readdirSync(join(b.root, 'layers')).length, readdirSync(layers).length);
  // No bind of a layer is left mounted once the overlay is up.
  const binds = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(`${b.root}/containers/`) && l.includes('/idmap/'));
  assert.deepEqual(binds, []);
});

test('escapes fail in a user namespace, even --privileged', () => {
  const out = ok(['run', '--rm', '--network', 'none', '--privileged', '--userns=auto', '-v', `${dir}:/host`, 'busybox', 'sh', '-c',
    'echo 1 > /proc/sysrq-trigger; echo sysrq=$?; echo 1 > /proc/sys/vm/drop_caches; echo drop=$?; cat /host/root-only >/dev/null 2>&1; echo read=$?'
    + '; mknod /tmp/mem c 1 1 && cat /tmp/mem >/dev/null 2>&1; echo mem=$?; cat /proc/self/uid_map']);
  assert.match(out, /sysrq=1/);
  assert.match(out, /drop=1/, "/proc/sys belongs to the host's user namespace");
  assert.match(out, /read=1/);
  assert.match(out, /mem=1/, 'no device node can be made');
  assert.deepEqual(idMap(out.split('\n').slice(-2).join('\n')), [[0, START, 65536]]);
});

test('--uidmap and --gidmap are written as given', () => {
  const out = ok(['run', '--rm', '--network', 'none', '--uidmap', `0:${START + 200_000}:2000`, '--gidmap', `0:${START + 250_000}:3000`, 'busybox', 'sh', '-c',
    'cat /proc/self/uid_map; echo ---; cat /proc/self/gid_map']);
  const [u, g] = out.split('---\n');
  assert.deepEqual(idMap(u!), [[0, START + 200_000, 2000]]);
  assert.deepEqual(idMap(g!), [[0, START + 250_000, 3000]]);
  assert.deepEqual(idMap(ok(['run', '--rm', '--network', 'none', '--userns=host', 'busybox', 'cat', '/proc/self/uid_map'])), [[0, 0, 4294967295]]);
});

test('bad --userns values are one line and exit 125, with nothing made', () => {
  for (const [flags, msg] of [
    [['--userns=bogus'], /^berth: invalid --userns "bogus"/],
    [['--userns=auto:size=x'], /^berth: invalid --userns=auto:size=x size: "x" is not a number/],
    [['--uidmap', '0:1'], /^berth: invalid --uidmap "0:1"/],
  ] as const) {
    const r = run(['run', '--rm', '--name', 'uns-bad', ...flags, 'busybox', 'true']);
    assert.equal(r.status, 125, r.stderr);
    assert.match(r.stderr, msg);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('berth:')).length, 1);
  }
  const none = b.run(['run', '--rm', '--userns=auto', 'busybox', 'true'], { env: { BERTH_SUBUID: join(dir, 'missing'), BERTH_SUBGID: join(dir, 'missing') } });
  assert.equal(none.status, 125);
  assert.match(none.stderr, /no subordinate uids for user "containers"/);
  assert.equal(ok(['ps', '-aq']), '');
});

test('compose: userns_mode and the security keys', () => {
  const pdir = mkdtempSync(join(dir, 'p-'));
  writeFileSync(join(pdir, 'compose.yaml'), `
services:
  app:
    image: localhost/busybox:latest
    command: [sleep, "300"]
    userns_mode: "auto:size=4000"
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    security_opt: ["no-new-privileges:true"]
    read_only: true
    tmpfs: [/scratch]
    group_add: ["1234"]
`);
  const compose = (args: string[]) => ok(['compose', '--project-directory', pdir, '-f', join(pdir, 'compose.yaml'), ...args]);
  compose(['up', '-d']);
  try {
    const name = ok(['ps', '-q']).trim();
    const out = ok(['exec', name, 'sh', '-c',
      'cat /proc/self/uid_map; grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; id -G; touch /x 2>/dev/null; echo rootfs=$?; touch /scratch/y; echo scratch=$?']);
    assert.deepEqual(idMap(out.split('\n')[0]!), [[0, START, 4000]]);
    assert.match(out, /CapEff:\s+0000000000000400/);
    assert.match(out, /NoNewPrivs:\s+1/);
    assert.match(out, /\b1234\b/);
    assert.match(out, /rootfs=1/);
    assert.match(out, /scratch=0/);
  } finally {
    compose(['down']);
  }
});

test("commit and export of a --userns container give its files their ids inside, not the host's", () => {
  ok(['run', '--name', 'uns-commit', '--network', 'none', '--userns=auto', 'busybox', 'sh', '-c', 'mkdir /made && touch /made/f && chown 1000:1000 /made/f']);
  ok(['commit', 'uns-commit', 'uns-committed']);
  const out = ok(['run', '--rm', '--network', 'none', 'uns-committed', 'stat', '-c', '%u:%g %n', '/made', '/made/f']);
  assert.equal(out, '0:0 /made\n1000:1000 /made/f\n');
  const tar = join(dir, 'export.tar');
  ok(['export', '-o', tar, 'uns-commit']);
  const list = spawnSync('tar', ['-tvf', tar, 'made/f'], { encoding: 'utf8' });
  assert.match(list.stdout, /1000\/1000/);
  ok(['rm', 'uns-commit']);
  ok(['rmi', 'uns-committed']);
});

test('cp into a --userns container gives the file to root inside, running or stopped', () => {
  const file = join(dir, 'cp-in');
  writeFileSync(file, 'copied\n');
  ok(['run', '-d', '--name', 'uns-cp', '--network', 'none', '--userns=auto', 'busybox', 'sleep', '300']);
  ok(['cp', file, 'uns-cp:/tmp/']);
  assert.equal(ok(['exec', 'uns-cp', 'stat', '-c', '%u:%g', '/tmp/cp-in']), '0:0\n');
  ok(['stop', '-t', '0', 'uns-cp']);
  ok(['cp', file, 'uns-cp:/stopped-in']);
  ok(['start', 'uns-cp']);
  assert.equal(ok(['exec', 'uns-cp', 'stat', '-c', '%u:%g', '/stopped-in']), '0:0\n');
  ok(['rm', '-f', 'uns-cp']);
});
