// Healthchecks without a daemon: the runner berth leaves beside conmon keeps checking after
// `berth run -d` has exited; ps, inspect, ps --filter health= and `healthcheck run` read it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Berth, until } from './helpers.js';

let b: Berth;
before(() => {
  b = new Berth();
  b.importBusybox();
});
after(() => b.destroy());

interface Health {
  Status: string;
  FailingStreak: number;
  Log: { ExitCode: number; Output: string }[];
}
const health = (n: string) => (b.inspect(n).State as unknown as { Health?: Health }).Health;
const psLine = (n: string) => b.ok(['ps', '--filter', `name=${n}`]).split('\n').find((l) => l.trim().endsWith(` ${n}`) || l.includes(` ${n} `)) ?? '';

/** The health runners of this root still alive, from /proc. */
function runners(): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      if (cmd.includes('health-runner') && cmd.includes(b.root)) out.push(Number(e));
    } catch { /* gone */ }
  }
  return out;
}

test('starting → healthy, then unhealthy once the check fails `retries` times; after berth has exited', async () => {
  // The check passes while /tmp/ok exists; the container makes it, and the test takes it away.
  b.ok(['run', '-d', '--name', 'hc-web', '--network', 'none', '--health-cmd', 'cat /tmp/ok', '--health-interval', '1s', '--health-retries', '2', 'busybox',
    'sh', '-c', 'sleep 2; echo fine > /tmp/ok; exec sleep 1000']);
  // berth run -d has returned: whatever checks from here on is the runner.
  assert.match(psLine('hc-web'), /\(health: starting\)/);
  assert.equal(health('hc-web')?.Status, 'starting');
  await until(() => health('hc-web')?.Status === 'healthy', 20_000, 200);
  assert.match(psLine('hc-web'), /Up .* \(healthy\)/);
  const h = health('hc-web')!;
  assert.equal(h.FailingStreak, 0);
  assert.deepEqual(h.Log.at(-1), { ...h.Log.at(-1), ExitCode: 0, Output: 'fine\n' });
  assert.match(b.ok(['ps', '--filter', 'health=healthy']), /hc-web/);
  assert.doesNotMatch(b.ok(['ps', '--filter', 'health=unhealthy']), /hc-web/);
  b.ok(['exec', 'hc-web', 'rm', '/tmp/ok']);
  await until(() => health('hc-web')?.Status === 'unhealthy', 20_000, 200);
  assert.ok(health('hc-web')!.FailingStreak >= 2);
  assert.match(psLine('hc-web'), /\(unhealthy\)/);
  assert.match(b.ok(['ps', '--filter', 'health=unhealthy']), /hc-web/);
  const cfg = b.inspect('hc-web').Config.Healthcheck as { Test: string[]; Interval: number; Retries: number };
  assert.deepEqual(cfg, { ...cfg, Test: ['CMD', '/bin/sh', '-c', 'cat /tmp/ok'], Interval: 1e9, Retries: 2 });
  b.ok(['rm', '-f', 'hc-web']);
});

test('healthcheck run: exit 0 when healthy, "unhealthy" and 1 when not; no check, or not running: 125', () => {
  b.ok(['run', '-d', '--name', 'hc-hand', '--network', 'none', '--health-cmd', 'test -e /tmp/up', '--health-interval', '1h', 'busybox', 'sleep', '1000']);
  const bad = b.run(['healthcheck', 'run', 'hc-hand']);
  assert.equal(bad.status, 1);
  assert.equal(bad.stdout, 'starting\n'); // one failure of three: still starting
  b.run(['healthcheck', 'run', 'hc-hand']);
  assert.equal(b.run(['healthcheck', 'run', 'hc-hand']).stdout, 'unhealthy\n');
  assert.equal(health('hc-hand')?.Log.length, 3);
  b.ok(['exec', 'hc-hand', 'touch', '/tmp/up']);
  const good = b.run(['healthcheck', 'run', 'hc-hand']);
  assert.deepEqual([good.status, good.stdout], [0, '']);
  assert.equal(health('hc-hand')?.Status, 'healthy');
  b.ok(['run', '-d', '--name', 'hc-none', '--network', 'none', 'busybox', 'sleep', '1000']);
  const none = b.run(['healthcheck', 'run', 'hc-none']);
  assert.equal(none.status, 125);
  assert.match(none.stderr, /^berth: container hc-none has no defined healthcheck$/m);
  assert.match(b.ok(['ps', '--filter', 'health=none']), /hc-none/);
  assert.doesNotMatch(b.ok(['ps', '--filter', 'health=none']), /hc-hand/);
  b.ok(['stop', '-t', '0', 'hc-hand']);
  assert.match(b.run(['healthcheck', 'run', 'hc-hand']).stderr, /is not running/);
  b.ok(['rm', '-f', 'hc-hand', 'hc-none']);
});

