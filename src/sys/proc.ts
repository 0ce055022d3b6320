// Facts about processes from /proc. A pid alone names nothing across time: pids are reused,
// so berth records (pid, start time, boot id) and trusts a pid only while all three match.
import { readFileSync } from 'node:fs';

export interface ProcFs {
  /** Defaults to /proc; tests point it at a temp dir. */
  root?: string;
}

const procRoot = (o?: ProcFs) => o?.root ?? '/proc';

/**
 * True when a process with this pid exists and has not ended. A zombie has ended: it only holds
 * its pid until a parent reaps it, and when its parent (conmon) died first and pid 1 does not reap
 * orphans, that is forever. kill(pid, 0) succeeds on a zombie, so the state is read from /proc.
 */
export function pidAlive(pid: number, o?: ProcFs): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const st = procStat(pid, o);
  return st !== null && !ENDED.has(st.state);
}

/**
 * The pid is alive and is still the process that was recorded: pids are reused, so a recorded
 * start time (clock ticks since boot, processStartTime) must match when it is known.
 */
export function sameProcessAlive(pid: number, startTime: number | null | undefined, o?: ProcFs): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  const st = procStat(pid, o);
  if (st === null || ENDED.has(st.state)) return false;
  return startTime === null || startTime === undefined || st.startTime === startTime;
}

// Z: zombie, X: dead (seen only in the instant before the entry goes).
const ENDED = new Set(['Z', 'X', 'x']);

export interface ProcStat { state: string; startTime: number }

/** Fields 3 (state) and 22 (starttime) of /proc/PID/stat, counted from the last ')'. */
export function parseStat(stat: string): ProcStat | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  const state = rest[0];
  const v = rest[19];
  if (state === undefined || v === undefined || !/^\d+$/.test(v)) return null;
  return { state, startTime: Number(v) };
}

/** null when the process is gone. */
export function procStat(pid: number, o?: ProcFs): ProcStat | null {
  try {
    return parseStat(readFileSync(`${procRoot(o)}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Field 22 of /proc/PID/stat (starttime, in clock ticks since boot). */
export function parseStatStartTime(stat: string): number | null {
  return parseStat(stat)?.startTime ?? null;
}

/** null when the process is gone. */
export function processStartTime(pid: number, o?: ProcFs): number | null {
  return procStat(pid, o)?.startTime ?? null;
}

export function bootId(o?: ProcFs): string {
  return readFileSync(`${procRoot(o)}/sys/kernel/random/boot_id`, 'utf8').trim();
}

export interface HardRlimits {
  nofile: number;
  nproc: number;
}

/** Parses /proc/PID/limits; "unlimited" becomes Number.MAX_SAFE_INTEGER. */
export function parseLimits(text: string): HardRlimits {
  const hard = (label: string): number => {
    const line = text.split('\n').find((l) => l.startsWith(label));
    if (!line) throw new Error(`limits: no "${label}" line`);
    const cols = line.slice(label.length).trim().split(/\s+/);
    const h = cols[1];
    if (h === 'unlimited') return Number.MAX_SAFE_INTEGER;
    if (h === undefined || !/^\d+$/.test(h)) throw new Error(`limits: bad "${label}" line: ${line}`);
    return Number(h);
  };
  return { nofile: hard('Max open files'), nproc: hard('Max processes') };
}

export function hardRlimits(o?: ProcFs): HardRlimits {
  return parseLimits(readFileSync(`${procRoot(o)}/self/limits`, 'utf8'));
}
