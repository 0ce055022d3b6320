// --ulimit, --init, --device and --mount, felt from inside real containers, kept across a
// stop and start, shown in inspect; bad values refused with 125 and nothing made.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, until } from './helpers.js';

let b: Berth;
let src: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  src = mkdtempSync('/tmp/berth-mount-src-');
  writeFileSync(join(src, 'hello'), 'from the host\n');
});
after(() => {
  b.destroy();
  rmSync(src, { recursive: true, force: true });
});

const limitLine = (limits: string, label: string) => limits.split('\n').find((l) => l.startsWith(label))?.trim().split(/\s{2,}/).slice(1, 3);

test('--ulimit: the limits the container process has, and again after stop and start', () => {
  b.ok(['create', '--name', 'ulim', '--network', 'none', '--ulimit', 'nofile=1024:2048', '--ulimit', 'core=0', '--ulimit', 'nproc=300:400', 'busybox', 'cat',
    '/proc/self/limits']);
  for (let i = 0; i < 2; i++) {
    b.ok(['start', 'ulim']);
    b.ok(['wait', 'ulim']);
    const limits = b.ok(['logs', 'ulim']).split('Limit ').pop()!;
    assert.deepEqual(limitLine(limits, 'Max open files'), ['1024', '2048']);
    assert.deepEqual(limitLine(limits, 'Max core file size'), ['0', '0']);
    assert.deepEqual(limitLine(limits, 'Max processes'), ['300', '400']);
  }
  assert.deepEqual(b.inspect('ulim').HostConfig.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'core', Soft: 0, Hard: 0 }, { Name: 'nproc',
    Soft: 300, Hard: 400 }]);
  b.ok(['rm', 'ulim']);
});

test('--init: pid 1 is tini, signals reach the command, orphans are reaped; without it they stay zombies', async () => {
  // The orphan's parent exits at once, so it is handed to pid 1; `exec sleep` makes sure the
  // command itself (pid 1 without --init) never waits for it.
  const script = '(sleep 0.3 &); exec sleep 1000';
  b.ok(['run', '-d', '--name', 'with-init', '--network', 'none', '--init', 'busybox', 'sh', '-c', script]);
  b.ok(['run', '-d', '--name', 'no-init', '--network', 'none', 'busybox', 'sh', '-c', script]);
  const ps = (n: string) => b.ok(['exec', n, 'ps', '-o', 'pid,stat,args']);
  assert.match(b.ok(['exec', 'with-init', 'cat', '/proc/1/cmdline']), /^\/sbin\/docker-init\0--\0sh\0/);
  // Both orphans end after 0.3 s; only the one under tini is gone from the process table.
  const orphan = /^\s*\d+\s+(\S+)\s+(?:sleep 0\.3|\[sleep\])$/m;
  await until(() => orphan.exec(ps('no-init'))?.[1] === 'Z', 10_000);
  await until(() => !orphan.test(ps('with-init')), 10_000);
  assert.equal(b.inspect('with-init').HostConfig.Init, true);
  // tini forwards SIGTERM to sleep, so stop needs no SIGKILL: the exit is 143, not 137.
  b.ok(['stop', '-t', '20', 'with-init']);
  assert.equal(b.inspect('with-init').State.ExitCode, 143);
  b.ok(['start', 'with-init']);
  assert.match(b.ok(['exec', 'with-init', 'cat', '/proc/1/cmdline']), /^\/sbin\/docker-init\0/);
  b.ok(['rm', '-f', 'with-init', 'no-init']);
});

