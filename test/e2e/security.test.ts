// What a container may do, asserted from inside it: Docker's defaults (capabilities, seccomp,
// masked and read-only paths, devices, the pid namespace) and the flags that change them. Each
// check reads the kernel's own account (/proc/self/status, mountinfo, errno), so a regression in
// spec generation or in the seccomp filter fails here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, REPO, type Result } from './helpers.js';

const MASKED = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug',
  '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'];
const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
const DOCKER_CAPS = '00000000a80425fb';

let b: Berth;
let probeDir: string;

before(() => {
  b = new Berth();
  b.importBusybox();
  probeDir = mkdtempSync('/tmp/berth-test-probe-');
  const cc = spawnSync('gcc', ['-static', '-O2', '-o', join(probeDir, 'sysprobe'), join(REPO, 'test/e2e/sysprobe.c')], { encoding: 'utf8' });
  assert.equal(cc.status, 0, `gcc: ${cc.stderr}`);
});
after(() => {
  b.destroy();
  rmSync(probeDir, { recursive: true, force: true });
});

/** One throwaway container with the probe at /probe; flags go before the image. */
function inside(flags: string[], script: string): Result {
  return b.run(['run', '--rm', '--network', 'none', ...flags, '-v', `${probeDir}:/probe:ro`, 'busybox', 'sh', '-c', script]);
}

function ok(flags: string[], script: string): string {
  const r = inside(flags, script);
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const statusField = (status: string, k: string) => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1];

/** mountinfo as (mount point → per-mount options), the last mount at a point winning. */
function mounts(mountinfo: string): Map<string, string[]> {
  return new Map([...mountTypes(mountinfo)].map(([k, v]) => [k, v.options]));
}

function mountTypes(mountinfo: string): Map<string, { options: string[]; fstype: string }> {
  const m = new Map<string, { options: string[]; fstype: string }>();
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length > 5 && dash > 5) m.set(f[4]!, { options: f[5]!.split(','), fstype: f[dash + 1]! });
  }
  return m;
}

function userError(r: Result, re: RegExp): void {
  assert.equal(r.status, 125, r.stderr);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(lines.filter((l) => l.startsWith('berth:')).length, 1, r.stderr);
  assert.match(lines[0]!, re);
  assert.equal(b.ok(['ps', '-aq']), '', 'nothing left half made');
}

// ------------------------------------------------------------------------------ defaults

test("default: Docker's 14 capabilities in the effective, permitted and bounding sets; none ambient or inheritable", () => {
  const s = ok([], 'cat /proc/self/status');
  assert.equal(statusField(s, 'CapEff'), DOCKER_CAPS);
  assert.equal(statusField(s, 'CapPrm'), DOCKER_CAPS);
  assert.equal(statusField(s, 'CapBnd'), DOCKER_CAPS);
  assert.equal(statusField(s, 'CapAmb'), '0000000000000000');
  assert.equal(statusField(s, 'CapInh'), '0000000000000000');
});

test('default: a seccomp filter in force, and new privileges allowed as in Docker', () => {
  const s = ok([], 'cat /proc/self/status');
  assert.equal(statusField(s, 'Seccomp'), '2');
  assert.equal(statusField(s, 'NoNewPrivs'), '0');
});

test('default: a setuid program works (no no-new-privileges), as under Docker', () => {
  const out = ok([], 'cp /probe/sysprobe /bin/sp && chmod 4755 /bin/sp && su nobody -s /bin/sh -c "id -u; /bin/sp euid"');
  assert.equal(out, '65534\n0\n');
});

