// Locks that cannot be stolen: parallel start, stop, restart and kill on the same containers,
// some of the berth processes killed with -9 half way, after which every record matches the host.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, Berth } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

const VERBS = [['start'], ['stop', '-t', '0'], ['restart', '-t', '0'], ['kill']] as const;

function launch(args: string[], killAfterMs?: number): Promise<number | null> {
  return new Promise((resolve) => {
    const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, ...args], { stdio: 'ignore' });
    const t = killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    p.on('close', (code) => {
      clearTimeout(t);
      resolve(code);
    });
  });
}

test('parallel start/stop/restart/kill with berth killed -9 at random: records match the host', async () => {
  const names = ['s1', 's2', 's3'];
  for (const n of names) b.ok(['run', '-d', '--name', n, '--network', n === 's3' ? 'bridge' : 'none', 'busybox', 'sleep', '1000']);
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  let killed = 0;
  for (let wave = 0; wave < 4; wave++) {
    const jobs: Promise<number | null>[] = [];
    for (let i = 0; i < 8; i++) {
      const verb = VERBS[rnd(VERBS.length)]!;
      const victim = rnd(4) === 0;
      if (victim) killed++;
      jobs.push(launch([...verb, names[rnd(names.length)]!], victim ? 30 + rnd(250) : undefined));
    }
    await Promise.all(jobs);
  }
  assert.ok(killed > 0, 'some berth processes were killed');
  // The next ordinary command brings the records up to date; then each must match the host.
  b.ok(['ps', '-a']);
  const mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  for (const n of names) {
    const i = b.inspect(n);
    const merged = join(b.root, 'containers', i.Id, 'merged');
    if (i.State.Status === 'running') {
      assert.ok(existsSync(`/proc/${i.State.Pid}`), `${n}: recorded running, its process exists`);
      assert.match(readFileSync(`/proc/${i.State.Pid}/cgroup`, 'utf8'), new RegExp(i.Id), `${n}: the process is the container's`);
      assert.ok(mountinfo.includes(merged), `${n}: running with its rootfs mounted`);
      assert.match(b.ok(['exec', n, 'echo', 'ok']), /ok/);
    } else {
      assert.equal(i.State.Status, 'exited', `${n}: ${i.State.Status}`);
      assert.ok(!mountinfo.includes(merged), `${n}: exited, so its rootfs is unmounted`);
      assert.ok(!existsSync(join(b.runroot, 'containers', i.Id)), `${n}: exited, so no run state`);
    }
  }
  // And every one can still be driven to a known state.
  for (const n of names) b.ok(['restart', '-t', '0', n]);
  for (const n of names) assert.equal(b.inspect(n).State.Status, 'running');
  b.ok(['rm', '-f', ...names]);
  assert.equal(b.ok(['ps', '-aq']), '');
});
