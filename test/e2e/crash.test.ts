// A berth killed at any point leaves an instances file the next command can read, and the next
// command finishes or undoes what the dead one left half made. BERTH_FAULT kills berth with
// SIGKILL at a named step of `run -d` (common/fault-steps.ts).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Berth, until } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

const PHASES = ['create.recorded', 'start.mounted', 'start.network', 'start.bundle', 'start.conmon', 'start.started'];

for (const phase of PHASES) {
  test(`berth killed at "${phase}": ps repairs, start works, rm leaves nothing`, async () => {
    const name = `crash-${PHASES.indexOf(phase)}`;
    const r = b.run(['run', '-d', '--name', name, 'busybox', 'sleep', '1000'], { env: { BERTH_FAULT: `run:${phase}` } });
    assert.equal(r.status, -1, 'berth was killed by the failpoint');
    const ps = b.ok(['ps', '-a']);
    assert.match(ps, new RegExp(`Created.*${name}`), ps);
    const id = b.inspect(name).Id;
    // ps undid the half-made start: no mount, no runtime state, no conmon for this container.
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(id), 'rootfs released');
    assert.ok(!existsSync(join(b.runroot, 'containers', id)), 'run directory released');
    // conmon sees its container die and exits on its own, a moment later.
    await until(() => spawnSync('pgrep', ['-f', `conmon.*${id}`], { encoding: 'utf8' }).stdout.trim() === '', 10_000);
    b.ok(['start', name]);
    assert.equal(b.ok(['exec', name, 'echo', 'alive']), 'alive\n');
    b.ok(['rm', '-f', name]);
    assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(id));
  });
}
