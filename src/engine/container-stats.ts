// stats: one sample of each container's usage, Docker's columns. CPU % needs two readings; one
// pause serves every container, so `stats --no-stream --all` costs one interval, not one each.
import { hostMemory, readCgroupStats, readNetStats, type CgroupStats } from '../sys/cgroup-stats.js';
import { isLive } from './lifecycle.js';
import { cgroupsPath, type EngineContext } from './context.js';
import { type Container, listContainers, lookup } from './container-records.js';
import { reconcileOne } from './container-finalize.js';

export interface StatsLine {
  id: string;
  name: string;
  cpuPercent: number;
  memUsage: number;
  memLimit: number;
  memPercent: number;
  netRx: number;
  netTx: number;
  blkRead: number;
  blkWrite: number;
  pids: number;
  /** The raw CPU readings behind cpuPercent (ns; 0 when not running), for the API's precpu_stats. */
  cpuNs: number;
  preCpuNs: number;
  intervalNs: number;
}

/** Docker's CPU %: CPU time used over wall time, per CPU a hundred (two busy CPUs: 200%). */
export function cpuPercent(before: number, after: number, wallNs: number): number {
  return wallNs > 0 && after >= before ? ((after - before) / wallNs) * 100 : 0;
}

export async function containerStats(ctx: EngineContext, o: { refs: readonly string[]; all: boolean; intervalMs?: number }): Promise<StatsLine[]> {
  const ctrs: Container[] = o.refs.length > 0
    ? o.refs.map((r) => reconcileOne(ctx, lookup(ctx, r)))
    : listContainers(ctx).map((c) => reconcileOne(ctx, c)).filter((c) => o.all || isLive(c.status));
  const read = (c: Container): CgroupStats | null => (isLive(c.status) ? readCgroupStats(cgroupsPath(c.id)) : null);
  const first = ctrs.map(read);
  const t0 = process.hrtime.bigint();
  if (first.some((s) => s !== null)) await new Promise((r) => setTimeout(r, o.intervalMs ?? 1000));
  const wall = Number(process.hrtime.bigint() - t0);
  const hostMem = hostMemory();
  return ctrs.map((c, i) => {
    const a = first[i] ?? null;
    const b = a ? read(c) : null;
    const net = b && c.pid !== null && c.spec.networkMode !== 'host' ? readNetStats(c.pid) : { rx: 0, tx: 0 };
    const limit = b ? b.memLimit ?? hostMem : 0;
    return {
      id: c.id,
      name: c.name,
      cpuPercent: a && b ? cpuPercent(a.cpuNs, b.cpuNs, wall) : 0,
      memUsage: b?.memUsage ?? 0,
      memLimit: limit,
      memPercent: b && limit > 0 ? (b.memUsage / limit) * 100 : 0,
      netRx: net.rx,
      netTx: net.tx,
      blkRead: b?.blkRead ?? 0,
      blkWrite: b?.blkWrite ?? 0,
      pids: b?.pids ?? 0,
      cpuNs: b?.cpuNs ?? 0,
      preCpuNs: a?.cpuNs ?? 0,
      intervalNs: wall,
    };
  });
}