test('the runner ends with its run: on stop and on rm; a restart starts a new one from "starting"', async () => {
  b.ok(['run', '-d', '--name', 'hc-life', '--network', 'none', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '1000']);
  await until(() => runners().length === 1, 10_000);
  await until(() => health('hc-life')?.Status === 'healthy', 20_000, 200);
  b.ok(['stop', '-t', '0', 'hc-life']);
  await until(() => runners().length === 0, 10_000);
  b.ok(['start', 'hc-life']);
  assert.equal(health('hc-life')?.Status, 'starting');
  await until(() => runners().length === 1, 10_000);
  b.ok(['rm', '-f', 'hc-life']);
  await until(() => runners().length === 0, 10_000);
});

test('--no-healthcheck and bad health flags', () => {
  b.ok(['create', '--name', 'hc-off', '--network', 'none', '--no-healthcheck', 'busybox', 'true']);
  assert.equal(b.inspect('hc-off').Config.Healthcheck, null);
  b.ok(['rm', 'hc-off']);
  for (
    const [flags, re] of [
      [['--no-healthcheck', '--health-cmd', 'true'], /--no-healthcheck conflicts with --health-\* options/],
      [['--health-cmd', 'true', '--health-interval', 'often'], /invalid --health-interval "often"/],
      [['--health-cmd', 'true', '--health-retries', '-2'], /--health-retries cannot be negative/],
    ] as const
  ) {
    const r = b.run(['run', '-d', '--name', 'hc-bad', '--network', 'none', ...flags, 'busybox', 'true']);
    assert.equal(r.status, 125, r.stderr);
    assert.match(r.stderr, re);
    assert.equal(b.run(['inspect', 'hc-bad']).status, 125);
  }
  assert.deepEqual(runners(), []);
});

test("the image's HEALTHCHECK runs; flags tune it; --no-healthcheck turns it off", async () => {
  const ctx = mkdtempSync('/tmp/berth-hc-ctx-');
  writeFileSync(join(ctx, 'Containerfile'), 'FROM busybox\nHEALTHCHECK --interval=1s --retries=1 CMD ["test", "-e", "/tmp/never"]\nCMD ["sleep", "1000"]\n');
  try {
    b.ok(['build', '-q', '-t', 'hcimg', ctx]);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
  b.ok(['run', '-d', '--name', 'hc-image', '--network', 'none', 'hcimg']);
  await until(() => health('hc-image')?.Status === 'unhealthy', 20_000, 200);
  assert.equal(health('hc-image')?.Log.at(-1)?.ExitCode, 1);
  // --health-retries alone keeps the image's command and sets the count.
  b.ok(['create', '--name', 'hc-tuned', '--network', 'none', '--health-retries', '7', 'hcimg']);
  const tuned = b.inspect('hc-tuned').Config.Healthcheck as { Test: string[]; Retries: number; Interval: number };
  assert.deepEqual([tuned.Test, tuned.Retries, tuned.Interval], [['CMD', 'test', '-e', '/tmp/never'], 7, 1e9]);
  b.ok(['run', '-d', '--name', 'hc-off-img', '--network', 'none', '--no-healthcheck', 'hcimg']);
  assert.equal(b.inspect('hc-off-img').Config.Healthcheck, null);
  assert.doesNotMatch(psLine('hc-off-img'), /health/);
  b.ok(['rm', '-f', 'hc-image', 'hc-tuned', 'hc-off-img']);
  await until(() => runners().length === 0, 10_000);
});
