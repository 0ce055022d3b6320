// Facts about processes from /proc. A pid alone names nothing across time: pids are reused,
// so berth records (pid, start time, boot id) and trusts a pid only while all three match.
import { readFileSync } from 'node:fs';

export interface ProcFs {
  /** Defaults to /proc; tests point it at a temp dir. */
  root?: string;
}

const procRoot = (o?: ProcFs) => o?.root ?? '/proc';

/** True when a process with this pid exists (zombies count: they still hold the pid). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, it is just not ours to signal.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Field 22 of /proc/PID/stat (starttime, in clock ticks since boot). The command name (field 2)
 * may hold spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseStatStartTime(stat: string): number | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  // After ')' come fields 3.. ; starttime is field 22, i.e. index 19 of that list.
  const rest = stat.slice(close + 1).trim().split(/\s+/);
  const v = rest[19];
  if (v === undefined || !/^\d+$/.test(v)) return null;
  return Number(v);
}

/** null when the process is gone. */
export function processStartTime(pid: number, o?: ProcFs): number | null {
  try {
    return parseStatStartTime(readFileSync(`${procRoot(o)}/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
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
