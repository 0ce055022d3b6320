// Facts about processes from /proc. A pid alone names nothing across time: pids are reused,
// so berth records (pid, start time, boot id) and trusts a pid only while all three match.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

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

export interface ProcStat {
  state: string;
  startTime: number;
}

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

/**
 * Test hook, read here and nowhere else: BERTH_TEST_BOOT_ID="ID[@UNIX_SECONDS]" stands in for the
 * kernel's boot id (and the boot's start time), so that a test can simulate a reboot, which it
 * cannot cause. Never set it outside tests: records would be judged against a boot that is not
 * the host's.
 */
function testBoot(): { id: string; time: number | undefined } | undefined {
  const v = process.env.BERTH_TEST_BOOT_ID;
  if (!v) return undefined;
  const at = v.indexOf('@');
  if (at < 0) return { id: v, time: undefined };
  const t = Number(v.slice(at + 1));
  return { id: v.slice(0, at), time: Number.isFinite(t) ? t : undefined };
}

export function bootId(o?: ProcFs): string {
  const t = o ? undefined : testBoot();
  if (t) return t.id;
  return readFileSync(`${procRoot(o)}/sys/kernel/random/boot_id`, 'utf8').trim();
}

/** The "btime" line of /proc/stat: when this boot began, in seconds since the epoch. */
export function parseBootTime(stat: string): number | null {
  const m = /^btime\s+(\d+)$/m.exec(stat);
  return m ? Number(m[1]) : null;
}

/** When this boot began (the test hook's time when it gives one); null when unknown. */
export function bootTime(o?: ProcFs): Date | null {
  const t = o ? undefined : testBoot();
  if (t?.time !== undefined) return new Date(t.time * 1000);
  try {
    const s = parseBootTime(readFileSync(`${procRoot(o)}/stat`, 'utf8'));
    return s === null ? null : new Date(s * 1000);
  } catch {
    return null;
  }
}

export interface ProcessInfo {
  pid: number;
  state: string;
  startTime: number;
  cmdline: string[];
}

/**
 * The mount namespace a process's paths resolve in ("mnt:[4026531841]"), null when unreadable.
 * A conmon or aardvark-dns of berth run inside a container (docs/nested.md) names paths such as
 * /var/lib/berth that are another filesystem's, and so another root's, than ours.
 */
export function mountNamespace(pid: number | 'self', o?: ProcFs): string | null {
  try {
    return readlinkSync(`${procRoot(o)}/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Every live process (zombies left out) with its command line, for finding orphans by their arguments. */
export function listProcesses(o?: ProcFs): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  let entries: string[];
  try {
    entries = readdirSync(procRoot(o));
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    const st = procStat(pid, o);
    if (st === null || ENDED.has(st.state)) continue;
    try {
      const cmdline = readFileSync(`${procRoot(o)}/${e}/cmdline`, 'utf8').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
      out.push({ pid, state: st.state, startTime: st.startTime, cmdline });
    } catch {
      // It ended while we looked.
    }
  }
  return out;
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

/** /proc/self/limits' labels by the names --ulimit takes. */
const LIMIT_LABELS: Record<string, string> = {
  as: 'Max address space',
  core: 'Max core file size',
  cpu: 'Max cpu time',
  data: 'Max data size',
  fsize: 'Max file size',
  locks: 'Max file locks',
  memlock: 'Max locked memory',
  msgqueue: 'Max msgqueue size',
  nice: 'Max nice priority',
  nofile: 'Max open files',
  nproc: 'Max processes',
  rss: 'Max resident set',
  rtprio: 'Max realtime priority',
  rttime: 'Max realtime timeout',
  sigpending: 'Max pending signals',
  stack: 'Max stack size',
};

/** Every hard limit of ours by --ulimit name; "unlimited" is Infinity. A container cannot go above them without CAP_SYS_RESOURCE. */
export function parseAllHardLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, label] of Object.entries(LIMIT_LABELS)) {
    const line = text.split('\n').find((l) => l.startsWith(label));
    const h = line?.slice(label.length).trim().split(/\s+/)[1];
    if (h === 'unlimited') out[name] = Infinity;
    else if (h !== undefined && /^\d+$/.test(h)) out[name] = Number(h);
  }
  return out;
}

export function allHardRlimits(o?: ProcFs): Record<string, number> {
  return parseAllHardLimits(readFileSync(`${procRoot(o)}/self/limits`, 'utf8'));
}

/** Our own oom_score_adj, and whether we hold CAP_SYS_RESOURCE (bit 24 of CapEff), which going below it needs. */
export function oomFloor(o?: ProcFs): { oomScoreAdj: number; capSysResource: boolean } {
  const adj = Number(readFileSync(`${procRoot(o)}/self/oom_score_adj`, 'utf8').trim());
  const eff = /^CapEff:\s*([0-9a-f]+)/m.exec(readFileSync(`${procRoot(o)}/self/status`, 'utf8'))?.[1] ?? '0';
  return { oomScoreAdj: Number.isInteger(adj) ? adj : 0, capSysResource: (BigInt(`0x${eff}`) & (1n << 24n)) !== 0n };
}
