// ps's LIMITS column: what a container is held to, in a few short words (inspect's HostConfig has
// each in full, under Docker's names).
import type { Resources } from '../../engine/types.js';

/** 64m, 1g, 512k: the largest unit that divides the size, as the flags are usually written. */
function size(n: number): string {
  for (const [unit, f] of [['g', 1 << 30], ['m', 1 << 20], ['k', 1 << 10]] as const) if (n >= f && n % f === 0) return `${n / f}${unit}`;
  return n >= 1 << 20 ? `${Math.round(n / (1 << 20))}m` : `${n}b`;
}

export function limitsText(r: Resources): string {
  const parts: string[] = [];
  if (r.memory !== undefined) parts.push(`mem=${size(r.memory)}`);
  if (r.memorySwap !== undefined) parts.push(`swap=${r.memorySwap < 0 ? 'unlimited' : size(r.memorySwap)}`);
  if (r.memoryReservation !== undefined) parts.push(`memres=${size(r.memoryReservation)}`);
  if (r.cpus !== undefined) parts.push(`cpus=${r.cpus}`);
  if (r.cpuShares !== undefined) parts.push(`shares=${r.cpuShares}`);
  // The quota is per period; Docker's period is 100 ms when only the quota is given.
  if (r.cpuQuota !== undefined) parts.push(`quota=${r.cpuQuota}/${r.cpuPeriod ?? 100_000}`);
  else if (r.cpuPeriod !== undefined) parts.push(`period=${r.cpuPeriod}`);
  if (r.cpusetCpus !== undefined) parts.push(`cpuset=${r.cpusetCpus}`);
  if (r.pidsLimit !== undefined) parts.push(`pids=${r.pidsLimit}`);
  if (r.blkioWeight !== undefined) parts.push(`blkio=${r.blkioWeight}`);
  const io = r.blkio.readBps.length + r.blkio.writeBps.length + r.blkio.readIops.length + r.blkio.writeIops.length;
  if (io > 0) parts.push('io');
  return parts.join(',');
}