test("default: Docker's masked paths are covered and empty", () => {
  const script = MASKED.map((p) =>
    `if [ -e ${p} ]; then if [ -d ${p} ]; then n=$(ls -A ${p} | wc -l); else n=$(head -c 1 ${p} 2>/dev/null | wc -c); fi; echo "${p} $n"; fi`
  ).join('\n');
  const out = ok([], `${script}\necho ---\ncat /proc/self/mountinfo`);
  const [listing, mountinfo] = out.split('---\n') as [string, string];
  const seen = new Map(listing.trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]));
  const m = mounts(mountinfo);
  const onHost = MASKED.filter((p) => existsSync(p));
  // Which exist depends on the kernel's configuration (this one has no /proc/kcore); each that does must be covered.
  assert.ok(onHost.includes('/proc/keys') && onHost.includes('/sys/firmware'), `this host has paths worth masking: ${onHost.join(' ')}`);
  for (const p of onHost) {
    assert.ok(m.has(p), `${p} is not covered by a mount`);
    assert.equal(seen.get(p), '0', `${p} shows content`);
  }
});

test("default: Docker's read-only paths, /sys and its cgroups are mounted read-only", () => {
  const out = ok([], 'cat /proc/self/mountinfo; touch /sys/berth-probe 2>&1; echo "rc=$?"');
  const m = mounts(out);
  for (const p of [...READONLY.filter((x) => existsSync(x)), '/sys']) {
    assert.ok(m.get(p)?.includes('ro'), `${p}: ${m.get(p)?.join(',') ?? 'not a mount'}`);
  }
  // On cgroup v1 runc puts a tmpfs at /sys/fs/cgroup and each hierarchy below it: those are what must be read-only.
  const cgroups = [...mountTypes(out)].filter(([p, t]) => p.startsWith('/sys/fs/cgroup') && t.fstype.startsWith('cgroup'));
  assert.ok(cgroups.length > 0);
  for (const [p, t] of cgroups) assert.ok(t.options.includes('ro'), `${p}: ${t.options.join(',')}`);
  assert.match(out, /Read-only file system\nrc=1/);
});

test('default: mount, unshare, reboot, module loading and the keyring are refused', () => {
  const out = ok([], [
    'mkdir -p /m; mount -t tmpfs t /m 2>/dev/null; echo "mount=$?"',
    'unshare -U true 2>&1; echo "unshare-U=$?"',
    'unshare -Urm sh -c "mount -t tmpfs t /m && echo NESTED-MOUNT" 2>&1; echo "unshare-Urm=$?"',
    'reboot -f 2>&1; echo "reboot=$?"',
    'for c in finit_module keyctl add_key clone-newuser clone-newns clone3 clone-plain; do echo "$c=$(/probe/sysprobe $c)"; done',
  ].join('\n'));
  assert.match(out, /^mount=[1-9]\d*$/m);
  assert.match(out, /unshare\(0x10000000\): Operation not permitted\nunshare-U=1/);
  assert.match(out, /Operation not permitted\nunshare-Urm=1/);
  assert.doesNotMatch(out, /NESTED-MOUNT/);
  assert.match(out, /Operation not permitted\nreboot=1/);
  // EPERM from the filter; the kernel alone would say ENOSYS here (no module support) or succeed.
  assert.match(out, /^finit_module=EPERM$/m);
  assert.match(out, /^keyctl=EPERM$/m);
  assert.match(out, /^add_key=EPERM$/m);
  assert.match(out, /^clone-newuser=EPERM$/m);
  assert.match(out, /^clone-newns=EPERM$/m);
  assert.match(out, /^clone3=ENOSYS$/m, 'clone3 says ENOSYS, so that libc falls back to clone');
  assert.match(out, /^clone-plain=ok$/m, 'fork and threads still work');
});

