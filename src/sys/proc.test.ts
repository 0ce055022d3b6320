import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootId, bootTime, parseBootTime, hardRlimits, parseLimits, parseStat, parseStatStartTime, pidAlive, procStat, processStartTime,
  sameProcessAlive } from './proc.js';

const tmp = mkdtempSync('/tmp/berth-proc-');
after(() => rmSync(tmp, { recursive: true, force: true }));

test('pidAlive: ourselves yes, nonsense no', () => {
  assert.equal(pidAlive(process.pid), true);
  assert.equal(pidAlive(0), false);
  assert.equal(pidAlive(-1), false);
  assert.equal(pidAlive(2 ** 22 + 12345), false);
});

test('parseStatStartTime counts from the last parenthesis', () => {
  const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
  fields[19] = '987654'; // field 22
  assert.equal(parseStatStartTime(`123 (we) ird) name) ${fields.join(' ')}`), 987654);
  assert.equal(parseStatStartTime('garbage'), null);
  assert.equal(parseStatStartTime('1 (x) S 1'), null);
});

test('processStartTime: stable for a live process, null for a gone one, from a fake /proc too', () => {
  const a = processStartTime(process.pid);
  assert.ok(typeof a === 'number' && a > 0);
  assert.equal(processStartTime(process.pid), a);
  assert.equal(processStartTime(2 ** 22 + 12345), null);
  mkdirSync(join(tmp, '77'), { recursive: true });
  writeFileSync(join(tmp, '77/stat'), `77 (sleep) S ${Array.from({ length: 18 }, () => '0').join(' ')} 4242 0 0\n`);
  assert.equal(processStartTime(77, { root: tmp }), 4242);
});

test('bootId is a UUID', () => {
  assert.match(bootId(), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
});

const limits = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96364                96364                processes
Max open files            1024                 20000                files
`;

test('parseLimits takes the hard column', () => {
  assert.deepEqual(parseLimits(limits), { nofile: 20000, nproc: 96364 });
  assert.deepEqual(parseLimits(limits.replace('96364                processes', 'unlimited            processes')), { nofile: 20000,
    nproc: Number.MAX_SAFE_INTEGER });
  assert.throws(() => parseLimits('nothing'), /Max open files/);
});

test('hardRlimits of this process are positive', () => {
  const h = hardRlimits();
  assert.ok(h.nofile > 0 && h.nproc > 0);
});

test('a zombie is not alive, and a reused pid is not the recorded process', () => {
  const rest = (state: string, start: number) => `${state} ${Array.from({ length: 18 }, () => '0').join(' ')} ${start} 0 0\n`;
  mkdirSync(join(tmp, '88'), { recursive: true });
  writeFileSync(join(tmp, '88/stat'), `88 (sleep) ${rest('Z', 500)}`);
  assert.equal(pidAlive(88, { root: tmp }), false);
  assert.equal(sameProcessAlive(88, 500, { root: tmp }), false);
  writeFileSync(join(tmp, '88/stat'), `88 (sl) ee) p) ${rest('S', 500)}`);
  assert.equal(pidAlive(88, { root: tmp }), true);
  assert.equal(sameProcessAlive(88, 500, { root: tmp }), true);
  assert.equal(sameProcessAlive(88, 501, { root: tmp }), false, 'another process now holds pid 88');
  assert.equal(sameProcessAlive(88, null, { root: tmp }), true, 'no recorded start time: the pid alone decides');
  assert.equal(parseStat('1 (x) R 0 0'), null);
});

test('pidAlive on a real zombie is false', async () => {
  const { spawn } = await import('node:child_process');
  // sh starts a short sleep in the background and becomes sleep, which never reaps it: a zombie.
  const child = spawn('/bin/sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 5'], { stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const pid = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    const deadline = Date.now() + 5000;
    while (procStat(pid)?.state !== 'Z' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(procStat(pid)?.state, 'Z');
    assert.equal(pidAlive(pid), false);
    assert.equal(sameProcessAlive(pid, processStartTime(pid)), false);
    assert.equal(pidAlive(child.pid!), true);
  } finally {
    child.kill('SIGKILL');
  }
});

test('boot time from /proc/stat btime, and the test hook that names another boot', () => {
  assert.equal(parseBootTime('cpu  1 2 3\nbtime 1764000000\nprocesses 5\n'), 1764000000);
  assert.equal(parseBootTime('cpu 1 2 3\n'), null);
  const real = bootId();
  const t = bootTime();
  assert.ok(t !== null && t.getTime() < Date.now());
  const saved = process.env.BERTH_TEST_BOOT_ID;
  try {
    process.env.BERTH_TEST_BOOT_ID = 'simulated@1764000000';
    assert.equal(bootId(), 'simulated');
    assert.equal(bootTime()?.toISOString(), new Date(1764000000 * 1000).toISOString());
    process.env.BERTH_TEST_BOOT_ID = 'only-an-id';
    assert.equal(bootId(), 'only-an-id');
    assert.equal(bootTime()?.getTime(), t.getTime(), 'no time given: the real boot time');
  } finally {
    if (saved === undefined) delete process.env.BERTH_TEST_BOOT_ID;
    else process.env.BERTH_TEST_BOOT_ID = saved;
  }
  assert.equal(bootId(), real);
});
