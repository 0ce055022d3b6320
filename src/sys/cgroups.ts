// Cgroup files, read back and cleaned up. runc creates and writes the cgroups; berth only needs
// to know the layout (v1, hybrid or v2), to read values back for `inspect` and tests, and to
// remove what a crashed container leaves behind. Everything takes its /proc root as an option
// so tests point it at a temp dir laid out like the real thing.
import { existsSync, readFileSync, readdirSync, rmdirSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

export interface CgroupEnv {
  /** Defaults to /proc. mountinfo is read from <procRoot>/self/mountinfo. */
  procRoot?: string;
}

export interface CgroupMount {
  /** 'cgroup' (v1) or 'cgroup2'. */
  fstype: string;
  mountPoint: string;
  /** The hierarchy path mounted there ("/" unless we are inside someone's cgroup namespace). */
  root: string;
  /** v1 controllers and named hierarchies ("name=systemd"); empty for cgroup2. */
  controllers: string[];
}

const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(Number.parseInt(o, 8)));

/** The cgroup and cgroup2 mounts listed in a mountinfo file, in order. */
export function parseCgroupMounts(mountinfo: string): CgroupMount[] {
  const out: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const pre = line.slice(0, sep).split(' ');
    const post = line.slice(sep + 3).split(' ');
    const fstype = post[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') continue;
    const root = pre[3];
    const mountPoint = pre[4];
    if (root === undefined || mountPoint === undefined) continue;
    const superOpts = (post[2] ?? '').split(',');
    const controllers = fstype === 'cgroup' ? superOpts.filter((o) =>
      o !== 'rw' && o !== 'ro' && !o.startsWith('release_agent=') && o !== 'clone_children' && o !== 'noprefix' && o !== 'xattr'
    ) : [];
    out.push({ fstype, mountPoint: unescapeMount(mountPoint), root: unescapeMount(root), controllers });
  }
  return out;
}

export function modeFromMounts(mounts: CgroupMount[], base = '/sys/fs/cgroup'): CgroupMode {
  if (mounts.some((m) => m.fstype === 'cgroup2' && m.mountPoint === base)) return 'v2';
  const v1 = mounts.some((m) => m.fstype === 'cgroup' && m.controllers.some((c) => !c.startsWith('name=')));
  const unified = mounts.some((m) => m.fstype === 'cgroup2');
  if (v1 && unified) return 'hybrid';
  if (v1) return 'v1';
  if (unified) return 'v2';
  throw new Error('no cgroup filesystem is mounted');
}

function mountinfo(env?: CgroupEnv): CgroupMount[] {
  return parseCgroupMounts(readFileSync(join(env?.procRoot ?? '/proc', 'self/mountinfo'), 'utf8'));
}

export function cgroupMode(env?: CgroupEnv): CgroupMode {
  return (env === undefined ? modeFromStatfs() : undefined) ?? modeFromMounts(mountinfo(env));
}

const CGROUP2_SUPER_MAGIC = 0x63677270;
const TMPFS_MAGIC = 0x01021994;
const CGROUP_SUPER_MAGIC = 0x27e0eb;

/**
 * The usual layouts told by two statfs calls instead of parsing every mount: cgroup2 at
 * /sys/fs/cgroup is v2; a tmpfs of v1 hierarchies (a memory controller among them) with
 * systemd's cgroup2 at unified/ is hybrid. Anything else is left to the mount table.
 */
function modeFromStatfs(): CgroupMode | undefined {
  try {
    const base = statfsSync('/sys/fs/cgroup').type;
    if (base === CGROUP2_SUPER_MAGIC) return 'v2';
    if (base === TMPFS_MAGIC && statfsSync('/sys/fs/cgroup/unified').type === CGROUP2_SUPER_MAGIC
      && statfsSync('/sys/fs/cgroup/memory').type === CGROUP_SUPER_MAGIC) return 'hybrid';
  } catch {
    // No unified/ (plain v1) or no /sys/fs/cgroup: the mount table decides.
  }
  return undefined;
}

