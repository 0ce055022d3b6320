// Load (issue 15): 50 `run -d` at once on a bridge and without a network, 50 parallel `rm -f`,
// then a soak of run/stop/start/rm cycles with random networks, limits and published ports.
// SOAK_CYCLES sets the soak's length (100 in the default run; `make soak` runs 1,000). The
// suite's leak check, which comes last, finds anything a cycle left behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Berth, jsonLines } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
  b.ok(['network', 'create', '--subnet', '10.231.0.0/24', 'loadnet']);
});
after(() => b.destroy());

test('50 parallel run -d all succeed: distinct names, ids and addresses, no "database is locked"', async () => {
  const runs = await Promise.all(
    Array.from({ length: 50 },
      (_, i) => b.runAsync(['run', '-d', '--name', `l${i}`, ...(i % 2 === 0 ? ['--network', 'loadnet'] : ['--network', 'none']), 'busybox', 'sleep', '1000'])),
  );
  for (const r of runs) assert.equal(r.status, 0, r.stderr);
  assert.ok(!runs.some((r) => /locked|internal error/.test(r.stderr)));
  const ps = jsonLines(b.ok(['ps', '--format', 'json']));
  assert.equal(ps.length, 50);
  assert.equal(new Set(ps.map((c) => c.Names)).size, 50);
  // Each container's addresses, one a line, through inspect's template.
  const ips = b.ok(['inspect', '-f', '{{range .NetworkSettings.Networks}}{{println .IPAddress}}{{end}}', ...ps.map((c) => c.Names!)]).split('\n')
    .filter((ip) => ip !== '');
  assert.equal(ips.length, 25);
  assert.equal(new Set(ips).size, 25, 'no address given twice');
});

test('50 parallel rm -f all succeed and leave nothing', async () => {
  const ids = b.ok(['ps', '-aq']).split('\n').filter(Boolean);
  assert.equal(ids.length, 50);
  const rms = await Promise.all(ids.map((id) => b.runAsync(['rm', '-f', id])));
  for (const r of rms) assert.equal(r.status, 0, r.stderr);
  assert.equal(b.ok(['ps', '-aq']), '');
  assert.ok(!readFileSync('/proc/self/mountinfo', 'utf8').includes(b.root), 'no mount left under the root');
});

test('soak: run, stop, start and rm cycles with random networks, limits and ports', () => {
  const cycles = Number(process.env.SOAK_CYCLES ?? 100);
  let seed = 12345;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < cycles; i++) {
    const net = [['--network', 'none'], ['--network', 'loadnet'], []][rnd(3)]!;
    const limits = [['-m', `${16 + rnd(48)}m`], ['--cpus', '0.5'], ['--pids-limit', String(20 + rnd(50))], []][rnd(4)]!;
    const port = net[1] !== 'none' && rnd(2) === 0 ? ['-p', `127.0.0.1:${20000 + (i % 500)}:80`] : [];
    const name = `soak${i}`;
    b.ok(['run', '-d', '--name', name, ...net, ...limits, ...port, 'busybox', 'sleep', '1000']);
    b.ok(['stop', '-t', '0', name]);
    if (rnd(2) === 0) {
      b.ok(['start', name]);
      assert.equal(b.inspect(name).State.Status, 'running', `cycle ${i}`);
    }
    b.ok(['rm', '-f', name]);
  }
  assert.equal(b.ok(['ps', '-aq']), '');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(b.root), 'no mount left under the root');
});
