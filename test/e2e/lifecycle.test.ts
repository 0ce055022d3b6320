// Detached containers: ps, logs, exec, stop/start keeping files, restart policies, rm leaving nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, until, jsonLines } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

test('run -d, ps, logs, exec, inspect', () => {
  const id = b.ok(['run', '-d', '--name', 'bg', '--network', 'none', 'busybox', 'sh', '-c', 'echo started; exec sleep 1000']).trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  const ps = b.ok(['ps']);
  assert.match(ps, /CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+NAMES/);
  assert.match(ps, new RegExp(`${id.slice(0, 12)}\\s+busybox\\s+.*Up .*bg`));
  assert.equal(b.ok(['logs', 'bg']), 'started\n');
  assert.equal(b.ok(['exec', 'bg', 'sh', '-c', 'echo $((6*7))']), '42\n');
  const ex = b.run(['exec', 'bg', 'sh', '-c', 'exit 5']);
  assert.equal(ex.status, 5);
  const info = b.inspect(id.slice(0, 8));
  assert.equal(info.Name, 'bg');
  assert.equal(info.State.Status, 'running');
  assert.ok(info.State.Pid > 0);
  assert.ok(existsSync(`/proc/${info.State.Pid}`));
  assert.ok(info.State.ConmonPid > 0);
  assert.match(readFileSync(`/proc/${info.State.ConmonPid}/cmdline`, 'utf8'), /conmon/);
  b.ok(['stop', '-t', '1', 'bg']);
  const stopped = b.inspect('bg');
  assert.equal(stopped.State.Status, 'exited');
  assert.equal(stopped.State.ExitCode, 137, 'sleep as pid 1 ignores SIGTERM, so it was killed');
  assert.match(b.ok(['ps', '-a']), /Exited \(137\)/);
  assert.ok(!existsSync(`/proc/${info.State.Pid}`));
  b.ok(['rm', 'bg']);
});

test('stop keeps the writable layer and characteristics; start brings it back as it was', () => {
  b.ok(['run', '-d', '--name', 'keep', '--network', 'none', '-m', '48m', '-e', 'K=v', 'busybox', 'sleep', '1000']);
  b.ok(['exec', 'keep', 'sh', '-c', 'echo persisted > /data.txt']);
  b.ok(['stop', '-t', '0', 'keep']);
  const merged = join(b.root, 'containers', b.inspect('keep').Id, 'merged');
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(merged), 'rootfs unmounted after stop');
  assert.equal(readFileSync(join(b.root, 'containers', b.inspect('keep').Id, 'diff', 'data.txt'), 'utf8'), 'persisted\n');
  b.ok(['start', 'keep']);
  assert.equal(b.ok(['exec', 'keep', 'cat', '/data.txt']), 'persisted\n');
  assert.equal(b.ok(['exec', 'keep', 'sh', '-c', 'echo $K']), 'v\n');
  const info = b.inspect('keep');
  assert.equal(info.HostConfig.Memory, 48 * 1024 * 1024);
  assert.deepEqual(info.Config.Cmd, ['sleep', '1000']);
  b.ok(['rm', '-f', 'keep']);
});

test('rm removes the writable layer, logs, run state, mounts and cgroups', () => {
  const id = b.ok(['run', '-d', '--network', 'none', '--pids-limit', '50', 'busybox', 'sleep', '1000']).trim();
  const pid = b.inspect(id).State.Pid;
  const cg = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  assert.match(cg, new RegExp(id));
  b.ok(['rm', '-f', id]);
  assert.ok(!existsSync(join(b.root, 'containers', id)));
  assert.ok(!existsSync(join(b.runroot, 'containers', id)));
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(id));
  assert.ok(!existsSync(`/sys/fs/cgroup/pids/berth/${id}`) && !existsSync(`/sys/fs/cgroup/berth/${id}`));
  assert.equal(b.run(['inspect', id]).status, 125);
});

test('restart policy on-failure:2 is carried out by conmon calling berth back', async () => {
  b.ok(['run', '-d', '--name', 'flaky', '--network', 'none', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']);
  const info = await until(() => {
    const i = b.inspect('flaky');
    return i.State.Status === 'exited' && i.State.RestartCount === 2 ? i : undefined;
  }, 30_000, 200);
  assert.equal(info.State.ExitCode, 3);
  b.ok(['rm', 'flaky']);
});

test('run -d --rm removes the container when it exits', async () => {
  b.ok(['run', '-d', '--rm', '--name', 'gone', '--network', 'none', 'busybox', 'true']);
  await until(() => b.run(['inspect', 'gone']).status !== 0, 15_000, 100);
});

test('ten parallel run -d all succeed with distinct ids and names', async () => {
  const runs = await Promise.all(Array.from({ length: 10 }, () => b.runAsync(['run', '-d', '--network', 'none', 'busybox', 'sleep', '1000'])));
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  const ids = new Set(runs.map((r) => r.stdout.trim()));
  assert.equal(ids.size, 10);
  const names = new Set((jsonLines<{ Names: string }>(b.ok(['ps', '--format', 'json']))).map((c) => c.Names));
  assert.equal(names.size, 10);
  b.ok(['rm', '-f', ...ids]);
  assert.equal(b.ok(['ps', '-aq']), '');
});