export interface ProcCgroupEntry {
  hierarchy: number;
  /** Empty for the v2 entry ("0::/path"). */
  controllers: string[];
  path: string;
}

export function parseProcCgroup(text: string): ProcCgroupEntry[] {
  const out: ProcCgroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const ctl = line.slice(a + 1, b);
    out.push({ hierarchy: Number(line.slice(0, a)), controllers: ctl ? ctl.split(',') : [], path: line.slice(b + 1) });
  }
  return out;
}

/** Host directory of a hierarchy path, given where (and which root of) that hierarchy is mounted. */
function dirOf(m: CgroupMount, path: string): string | null {
  const root = m.root === '/' ? '' : m.root;
  if (root && path !== root && !path.startsWith(`${root}/`)) return null;
  return join(m.mountPoint, path.slice(root.length));
}

export interface BlkioThrottle {
  /** Lines "MAJ:MIN VALUE", as in v1's blkio.throttle.* files (v2's io.max is converted). */
  readBps: string[];
  writeBps: string[];
  readIops: string[];
  writeIops: string[];
}

export interface CgroupValues {
  /** null = unlimited. */
  memoryLimit: number | null;
  /** null = no quota. */
  cpuQuota: number | null;
  cpuPeriod: number | null;
  cpusetCpus: string | null;
  /** null = max. */
  pidsMax: number | null;
  blkio: BlkioThrottle;
}

const readOr = (file: string): string | null => {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return null;
  }
};

// v1 reports "no limit" as the largest page-aligned int64; anything that big is unlimited.
const UNLIMITED_FLOOR = 2 ** 62;

function num(v: string | null): number | null {
  if (v === null || v === '' || v === 'max' || v === '-1') return null;
  const n = Number(v);
  if (!Number.isFinite(n) || n >= UNLIMITED_FLOOR) return null;
  return n;
}

const lines = (v: string | null) => (v ? v.split('\n').map((l) => l.trim()).filter((l) => l.length > 0) : []);

/** Converts io.max lines ("8:0 rbps=1 wbps=max riops=max wiops=max") to v1's per-file shape. */
export function ioMaxToThrottle(ioMax: string): BlkioThrottle {
  const t: BlkioThrottle = { readBps: [], writeBps: [], readIops: [], writeIops: [] };
  const keys: Record<string, keyof BlkioThrottle> = { rbps: 'readBps', wbps: 'writeBps', riops: 'readIops', wiops: 'writeIops' };
  for (const line of lines(ioMax)) {
    const [dev, ...kvs] = line.split(/\s+/);
    for (const kv of kvs) {
      const [k, v] = kv.split('=');
      const field = k === undefined ? undefined : keys[k];
      if (field && v !== undefined && v !== 'max') t[field].push(`${dev} ${v}`);
    }
  }
  return t;
}

