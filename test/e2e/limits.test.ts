// Limits are enforced, not just recorded: read back from the cgroup files and felt by real processes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { Berth, sleep } from './helpers.js';
import { readCgroupValues } from '../../src/sys/cgroups.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

test('limits are written to the cgroup', () => {
  b.ok(['run', '-d', '--name', 'lim', '--network', 'none', '-m', '32m', '--cpus', '0.5', '--cpuset-cpus', '0', '--pids-limit', '64', 'busybox', 'sleep',
    '1000']);
  const v = readCgroupValues(b.inspect('lim').State.Pid);
  assert.equal(v.memoryLimit, 32 * 1024 * 1024);
  assert.equal(v.cpuQuota, 50_000);
  assert.equal(v.cpuPeriod, 100_000);
  assert.equal(v.cpusetCpus, '0');
  assert.equal(v.pidsMax, 64);
  assert.match(b.ok(['ps']), /mem=32m,cpus=0.5,cpuset=0,pids=64/);
  b.ok(['rm', '-f', 'lim']);
});

test('-m 32m: a process that allocates 100 MB is OOM-killed; ps shows 137 and inspect OOMKilled', async () => {
  // The shell holds 100 MB in one variable, so the kernel must kill it (pid 1) to keep the limit.
  const r = b.run(['run', '--name', 'oom', '--network', 'none', '-m', '32m', 'busybox', 'sh', '-c',
    'x=$(head -c 100000000 /dev/zero | tr "\\0" a); echo survived']);
  assert.equal(r.status, 137, r.stdout + r.stderr);
  const info = b.inspect('oom');
  assert.equal(info.State.ExitCode, 137);
  assert.equal(info.State.OOMKilled, true);
  assert.match(b.ok(['ps', '-a']), /Exited \(137\).*oom/);
  b.ok(['rm', 'oom']);
});

test('--pids-limit stops a fork bomb', () => {
  const script = 'i=0; while [ $i -lt 100 ]; do sleep 5 & i=$((i+1)); done; echo all-forked';
  const limited = b.run(['run', '--rm', '--network', 'none', '--pids-limit', '20', 'busybox', 'sh', '-c', script]);
  assert.match(limited.stderr, /can't fork/);
  assert.doesNotMatch(limited.stdout, /all-forked/);
  // The same loop without the limit forks all 100, so the limit is what stopped it.
  const free = b.run(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', script]);
  assert.match(free.stdout, /all-forked/, free.stderr);
});

test('--cpus 0.5 holds a busy loop near half a core', async () => {
  b.ok(['run', '-d', '--name', 'busy', '--network', 'none', '--cpus', '0.5', 'busybox', 'sh', '-c', 'while :; do :; done']);
  const pid = b.inspect('busy').State.Pid;
  const ticks = () => {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  await sleep(500);
  const t0 = ticks();
  const w0 = Date.now();
  await sleep(3000);
  const used = (ticks() - t0) / 100 / ((Date.now() - w0) / 1000);
  b.ok(['rm', '-f', 'busy']);
  assert.ok(used > 0.3 && used < 0.65, `busy loop used ${used.toFixed(2)} cores`);
});

test('--device-write-bps holds direct writes near the rate', () => {
  const dir = mkdtempSync('/tmp/berth-test-io-');
  try {
    const src = spawnSync('findmnt', ['-no', 'SOURCE', '--target', dir], { encoding: 'utf8' }).stdout.trim();
    const disk = spawnSync('lsblk', ['-ndo', 'PKNAME', src], { encoding: 'utf8' }).stdout.trim();
    const dev = disk ? `/dev/${disk}` : src;
    const t0 = Date.now();
    const r = b.run(['run', '--rm', '--network', 'none', '--device-write-bps', `${dev}:1mb`, '-v', `${dir}:/data`, 'busybox', 'dd', 'if=/dev/zero',
      'of=/data/f', 'bs=64k', 'count=48', 'oflag=direct']);
    const secs = (Date.now() - t0) / 1000;
    assert.equal(r.status, 0, r.stderr);
    // 3 MiB at 1 MiB/s: about 3 s (the first second's budget may burst).
    assert.ok(secs >= 1.8, `3 MiB written in ${secs.toFixed(1)} s: not throttled`);
    assert.ok(secs < 15, `3 MiB written in ${secs.toFixed(1)} s`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
