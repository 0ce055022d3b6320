import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupDirsFor, cgroupMode, ioMaxToThrottle, modeFromMounts, parseCgroupMounts, parseProcCgroup, readCgroupValues, removeCgroup } from './cgroups.js';

const tmp = mkdtempSync('/tmp/berth-cgroups-');
after(() => rmSync(tmp, { recursive: true, force: true }));

const line = (id: number, root: string, mp: string, fstype: string, superOpts: string) =>
  `${id} 22 0:${id} ${root} ${mp} rw,nosuid,nodev,noexec,relatime shared:${id} - ${fstype} ${fstype} ${superOpts}`;

/** A fake /proc and /sys/fs/cgroup under one temp dir; mount points are real temp dirs. */
function fakeHost(name: string, kind: 'hybrid' | 'v2') {
  const base = join(tmp, name);
  const proc = join(base, 'proc');
  const fs = join(base, 'cgroup');
  mkdirSync(join(proc, 'self'), { recursive: true });
  const mounts: string[] = [line(30, '/', fs, 'tmpfs', 'rw,mode=755').replace(' - tmpfs tmpfs', ' - tmpfs tmpfs')];
  if (kind === 'hybrid') {
    const ctl: [string, string][] = [['cpu', 'rw,cpu'], ['cpuset', 'rw,cpuset'], ['memory', 'rw,memory'], ['pids', 'rw,pids'], ['blkio', 'rw,blkio'], [
      'systemd',
      'rw,xattr,name=systemd',
    ]];
    ctl.forEach(([dir, opts], i) => {
      mkdirSync(join(fs, dir), { recursive: true });
      mounts.push(line(31 + i, '/', join(fs, dir), 'cgroup', opts));
    });
    mkdirSync(join(fs, 'unified'), { recursive: true });
    mounts.push(line(40, '/', join(fs, 'unified'), 'cgroup2', 'rw,nsdelegate'));
  } else {
    mkdirSync(fs, { recursive: true });
    mounts[0] = line(30, '/', fs, 'cgroup2', 'rw,nsdelegate,memory_recursiveprot');
  }
  writeFileSync(join(proc, 'self/mountinfo'), `${mounts.join('\n')}\n`);
  return { proc, fs };
}

const realHybrid = `30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
41 30 0:38 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
`;

test('parseCgroupMounts reads controllers from the super options', () => {
  const m = parseCgroupMounts(realHybrid);
  assert.equal(m.length, 5);
  assert.deepEqual(m[0], { fstype: 'cgroup', mountPoint: '/sys/fs/cgroup/cpu', root: '/', controllers: ['cpu'] });
  assert.deepEqual(m[2]?.controllers, ['name=systemd']);
  assert.deepEqual(m[3], { fstype: 'cgroup2', mountPoint: '/sys/fs/cgroup/unified', root: '/', controllers: [] });
  assert.deepEqual(m[4]?.controllers, ['cpu', 'cpuacct']);
});

test('modeFromMounts: hybrid, v1, v2', () => {
  assert.equal(modeFromMounts(parseCgroupMounts(realHybrid)), 'hybrid');
  assert.equal(modeFromMounts(parseCgroupMounts(realHybrid.split('\n').filter((l) => !l.includes('cgroup2')).join('\n'))), 'v1');
  assert.equal(modeFromMounts(parseCgroupMounts('25 22 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n')), 'v2');
  assert.throws(() => modeFromMounts([]), /no cgroup/);
});

test('cgroupMode on this host agrees with /proc/self/mountinfo', () => {
  const mode = cgroupMode();
  assert.ok(['v1', 'hybrid', 'v2'].includes(mode));
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) assert.equal(mode, 'v2');
  else assert.notEqual(mode, 'v2');
});

test('parseProcCgroup', () => {
  const e = parseProcCgroup('9:name=systemd:/\n4:memory:/berth/x\n1:cpu,cpuacct:/berth/x\n0::/berth/x\n');
  assert.deepEqual(e[1], { hierarchy: 4, controllers: ['memory'], path: '/berth/x' });
  assert.deepEqual(e[2]?.controllers, ['cpu', 'cpuacct']);
  assert.deepEqual(e[3], { hierarchy: 0, controllers: [], path: '/berth/x' });
});

test('ioMaxToThrottle converts v2 lines to v1 shape, skipping max', () => {
  assert.deepEqual(ioMaxToThrottle('254:0 rbps=1048576 wbps=max riops=max wiops=100\n8:0 rbps=max wbps=5 riops=max wiops=max\n'), {
    readBps: ['254:0 1048576'],
    writeBps: ['8:0 5'],
    readIops: [],
    writeIops: ['254:0 100'],
  });
});

