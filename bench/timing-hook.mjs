// Preloaded with `node --import` by bench/profile.sh: logs, in ms since the process started, when
// berth's JS begins, every program it runs (spawnSync and spawn, with their end), and its exit.
// It wraps node:child_process in place and re-syncs the ESM bindings, so berth's own
// `import { spawnSync } from 'node:child_process'` sees the wrapper without any change to src/.
import cp from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { performance } from 'node:perf_hooks';

const out = process.env.BENCH_TIMING_OUT;
if (out) {
  const events = [];
  const now = () => Math.round(performance.now() * 100) / 100;
  const name = (cmd, args) => [cmd.split('/').pop(), ...(args ?? []).slice(0, 8)].join(' ');
  events.push({ ev: 'js', t: now() });

  const spawnSync = cp.spawnSync;
  cp.spawnSync = function(cmd, args, opts) {
    const t = now();
    const r = spawnSync.call(this, cmd, args, opts);
    events.push({ ev: 'sync', cmd: name(cmd, args), t, end: now() });
    return r;
  };
  const spawn = cp.spawn;
  cp.spawn = function(cmd, args, opts) {
    const e = { ev: 'spawn', cmd: name(cmd, args), t: now(), end: null };
    events.push(e);
    const child = spawn.call(this, cmd, args, opts);
    child.once('exit', () => {
      e.end = now();
    });
    for (const fd of [3]) {
      const s = child.stdio[fd];
      // conmon answers on fd 3 (its sync pipe) once runc create has the container's pid
      if (s)
        s.once('data', () => {
          e.firstData = now();
        });
    }
    return child;
  };
  syncBuiltinESMExports();
  process.once('exit', () => {
    events.push({ ev: 'exit', t: now() });
    appendFileSync(out, JSON.stringify({ argv: process.argv.slice(2).join(' '), events }) + '\n');
  });
}