/** The limits in force for a process's cgroups, read from whichever hierarchy holds each controller. */
export function readCgroupValues(pid: number, env?: CgroupEnv): CgroupValues {
  const procRoot = env?.procRoot ?? '/proc';
  const entries = parseProcCgroup(readFileSync(join(procRoot, String(pid), 'cgroup'), 'utf8'));
  const mounts = mountinfo(env);
  const mode = modeFromMounts(mounts);
  const v1Dir = (controller: string): string | null => {
    const e = entries.find((x) => x.controllers.includes(controller));
    const m = mounts.find((x) => x.fstype === 'cgroup' && x.controllers.includes(controller));
    return e && m ? dirOf(m, e.path) : null;
  };
  const v2Entry = entries.find((x) => x.hierarchy === 0 && x.controllers.length === 0);
  const v2Mount = mounts.find((x) => x.fstype === 'cgroup2');
  const v2Dir = v2Entry && v2Mount ? dirOf(v2Mount, v2Entry.path) : null;

  if (mode === 'v2') {
    const at = (f: string) => (v2Dir ? readOr(join(v2Dir, f)) : null);
    const [quota, period] = (at('cpu.max') ?? '').split(/\s+/);
    return {
      memoryLimit: num(at('memory.max')),
      cpuQuota: num(quota ?? null),
      cpuPeriod: num(period ?? null),
      cpusetCpus: at('cpuset.cpus') || null,
      pidsMax: num(at('pids.max')),
      blkio: ioMaxToThrottle(at('io.max') ?? ''),
    };
  }
  const at = (controller: string, f: string) => {
    const d = v1Dir(controller);
    return d ? readOr(join(d, f)) : null;
  };
  return {
    memoryLimit: num(at('memory', 'memory.limit_in_bytes')),
    cpuQuota: num(at('cpu', 'cpu.cfs_quota_us')),
    cpuPeriod: num(at('cpu', 'cpu.cfs_period_us')),
    cpusetCpus: at('cpuset', 'cpuset.cpus') || null,
    pidsMax: num(at('pids', 'pids.max')),
    blkio: {
      readBps: lines(at('blkio', 'blkio.throttle.read_bps_device')),
      writeBps: lines(at('blkio', 'blkio.throttle.write_bps_device')),
      readIops: lines(at('blkio', 'blkio.throttle.read_iops_device')),
      writeIops: lines(at('blkio', 'blkio.throttle.write_iops_device')),
    },
  };
}

/**
 * Every directory runc may have made for an absolute cgroupsPath: one per mounted hierarchy
 * (v1 controllers, named ones, and the unified one on hybrid hosts). They may not all exist.
 */
export function cgroupDirsFor(cgroupsPath: string, env?: CgroupEnv): string[] {
  if (!cgroupsPath.startsWith('/') || cgroupsPath.replace(/\/+$/, '') === '' || cgroupsPath.split('/').includes('..'))
    throw new Error(`cgroups path ${cgroupsPath} must be absolute and plain`);
  const seen = new Set<string>();
  for (const m of mountinfo(env)) {
    // runc resolves an absolute cgroupsPath from the hierarchy's root, whatever our own cgroup is.
    seen.add(join(m.mountPoint, cgroupsPath));
  }
  return [...seen];
}

export interface RemoveResult {
  removed: string[];
  /** Still holding processes after the retries; the caller should kill them and try again. */
  busy: string[];
}

const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** rmdir a cgroup and any child cgroups, deepest first. ENOENT is success. */
function rmTree(dir: string, res: RemoveResult, retries: number): void {
  let children: string[];
  try {
    children = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(dir, d.name));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  for (const c of children) rmTree(c, res, retries);
  for (let attempt = 0;; attempt++) {
    try {
      rmdirSync(dir);
      res.removed.push(dir);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      // EBUSY: a process is still inside, often one that is exiting right now; give it a moment.
      if (code === 'EBUSY' && attempt < retries) {
        sleepSync(20);
        continue;
      }
      if (code === 'EBUSY') {
        res.busy.push(dir);
        return;
      }
      throw e;
    }
  }
}

/** Removes the leftovers of a container's cgroups in every hierarchy. Never touches parents. */
export function removeCgroup(cgroupsPath: string, env?: CgroupEnv & { retries?: number }): RemoveResult {
  const res: RemoveResult = { removed: [], busy: [] };
  for (const d of cgroupDirsFor(cgroupsPath, env)) rmTree(d, res, env?.retries ?? 100);
  return res;
}

/** Whether runc can set a block I/O weight here: it writes the first of these that exists. */
export function blkioWeightSupported(): boolean {
  if (cgroupMode() === 'v2') {
    // The root cgroup has no io.weight: the io controller being enabled is what tells.
    try {
      return readFileSync('/sys/fs/cgroup/cgroup.subtree_control', 'utf8').split(/\s+/).includes('io');
    } catch {
      return false;
    }
  }
  return ['/sys/fs/cgroup/blkio/blkio.weight', '/sys/fs/cgroup/blkio/blkio.bfq.weight'].some((f) => existsSync(f));
}
