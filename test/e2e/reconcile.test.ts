// ps tells the truth about containers that died while nobody watched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Berth, until } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

test('a container killed from outside is shown and recorded as exited 137', async () => {
  b.ok(['run', '-d', '--name', 'victim', '--network', 'none', 'busybox', 'sleep', '1000']);
  const pid = b.inspect('victim').State.Pid;
  process.kill(pid, 'SIGKILL');
  await until(() => !existsSync(`/proc/${pid}`), 5000);
  assert.match(b.ok(['ps', '-a']), /Exited \(137\).*victim/);
  assert.equal(b.ok(['ps', '-q']), '');
  const info = b.inspect('victim');
  assert.equal(info.State.Status, 'exited');
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(info.Id), 'its rootfs was released');
  b.ok(['start', 'victim']);
  assert.equal(b.inspect('victim').State.Status, 'running');
  b.ok(['rm', '-f', 'victim']);
});

test('a container whose conmon was killed along with it is never shown running', async () => {
  b.ok(['run', '-d', '--name', 'orphan', '--network', 'none', 'busybox', 'sleep', '1000']);
  const i = b.inspect('orphan');
  process.kill(i.State.ConmonPid, 'SIGKILL');
  process.kill(i.State.Pid, 'SIGKILL');
  await until(() => !existsSync(`/proc/${i.State.Pid}`), 5000);
  const ps = b.ok(['ps', '-a']);
  assert.match(ps, /Exited \(\d+\).*orphan/);
  assert.doesNotMatch(ps, /Up .*orphan/);
  b.ok(['rm', 'orphan']);
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(i.Id));
});

test('a record left "running" by another boot is reconciled as exited', async () => {
  b.ok(['run', '-d', '--name', 'reboot', '--network', 'none', 'busybox', 'sleep', '1000']);
  const info = b.inspect('reboot');
  // Simulate a reboot as the instances file would see it: the record claims another boot.
  const db = new Database(join(b.root, 'berth.db'));
  db.prepare("UPDATE containers SET boot_id = 'another-boot' WHERE id = ?").run(info.Id);
  db.close();
  assert.match(b.ok(['ps', '-a']), /Exited \(255\).*reboot/);
  assert.equal(b.inspect('reboot').State.Status, 'exited');
  // What the "previous boot" left is released: process, mounts.
  await until(() => !existsSync(`/proc/${info.State.Pid}`), 5000);
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(info.Id));
  b.ok(['rm', 'reboot']);
});
