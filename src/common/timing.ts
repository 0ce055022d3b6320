// Phase marks. BERTH_TIMING=1 prints where a command spends its time on stderr.
// BERTH_FAILPOINT=<phase> kills the process with SIGKILL at that mark: tests use it to prove
// that whatever a berth killed mid-way leaves behind, the next command finishes or undoes.
// (Nothing here touches `performance` unless timing is on: its first use loads perf_hooks.)
const on = process.env.BERTH_TIMING === '1';
const failpoint = process.env.BERTH_FAILPOINT;
let last = 0;

export function mark(phase: string): void {
  if (failpoint === phase) process.kill(process.pid, 'SIGKILL');
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`[timing] ${phase.padEnd(24)} +${(now - last).toFixed(1)} ms (at ${now.toFixed(1)} ms)\n`);
  last = now;
}