test("default: only Docker's devices open; a block node made with mknod does not", () => {
  const out = ok([], 'head -c 4 /dev/urandom | wc -c; head -c 4 /dev/zero | wc -c; mknod /dev/sda b 8 0 && head -c 1 /dev/sda 2>&1; echo "sda=$?"');
  assert.match(out, /^4\n4\n/);
  assert.match(out, /\/dev\/sda'?: Operation not permitted\nsda=1/);
});

test('default: no host process is visible', () => {
  const out = ok([], 'ls /proc | grep -E "^[0-9]+$"; echo ---; cat /proc/1/cmdline | tr "\\0" " "');
  const [pids, cmd] = out.split('---\n') as [string, string];
  const inside = pids.trim().split('\n');
  const host = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  assert.ok(inside.length <= 4, `pids inside: ${inside.join(' ')}`);
  assert.ok(host.length > inside.length + 10);
  assert.ok(inside.includes('1'));
  assert.match(cmd, /^sh -c /);
});

// ------------------------------------------------------------------------------ flags

test("--cap-drop and --cap-add: names with or without CAP_, any case; the effect is the kernel's", () => {
  const s = ok(['--cap-drop', 'net_raw', '--cap-add', 'CAP_SYS_ADMIN'],
    'grep CapEff /proc/self/status; mkdir /m && mount -t tmpfs t /m && echo mounted; unshare -U true && echo unshared');
  assert.match(s, /CapEff:\s*00000000a82405fb/);
  assert.match(s, /^mounted$/m, 'CAP_SYS_ADMIN lets mount through, in the filter too');
  assert.match(s, /^unshared$/m);
  const only = ok(['--cap-drop', 'ALL', '--cap-add', 'Chown'],
    'grep CapEff /proc/self/status; touch /tmp/f; chown 65534 /tmp/f && echo chowned; mknod /tmp/n c 1 3 2>&1; true');
  assert.match(only, /CapEff:\s*0000000000000001/);
  assert.match(only, /^chowned$/m);
  assert.match(only, /mknod: \/tmp\/n: Operation not permitted/);
  const dropped = inside(['--cap-drop', 'CAP_CHOWN'], 'touch /tmp/f; chown 65534 /tmp/f');
  assert.equal(dropped.status, 1);
  assert.match(dropped.stdout + dropped.stderr, /Operation not permitted/);
});

test('--cap-add ALL gives every capability the host has, less the dropped', () => {
  const host = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapBnd')!;
  const s = ok(['--cap-add', 'all', '--cap-drop', 'sys_admin'], 'grep CapEff /proc/self/status');
  const want = (BigInt(`0x${host}`) & ~(1n << 21n)).toString(16).padStart(16, '0');
  assert.match(s, new RegExp(`CapEff:\\s*${want}`));
});

test('an unknown capability is one line and exit 125, with nothing made', () => {
  userError(b.run(['run', '--rm', '--cap-add', 'NET_BOGUS', 'busybox', 'true']), /^berth: invalid --cap-add "NET_BOGUS": unknown capability/);
  userError(b.run(['create', '--cap-drop', 'cap_', 'busybox', 'true']), /^berth: invalid --cap-drop "cap_": unknown capability/);
});

test("--privileged: every capability the host has, no filter, no masks, writable /sys, the host's devices", () => {
  const host = statusField(readFileSync('/proc/self/status', 'utf8'), 'CapBnd')!;
  const out = ok(['--privileged'], [
    'grep -E "^(CapEff|Seccomp):" /proc/self/status',
    'mkdir /m && mount -t tmpfs t /m && echo mounted',
    'ls /dev | sort | tr "\\n" " "; echo',
    'mknod /dev/sdz b 8 0 && head -c 1 /dev/sdz 2>&1; echo "sdz=$?"',
    'echo ---',
    'cat /proc/self/mountinfo',
  ].join('\n'));
  const [head, mountinfo] = out.split('---\n') as [string, string];
  assert.match(head, new RegExp(`CapEff:\\s*${host}`));
  assert.match(head, /Seccomp:\s*0/);
  assert.match(head, /^mounted$/m);
  assert.doesNotMatch(head, /sdz': Operation not permitted/, 'the device cgroup lets every device through');
  const devs = new Set(head.split('\n').find((l) => l.includes('null') && l.includes('zero'))!.trim().split(' '));
  for (const d of readdirSync('/dev')) {
    const st = lstatSync(join('/dev', d));
    if ((st.isBlockDevice() || st.isCharacterDevice()) && d !== 'console') assert.ok(devs.has(d), `/dev/${d} missing`);
  }
  const m = mounts(mountinfo);
  for (const p of MASKED) assert.ok(!m.has(p), `${p} is still masked`);
  for (const p of READONLY) assert.ok(!m.has(p), `${p} is still read-only`);
  assert.ok(m.get('/sys')?.includes('rw'), `/sys: ${m.get('/sys')?.join(',')}`);
});

test('--security-opt no-new-privileges: a setuid program no longer gains root', () => {
  const script = 'grep NoNewPrivs /proc/self/status; cp /probe/sysprobe /bin/sp && chmod 4755 /bin/sp && su nobody -s /bin/sh -c /bin/sp\\ euid';
  for (const opt of ['no-new-privileges', 'no-new-privileges=true', 'no-new-privileges:true']) {
    assert.match(ok(['--security-opt', opt], script), /NoNewPrivs:\s*1\n65534\n/, opt);
  }
  assert.match(ok(['--security-opt', 'no-new-privileges=false'], script), /NoNewPrivs:\s*0\n0\n/);
});

test('--security-opt seccomp=unconfined: no filter, and what it stopped goes through', () => {
  const out = ok(['--security-opt', 'seccomp=unconfined'], 'grep Seccomp: /proc/self/status; /probe/sysprobe keyctl; unshare -U true && echo unshared');
  assert.match(out, /Seccomp:\s*0\nok\nunshared\n/);
});

test("--security-opt seccomp=FILE: Docker's JSON format, the file's rules and no others", () => {
  const dir = mkdtempSync('/tmp/berth-test-seccomp-');
  try {
    const file = join(dir, 'no-mkdir.json');
    writeFileSync(file, JSON.stringify({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86'],
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }],
    }));
    const out = ok(['--security-opt', `seccomp=${file}`], 'grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1; echo "mkdir=$?"; /probe/sysprobe keyctl');
    assert.match(out, /Seccomp:\s*2\n/);
    assert.match(out, /Operation not permitted\nmkdir=1\n/);
    assert.match(out, /^ok$/m, 'keyctl is not in that profile, so it is allowed');
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{"defaultAction": "SCMP_ACT_ALLOW", ');
    userError(b.run(['run', '--rm', '--security-opt', `seccomp=${broken}`, 'busybox', 'true']), /^berth: seccomp profile .*broken.json: not JSON/);
    writeFileSync(broken, '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_NOPE"}]}');
    userError(b.run(['create', '--security-opt', `seccomp=${broken}`, 'busybox', 'true']), /unknown action "SCMP_ACT_NOPE"/);
    userError(b.run(['run', '--rm', '--security-opt', `seccomp=${join(dir, 'missing.json')}`, 'busybox', 'true']),
      /^berth: opening seccomp profile \(.*missing.json\) failed/);
    userError(b.run(['run', '--rm', '--security-opt', 'seccomp', 'busybox', 'true']), /^berth: invalid --security-opt "seccomp"/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--read-only: the root is read-only and, as in Docker, no tmpfs is added; --tmpfs adds one', () => {
  const ro = ok(['--read-only'], 'touch /x 2>&1; echo "root=$?"; touch /tmp/x 2>&1; echo "tmp=$?"');
  assert.match(ro, /Read-only file system\nroot=1\n.*Read-only file system\ntmp=1\n/s);
  const withTmp = ok(['--read-only', '--tmpfs', '/tmp', '--tmpfs', '/run:size=1m,exec'], [
    'touch /tmp/x && echo tmp-ok',
    'grep -E " /(tmp|run) " /proc/mounts',
    'df -k /run | tail -1',
    'cp /probe/sysprobe /run/sp && /run/sp euid',
    'cp /probe/sysprobe /tmp/sp && /tmp/sp euid 2>&1; echo "noexec=$?"',
  ].join('\n'));
  assert.match(withTmp, /^tmp-ok$/m);
  assert.match(withTmp, /^tmpfs \/tmp tmpfs rw,nosuid,nodev,noexec,/m);
  assert.match(withTmp, /^tmpfs \/run tmpfs rw,nosuid,nodev,relatime,size=1024k/m);
  assert.match(withTmp, /^tmpfs\s+1024\s/m);
  assert.match(withTmp, /^0\n/m, 'exec on /run as asked');
  assert.match(withTmp, /Permission denied\nnoexec=126/, "Docker's noexec by default");
  userError(b.run(['run', '--rm', '--tmpfs', '/x:size=lots', 'busybox', 'true']), /^berth: invalid --tmpfs "\/x:size=lots": unsupported option "size=lots"/);
  userError(b.run(['run', '--rm', '--tmpfs', 'relative', 'busybox', 'true']), /^berth: invalid --tmpfs "relative"/);
  userError(b.run(['run', '--rm', '--tmpfs', '/data', '-v', `${probeDir}:/data`, 'busybox', 'true']), /^berth: duplicate mount point: \/data/);
});

test("--group-add: numbers and the image's group names, added to the user's own", () => {
  const out = ok(['-u', 'nobody', '--group-add', '4242', '--group-add', 'www-data'], 'id -u; grep Groups: /proc/self/status');
  assert.match(out, /^65534\nGroups:\s*(.*)$/m);
  const groups = /Groups:\s*(.*)$/m.exec(out)![1]!.trim().split(/\s+/);
  assert.deepEqual(groups.sort(), ['33', '4242']);
  userError(b.run(['run', '--rm', '--network', 'none', '--group-add', 'nosuchgroup', 'busybox', 'true']), /^berth: unable to find group nosuchgroup/);
  userError(b.run(['run', '--rm', '--group-add', 'a:b', 'busybox', 'true']), /^berth: invalid --group-add "a:b"/);
});

test('security settings are kept: a stopped container starts again with them', () => {
  const id = b.ok(['create', '--network', 'none', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', 'busybox', 'grep', '-E', 'CapEff|NoNewPrivs',
    '/proc/self/status']).trim();
  const hc = b.inspect(id).HostConfig as Record<string, unknown>;
  assert.deepEqual([hc.CapDrop, hc.CapAdd, hc.SecurityOpt, hc.Privileged], [['ALL'], null, ['no-new-privileges'], false]);
  for (let i = 0; i < 2; i++) {
    b.ok(['start', id]);
    b.ok(['wait', id]);
  }
  const logs = b.ok(['logs', id]);
  assert.equal(logs, 'CapEff:\t0000000000000000\nNoNewPrivs:\t1\n'.repeat(2));
  b.ok(['rm', id]);
});

// ------------------------------------------------------------------------------ files on the host

test("the root and runroot are root's alone, the instances file and logs 0600; a looser root is tightened", () => {
  const fresh = new Berth();
  try {
    chmodSync(fresh.root, 0o755);
    rmSync(fresh.runroot, { recursive: true });
    fresh.importBusybox();
    const id = fresh.ok(['run', '-d', '--network', 'none', 'busybox', 'sh', '-c', 'echo hello; sleep 30']).trim();
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    assert.equal(mode(fresh.root), '700');
    assert.equal(mode(fresh.runroot), '700');
    for (const f of ['berth.db', 'berth.db-wal', 'berth.db-shm']) {
      if (existsSync(join(fresh.root, f))) assert.equal(mode(join(fresh.root, f)), '600', f);
    }
    assert.equal(mode(join(fresh.root, 'containers', id, 'ctr.log')), '600');
    assert.equal(mode(join(fresh.root, 'containers', id)), '700');
    fresh.ok(['rm', '-f', id]);
    // A root made by hand (or an older berth) with a readable instances file.
    const lr = new Berth();
    chmodSync(lr.root, 0o755);
    lr.ok(['ps']);
    chmodSync(join(lr.root, 'berth.db'), 0o644);
    lr.ok(['ps']);
    assert.equal(mode(join(lr.root, 'berth.db')), '600');
    assert.equal(mode(lr.root), '700');
    lr.destroy();
  } finally {
    fresh.destroy();
  }
});