test('readCgroupValues on a hybrid layout reads the v1 files of each controller', () => {
  const { proc, fs } = fakeHost('hy', 'hybrid');
  const pid = 4242;
  mkdirSync(join(proc, String(pid)), { recursive: true });
  writeFileSync(join(proc, String(pid), 'cgroup'),
    '6:name=systemd:/\n5:blkio:/berth/c1\n4:pids:/berth/c1\n3:memory:/berth/c1\n2:cpuset:/berth/c1\n1:cpu:/berth/c1\n0::/\n');
  const put = (ctl: string, f: string, v: string) => {
    mkdirSync(join(fs, ctl, 'berth/c1'), { recursive: true });
    writeFileSync(join(fs, ctl, 'berth/c1', f), v);
  };
  put('memory', 'memory.limit_in_bytes', '33554432\n');
  put('cpu', 'cpu.cfs_quota_us', '50000\n');
  put('cpu', 'cpu.cfs_period_us', '100000\n');
  put('cpuset', 'cpuset.cpus', '0\n');
  put('pids', 'pids.max', 'max\n');
  put('blkio', 'blkio.throttle.read_bps_device', '254:0 1048576\n');
  put('blkio', 'blkio.throttle.write_bps_device', '');
  const v = readCgroupValues(pid, { procRoot: proc });
  assert.deepEqual(v, {
    memoryLimit: 33554432,
    cpuQuota: 50000,
    cpuPeriod: 100000,
    cpusetCpus: '0',
    pidsMax: null,
    blkio: { readBps: ['254:0 1048576'], writeBps: [], readIops: [], writeIops: [] },
  });
});

test('readCgroupValues: v1 "unlimited" and quota -1 read as null', () => {
  const { proc, fs } = fakeHost('hy2', 'hybrid');
  mkdirSync(join(proc, '7'), { recursive: true });
  writeFileSync(join(proc, '7', 'cgroup'), '3:memory:/\n1:cpu:/\n');
  writeFileSync(join(fs, 'memory', 'memory.limit_in_bytes'), '9223372036854771712\n');
  writeFileSync(join(fs, 'cpu', 'cpu.cfs_quota_us'), '-1\n');
  const v = readCgroupValues(7, { procRoot: proc });
  assert.equal(v.memoryLimit, null);
  assert.equal(v.cpuQuota, null);
});

test('readCgroupValues on v2 reads memory.max, cpu.max, pids.max, io.max', () => {
  const { proc, fs } = fakeHost('v2', 'v2');
  mkdirSync(join(proc, '99'), { recursive: true });
  writeFileSync(join(proc, '99', 'cgroup'), '0::/berth/c2\n');
  const d = join(fs, 'berth/c2');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'memory.max'), '67108864\n');
  writeFileSync(join(d, 'cpu.max'), '150000 100000\n');
  writeFileSync(join(d, 'cpuset.cpus'), '0-1\n');
  writeFileSync(join(d, 'pids.max'), '64\n');
  writeFileSync(join(d, 'io.max'), '254:0 rbps=max wbps=2048 riops=max wiops=max\n');
  assert.deepEqual(readCgroupValues(99, { procRoot: proc }), {
    memoryLimit: 67108864,
    cpuQuota: 150000,
    cpuPeriod: 100000,
    cpusetCpus: '0-1',
    pidsMax: 64,
    blkio: { readBps: [], writeBps: ['254:0 2048'], readIops: [], writeIops: [] },
  });
});

test('cgroupDirsFor lists one dir per hierarchy, unified included; rejects odd paths', () => {
  const { proc, fs } = fakeHost('dirs', 'hybrid');
  const dirs = cgroupDirsFor('/berth/abc', { procRoot: proc });
  assert.deepEqual(dirs.sort(), ['blkio', 'cpu', 'cpuset', 'memory', 'pids', 'systemd', 'unified'].map((c) => join(fs, c, 'berth/abc')).sort());
  assert.throws(() => cgroupDirsFor('berth/abc', { procRoot: proc }));
  assert.throws(() => cgroupDirsFor('/', { procRoot: proc }));
  assert.throws(() => cgroupDirsFor('/berth/../x', { procRoot: proc }));
});

test('removeCgroup removes the container dirs and their children, keeps the parent, tolerates missing', () => {
  const { proc, fs } = fakeHost('rm', 'hybrid');
  mkdirSync(join(fs, 'memory/berth/abc/child'), { recursive: true });
  mkdirSync(join(fs, 'pids/berth/abc'), { recursive: true });
  mkdirSync(join(fs, 'pids/berth/other'), { recursive: true });
  const r = removeCgroup('/berth/abc', { procRoot: proc });
  assert.deepEqual(r.busy, []);
  assert.equal(r.removed.length, 3);
  assert.ok(!existsSync(join(fs, 'memory/berth/abc')));
  assert.ok(!existsSync(join(fs, 'pids/berth/abc')));
  assert.ok(existsSync(join(fs, 'pids/berth/other')));
  assert.ok(existsSync(join(fs, 'memory/berth')));
  assert.deepEqual(removeCgroup('/berth/abc', { procRoot: proc }), { removed: [], busy: [] });
});
