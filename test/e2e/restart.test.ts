// restart and the restart policies: a restart leaves the new run alone, a crash loop backs off,
// and a user's stop or kill ends the loop. Also: a zombie is never shown as running.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Berth, sleep, until } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

const state = (name: string) => b.inspect(name) as { RestartCount: number; State: { Status: string; Pid: number; ExitCode: number; ConmonPid: number } };

test("restart: the container runs again, and the old run's exit callback leaves the new run alone", async () => {
  b.ok(['run', '-d', '--name', 'r1', 'busybox', 'sleep', '1000']);
  const before1 = state('r1').State.Pid;
  b.ok(['restart', '-t', '0', 'r1']);
  const after1 = state('r1');
  assert.equal(after1.State.Status, 'running');
  assert.notEqual(after1.State.Pid, before1);
  // The old conmon's callback runs once berth has returned: give it ample time to do harm.
  await sleep(1500);
  const later = state('r1');
  assert.equal(later.State.Status, 'running', `restart killed what it started: ${JSON.stringify(later.State)}`);
  assert.equal(later.State.Pid, after1.State.Pid);
  assert.match(b.ok(['exec', 'r1', 'echo', 'alive']), /alive/);
  b.ok(['rm', '-f', 'r1']);
});

test('restart of a --restart always container does not start a loop', async () => {
  b.ok(['run', '-d', '--name', 'r2', '--network', 'none', '--restart', 'always', 'busybox', 'sleep', '1000']);
  b.ok(['restart', '-t', '0', 'r2']);
  const pid = state('r2').State.Pid;
  await sleep(1500);
  const s = state('r2');
  assert.equal(s.State.Status, 'running');
  assert.equal(s.State.Pid, pid, "the container was not restarted behind the user's back");
  assert.equal(s.RestartCount, 0);
  b.ok(['rm', '-f', 'r2']);
});

test('a crash loop under --restart always backs off, and stop ends it', async () => {
  b.ok(['run', '-d', '--name', 'loop', '--network', 'none', '--restart', 'always', 'busybox', 'sh', '-c', 'exit 3']);
  // Delays of 100, 200, 400, 800, 1600 ms: about five restarts in 3.5 s, where a loop without
  // back-off made one every ~250 ms (14 or more).
  await sleep(3500);
  const n = state('loop').RestartCount;
  assert.ok(n >= 2 && n <= 7, `restarts in 3.5 s: ${n}`);
  b.ok(['stop', '-t', '1', 'loop']);
  const stopped = state('loop');
  await sleep(2500);
  const later = state('loop');
  assert.equal(later.State.Status, 'exited');
  assert.equal(later.RestartCount, stopped.RestartCount, 'a stopped container is not revived');
  assert.equal(later.State.ExitCode, 3);
  b.ok(['rm', 'loop']);
});

test('kill ends an always policy; a user start begins the count afresh', async () => {
  b.ok(['run', '-d', '--name', 'k', '--network', 'none', '--restart', 'always', 'busybox', 'sleep', '1000']);
  b.ok(['kill', 'k']);
  await until(() => state('k').State.Status === 'exited', 5000);
  await sleep(1000);
  assert.equal(state('k').State.Status, 'exited', 'killed by the user: not restarted');
  assert.equal(state('k').State.ExitCode, 137);
  b.ok(['start', 'k']);
  assert.equal(state('k').State.Status, 'running');
  // The policy is back in force after the user's start: a kill from outside is restarted.
  const pid = state('k').State.Pid;
  process.kill(pid, 'SIGKILL');
  const back = await until(() => {
    const s = state('k');
    return s.State.Status === 'running' && s.State.Pid !== pid ? s : undefined;
  }, 10_000, 100);
  assert.equal(back.RestartCount, 1);
  b.ok(['rm', '-f', 'k']);
});

test('on-failure:N stops after N restarts and stays stopped', async () => {
  b.ok(['run', '-d', '--name', 'of', '--network', 'none', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 4']);
  await until(() => {
    const s = state('of');
    return s.State.Status === 'exited' && s.RestartCount === 2;
  }, 15_000, 100);
  await sleep(1500);
  const s = state('of');
  assert.equal(s.RestartCount, 2);
  assert.equal(s.State.Status, 'exited');
  assert.equal(s.State.ExitCode, 4);
  b.ok(['rm', 'of']);
});

test('a container left a zombie by its dead conmon is shown exited, not Up', async () => {
  b.ok(['run', '-d', '--name', 'zed', '--network', 'none', 'busybox', 'sleep', '1000']);
  const i = state('zed');
  process.kill(i.State.ConmonPid, 'SIGKILL');
  await sleep(200);
  process.kill(i.State.Pid, 'SIGKILL');
  // Nobody may reap it now (pid 1 here does not): wait until it is dead or a zombie.
  const st = () => {
    try {
      return /^State:\s+(\S)/m.exec(readFileSync(`/proc/${i.State.Pid}/status`, 'utf8'))?.[1];
    } catch {
      return 'gone';
    }
  };
  await until(() => st() === 'Z' || st() === 'gone', 5000);
  const ps = b.ok(['ps', '-a']);
  assert.doesNotMatch(ps, /Up .*zed/);
  assert.match(ps, /Exited \(\d+\).*zed/);
  assert.equal(b.ok(['ps', '-q']), '');
  b.ok(['rm', 'zed']);
});
