// BERTH_TIMING=1 prints where a command spends its time, phase by phase, on stderr.
const on = process.env.BERTH_TIMING === '1';
let last = performance.now();

export function mark(phase: string): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`[timing] ${phase.padEnd(24)} +${(now - last).toFixed(1)} ms (at ${now.toFixed(1)} ms)\n`);
  last = now;
}
