// Phase marks. BERTH_TIMING=1 prints where a command spends its time on stderr. (Crashes at a
// named point are common/fault.ts's BERTH_FAULT.)
// (Nothing here touches `performance` unless timing is on: its first use loads perf_hooks.)
const on = process.env.BERTH_TIMING === '1';
let last = 0;

export function mark(phase: string): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`[timing] ${phase.padEnd(24)} +${(now - last).toFixed(1)} ms (at ${now.toFixed(1)} ms)\n`);
  last = now;
}
