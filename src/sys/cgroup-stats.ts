// Usage counters of one container's cgroup, for `stats`: CPU time, memory, block I/O and pids,
// from the v2 unified files or the v1 controllers' files, plus network bytes from its netns.
// Every reader takes its roots as options so tests lay out a fake /sys/fs/cgroup in a temp dir.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCgroupMounts, type CgroupMount } from './cgroups.js';

export interface CgroupStats {
  /** Total CPU time used, nanoseconds. */
  cpuNs: number;
  memUsage: number;
  /** null: no limit set (the host's memory is the limit). */
  memLimit: number | null;
  pids: number;
  blkRead: number;
  blkWrite: number;
}

export interface StatsEnv {
  /** Defaults to /proc (mountinfo is read from <procRoot>/self/mountinfo). */
  procRoot?: string;
}

const read = (f: string): string | null => {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return null;
  }
};

const UNLIMITED_FLOOR = 2 ** 62;
function int(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const t = v.trim();
  if (t === '' || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) && n < UNLIMITED_FLOOR ? n : null;
}

/** "key value" lines (cpu.stat, memory.stat) as a map. */
export function keyed(text: string | null): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && Number.isFinite(Number(v))) m.set(k, Number(v));
  }
  return m;
}

/** v2 io.stat ("8:0 rbytes=1 wbytes=2 …") summed over devices. */
export function parseIoStat(text: string | null): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of (text ?? '').split('\n')) {
    for (const kv of line.trim().split(/\s+/).slice(1)) {
      const [k, v] = kv.split('=');
      if (k === 'rbytes') read += Number(v) || 0;
      else if (k === 'wbytes') write += Number(v) || 0;
    }
  }
  return { read, write };
}

/** v1 blkio.throttle.io_service_bytes ("8:0 Read 123" … "Total 456") summed over devices. */
export function parseBlkioServiceBytes(text: string | null): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const line of (text ?? '').split('\n')) {
    const [, op, v] = line.trim().split(/\s+/);
    if (op === 'Read') read += Number(v) || 0;
    else if (op === 'Write') write += Number(v) || 0;
  }
  return { read, write };
}

/** Received and transmitted bytes over every interface but lo, from a /proc/PID/net/dev text. */
export function parseNetDev(text: string | null): { rx: number; tx: number } {
  let rx = 0;
  let tx = 0;
  for (const line of (text ?? '').split('\n').slice(2)) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    if (line.slice(0, i).trim() === 'lo') continue;
    const f = line.slice(i + 1).trim().split(/\s+/);
    rx += Number(f[0]) || 0;
    tx += Number(f[8]) || 0;
  }
  return { rx, tx };
}

/**
 * The counters of the cgroup runc made at `cgroupsPath` (absolute, as in the OCI spec), or null
 * when it is gone. Memory usage is Docker's: usage less the inactive page cache.
 */
export function readCgroupStats(cgroupsPath: string, env: StatsEnv = {}): CgroupStats | null {
  const mounts = parseCgroupMounts(read(join(env.procRoot ?? '/proc', 'self/mountinfo')) ?? '');
  const v2 = mounts.find((m) => m.fstype === 'cgroup2' && (m.mountPoint === '/sys/fs/cgroup' || !mounts.some((x) => x.fstype === 'cgroup')));
  if (v2) return v2Stats(join(v2.mountPoint, cgroupsPath));
  const dir = (ctl: string) => {
    const m: CgroupMount | undefined = mounts.find((x) => x.fstype === 'cgroup' && x.controllers.includes(ctl));
    return m ? join(m.mountPoint, cgroupsPath) : null;
  };
  const at = (ctl: string, f: string) => {
    const d = dir(ctl);
    return d ? read(join(d, f)) : null;
  };
  const cpu = int(at('cpuacct', 'cpuacct.usage'));
  const usage = int(at('memory', 'memory.usage_in_bytes'));
  if (cpu === null && usage === null) return null;
  const mstat = keyed(at('memory', 'memory.stat'));
  const io = parseBlkioServiceBytes(at('blkio', 'blkio.throttle.io_service_bytes'));
  return {
    cpuNs: cpu ?? 0,
    memUsage: Math.max(0, (usage ?? 0) - (mstat.get('total_inactive_file') ?? 0)),
    memLimit: int(at('memory', 'memory.limit_in_bytes')),
    pids: int(at('pids', 'pids.current')) ?? 0,
    blkRead: io.read,
    blkWrite: io.write,
  };
}

function v2Stats(dir: string): CgroupStats | null {
  const at = (f: string) => read(join(dir, f));
  const cpu = keyed(at('cpu.stat'));
  const usage = int(at('memory.current'));
  if (!cpu.has('usage_usec') && usage === null) return null;
  const mstat = keyed(at('memory.stat'));
  const io = parseIoStat(at('io.stat'));
  return {
    cpuNs: (cpu.get('usage_usec') ?? 0) * 1000,
    memUsage: Math.max(0, (usage ?? 0) - (mstat.get('inactive_file') ?? 0)),
    memLimit: int(at('memory.max')),
    pids: int(at('pids.current')) ?? 0,
    blkRead: io.read,
    blkWrite: io.write,
  };
}

/** Network bytes of the namespace the process `pid` lives in. */
export function readNetStats(pid: number, env: StatsEnv = {}): { rx: number; tx: number } {
  return parseNetDev(read(join(env.procRoot ?? '/proc', String(pid), 'net/dev')));
}

/** The host's memory, the limit `stats` shows for a container without one. */
export function hostMemory(env: StatsEnv = {}): number {
  const m = /MemTotal:\s+(\d+)\s*kB/.exec(read(join(env.procRoot ?? '/proc', 'meminfo')) ?? '');
  return m ? Number(m[1]) * 1024 : 0;
}