test('--device: the node is in the container and usable with the permissions given, and only those', () => {
  const out = b.ok(['run', '--rm', '--network', 'none', '--device', '/dev/loop0:/dev/xloop:r', 'busybox', 'sh', '-c',
    'ls -l /dev/xloop; dd if=/dev/xloop of=/dev/null count=1 && echo read-ok; (echo > /dev/xloop) 2>&1 || echo write-denied']);
  assert.match(out, /^b.* 7, +0 .*\/dev\/xloop$/m);
  assert.match(out, /read-ok/);
  assert.match(out, /Operation not permitted[\s\S]*write-denied/);
  // The control: the same node made by hand without --device cannot be opened at all.
  const control = b.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'mknod /dev/y b 7 0 && dd if=/dev/y of=/dev/null count=1']);
  assert.notEqual(control.status, 0);
  assert.match(control.stderr + control.stdout, /Operation not permitted/);
  b.ok(['create', '--name', 'dev', '--network', 'none', '--device', '/dev/null:/dev/mynull', 'busybox', 'true']);
  assert.deepEqual(b.inspect('dev').HostConfig.Devices, [{ PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' }]);
  b.ok(['rm', 'dev']);
});

test('--mount bind, volume and tmpfs: their options in /proc/self/mountinfo', () => {
  b.ok(['run', '--name', 'mnt', '--network', 'none', '--mount', `type=bind,source=${src},target=/data,readonly,bind-propagation=rslave`, '--mount',
    'type=volume,src=mntvol,dst=/vol', '--mount', 'type=tmpfs,target=/scratch,tmpfs-size=1m,tmpfs-mode=1770', 'busybox', 'sh', '-c',
    'cat /data/hello; echo kept > /vol/f; grep -E " /(data|vol|scratch) " /proc/self/mountinfo; touch /data/x 2>&1; true']);
  const out = b.ok(['logs', 'mnt']);
  assert.match(out, /from the host/);
  assert.match(out, / \/data ro,/);
  assert.match(out, / \/vol rw,/);
  assert.match(out, / \/scratch rw,nosuid,nodev,noexec,[^ ]* .* tmpfs tmpfs rw,size=1024k,mode=1770/);
  assert.match(out, /Read-only file system/);
  assert.equal(existsSync(join(b.root, 'volumes/mntvol/_data/f')), true);
  const cfg = JSON.parse(readFileSync(join(b.root, 'containers', b.inspect('mnt').Id, 'config.json'), 'utf8')) as {
    mounts: { destination: string; options: string[] }[];
  };
  assert.deepEqual(cfg.mounts.find((m) => m.destination === '/data')?.options, ['rbind', 'rslave', 'ro']);
  const mounts = b.inspect('mnt').HostConfig.Mounts as { Type: string; Target: string }[];
  assert.deepEqual(mounts.map((m) => `${m.Type}:${m.Target}`), ['bind:/data', 'volume:/vol', 'tmpfs:/scratch']);
  // The volume is in use, as one made with -v would be.
  assert.match(b.run(['volume', 'rm', 'mntvol']).stderr, /in use by container mnt/);
  b.ok(['rm', 'mnt']);
  b.ok(['volume', 'rm', 'mntvol']);
});

test('bad values: one line, exit 125, nothing created', () => {
  const before = readdirSync(join(b.root, 'containers')).length;
  const cases: [string[], RegExp][] = [
    [['--ulimit', 'nofile=10:99999999'], /--ulimit nofile=10:99999999: the hard limit is above berth's own/],
    [['--ulimit', 'nofiles=10'], /invalid argument "nofiles=10" for "--ulimit" flag: invalid ulimit type: nofiles/],
    [['--ulimit', 'nofile=20:10'], /ulimit soft limit must be less than or equal to hard limit: 20 > 10/],
    [['--device', '/dev/nonexistent'], /error gathering device information while adding custom device "\/dev\/nonexistent"/],
    [['--device', '/dev/null:/dev/n:rwx'], /invalid device mode: rwx/],
    [['--mount', 'type=bind,source=/nonexistent/dir,target=/x'], /bind source path does not exist: \/nonexistent\/dir/],
    [['--mount', 'source=/tmp,target=/x'], /type is required/],
    [['--mount', 'type=tmpfs,target=/x,bind-propagation=shared'], /cannot mix 'bind-\*' options with mount type 'tmpfs'/],
    [['--mount', 'type=bind,source=/tmp,target=/x', '-v', '/tmp:/x'], /duplicate mount point: \/x/],
    [['--init', '--init-path', '/nonexistent/tini'], /--init: no init binary at \/nonexistent\/tini/],
  ];
  for (const [flags, re] of cases) {
    const r = b.run(['run', '--name', 'bad-one', '--network', 'none', ...flags, 'busybox', 'true']);
    assert.equal(r.status, 125, `${flags.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split('\n').filter((l) => l.startsWith('berth:')).length, 1, r.stderr);
    assert.equal(b.run(['inspect', 'bad-one']).status, 125, `${flags.join(' ')} left a container`);
  }
  assert.equal(readdirSync(join(b.root, 'containers')).length, before);
});
