// stats' readers against a temporary directory laid out as /proc and /sys/fs/cgroup would be,
// once as cgroup v2 and once as v1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { parseBlkioServiceBytes, parseIoStat, parseNetDev, readCgroupStats, readNetStats, hostMemory } from './cgroup-stats.js';

function fakeRoot(mountinfo: string): { dir: string; proc: string } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cgstats-'));
  const proc = join(dir, 'proc');
  mkdirSync(join(proc, 'self'), { recursive: true });
  writeFileSync(join(proc, 'self/mountinfo'), mountinfo.replaceAll('DIR', dir));
  return { dir, proc };
}

const put = (file: string, text: string) => {
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, text);
};

test('v2: CPU from cpu.stat, memory less inactive file cache, io.stat summed, pids', () => {
  const { dir, proc } = fakeRoot('30 1 0:26 / DIR/cg rw,nosuid - cgroup2 cgroup2 rw\n');
  const cg = join(dir, 'cg/berth/c1');
  put(join(cg, 'cpu.stat'), 'usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n');
  put(join(cg, 'memory.current'), '10485760\n');
  put(join(cg, 'memory.stat'), 'anon 1000\ninactive_file 4194304\n');
  put(join(cg, 'memory.max'), 'max\n');
  put(join(cg, 'pids.current'), '3\n');
  put(join(cg, 'io.stat'), '8:0 rbytes=100 wbytes=200 rios=1 wios=2\n8:16 rbytes=1 wbytes=2\n');
  try {
    assert.deepEqual(readCgroupStats('/berth/c1', { procRoot: proc }), { cpuNs: 2_500_000, memUsage: 6_291_456, memLimit: null, pids: 3, blkRead: 101,
      blkWrite: 202 });
    assert.equal(readCgroupStats('/berth/gone', { procRoot: proc }), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('v1: cpuacct, memory, blkio and pids controllers each from their own hierarchy', () => {
  const { dir, proc } = fakeRoot([
    '30 1 0:26 / DIR/cg/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct',
    '31 1 0:27 / DIR/cg/memory rw - cgroup cgroup rw,memory',
    '32 1 0:28 / DIR/cg/blkio rw - cgroup cgroup rw,blkio',
    '33 1 0:29 / DIR/cg/pids rw - cgroup cgroup rw,pids',
    '',
  ].join('\n'));
  put(join(dir, 'cg/cpu,cpuacct/berth/c1/cpuacct.usage'), '123456789\n');
  put(join(dir, 'cg/memory/berth/c1/memory.usage_in_bytes'), '8000\n');
  put(join(dir, 'cg/memory/berth/c1/memory.stat'), 'cache 10\ntotal_inactive_file 3000\n');
  put(join(dir, 'cg/memory/berth/c1/memory.limit_in_bytes'), '67108864\n');
  put(join(dir, 'cg/blkio/berth/c1/blkio.throttle.io_service_bytes'), '8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n');
  put(join(dir, 'cg/pids/berth/c1/pids.current'), '2\n');
  try {
    assert.deepEqual(readCgroupStats('/berth/c1', { procRoot: proc }), { cpuNs: 123_456_789, memUsage: 5000, memLimit: 67_108_864, pids: 2, blkRead: 4096,
      blkWrite: 512 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('network bytes leave lo out; meminfo gives the host limit', () => {
  const { dir, proc } = fakeRoot('');
  put(join(proc, '42/net/dev'), [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
    '  eth0:    2048      20    0    0    0     0          0         0      512       5    0    0    0     0       0          0',
    '',
  ].join('\n'));
  put(join(proc, 'meminfo'), 'MemTotal:        2048 kB\nMemFree: 1 kB\n');
  try {
    assert.deepEqual(readNetStats(42, { procRoot: proc }), { rx: 2048, tx: 512 });
    assert.equal(hostMemory({ procRoot: proc }), 2048 * 1024);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('parsers tolerate empty and missing input', () => {
  assert.deepEqual(parseIoStat(null), { read: 0, write: 0 });
  assert.deepEqual(parseBlkioServiceBytes(''), { read: 0, write: 0 });
  assert.deepEqual(parseNetDev(null), { rx: 0, tx: 0 });
});
