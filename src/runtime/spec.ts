// From a container's characteristics to the OCI config.json runc reads. Pure: the same input
// always gives the same spec, so every default below is pinned by a unit test rather than by
// a trip through the kernel. The defaults are Docker's (moby oci/defaults.go), because users
// compare what works in a berth container with what works under Docker.
import type { BindMount, OciCapabilities, SecurityInput, TmpfsMount, OciDeviceRule, OciMount, OciNamespace, OciResources, OciRlimit, OciSpec,
  SpecInput } from './types.js';

export const OCI_VERSION = '1.0.2';
export const CPU_PERIOD_US = 100_000;
/** Docker raises NOFILE to this in containers; we stop lower when the caller's hard cap is lower. */
export const DEFAULT_NOFILE = 1_048_576;
export const SHM_SIZE_BYTES = 64 * 1024 * 1024;

export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * Docker's: a privileged container may write /sys and its cgroups. A user namespace may mount
 * sysfs only in a network namespace it owns; in one made before it (a bridge network, or the
 * host's) /sys is a bind of the host's instead, as Podman does.
 */
function defaultMounts(privileged: boolean, bindSys: boolean, shmSize = SHM_SIZE_BYTES): OciMount[] {
  const ro = privileged ? 'rw' : 'ro';
  const sys: OciMount = bindSys
    ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'rprivate', 'nosuid', 'noexec', 'nodev', ro] }
    : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ro] };
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    sys,
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [ro, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${shmSize}`] },
  ];
}

const charDev = (major: number, minor: number | undefined, access = 'rwm'): OciDeviceRule =>
  minor === undefined ? { allow: true, type: 'c', major, access } : { allow: true, type: 'c', major, minor, access };

/** Deny everything, then allow mknod of any node (harmless without access) and the usual char devices. */
export function defaultDeviceRules(): OciDeviceRule[] {
  return [
    { allow: false, access: 'rwm' },
    { allow: true, type: 'c', access: 'm' },
    { allow: true, type: 'b', access: 'm' },
    charDev(1, 3), // null
    charDev(1, 5), // zero
    charDev(1, 7), // full
    charDev(1, 8), // random
    charDev(1, 9), // urandom
    charDev(5, 0), // tty
    charDev(5, 1), // console
    charDev(5, 2), // ptmx
    charDev(136, undefined), // pts/*
  ];
}

function normalizeDest(p: string): string {
  const trimmed = p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return trimmed === '' ? '/' : trimmed;
}

function bindMount(m: BindMount): OciMount {
  const options = ['rbind', m.propagation ?? 'rprivate'];
  if (m.readonly) options.push('ro');
  return { destination: normalizeDest(m.destination), type: 'bind', source: m.source, options };
}

/** Docker's defaults for --tmpfs come first, so that the user's own options override them. */
function tmpfsMount(t: TmpfsMount): OciMount {
  return { destination: normalizeDest(t.destination), type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', ...t.options] };
}

/**
 * A user mount replaces a default one at the same destination (as `-v /x:/dev/shm` does in
 * Docker). User mounts go parents first so a bind at /a/b is not hidden by a later one at /a.
 */
function mergeMounts(user: BindMount[], tmpfs: TmpfsMount[], defaults: OciMount[]): OciMount[] {
  const binds = [...tmpfs.map(tmpfsMount), ...user.map(bindMount)];
  const taken = new Set(binds.map((m) => m.destination));
  const depth = (m: OciMount) => (m.destination === '/' ? 0 : m.destination.split('/').length);
  const sorted = binds
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m) - depth(b.m) || a.i - b.i)
    .map((x) => x.m);
  return [...defaults.filter((m) => !taken.has(m.destination)), ...sorted];
}

/** Its own namespace, the host's (none in the spec), or another's path to join. */
function shared(type: 'pid' | 'ipc', v: SpecInput['pidNamespace']): OciNamespace[] {
  if (v === undefined) return [{ type }];
  return v.mode === 'host' ? [] : [{ type, path: v.path }];
}

function namespaces(input: SpecInput): OciNamespace[] {
  const ns: OciNamespace[] = shared('pid', input.pidNamespace);
  switch (input.network.mode) {
    case 'none':
      ns.push({ type: 'network' });
      break;
    case 'path':
      ns.push({ type: 'network', path: input.network.path });
      break;
    case 'host':
      break;
    default: {
      const never: never = input.network;
      throw new Error(`unknown network mode ${JSON.stringify(never)}`);
    }
  }
  ns.push(...shared('ipc', input.ipcNamespace), { type: 'uts' }, { type: 'mount' });
  if (input.privateCgroupNamespace) ns.push({ type: 'cgroup' });
  if (input.idMappings) ns.push({ type: 'user' });
  return ns;
}

/** Docker gives root the default set; other users keep it only in the bounding set (moby CVE-2022-24769 fix). */
function capabilities(uid: number, set: readonly string[]): OciCapabilities {
  const caps = [...set];
  const granted = uid === 0 ? caps : [];
  return { bounding: caps, effective: [...granted], permitted: [...granted], inheritable: [], ambient: [] };
}

function rlimits(cap: SpecInput['rlimitsHardCap'], user: readonly OciRlimit[] = []): OciRlimit[] {
  const nofile = Math.min(DEFAULT_NOFILE, cap.nofile);
  const out = new Map<string, OciRlimit>([['RLIMIT_NOFILE', { type: 'RLIMIT_NOFILE', hard: nofile, soft: nofile }]]);
  for (const r of user) out.set(r.type, { ...r });
  return [...out.values()];
}

function resources(r: SpecInput['resources'], privileged: boolean): OciResources {
  const out: OciResources = { devices: privileged ? [{ allow: true, access: 'rwm' }] : defaultDeviceRules() };
  const memory: NonNullable<OciResources['memory']> = {};
  if (r.memoryBytes !== undefined) {
    memory.limit = r.memoryBytes;
    // Docker's default --memory-swap is twice --memory.
    memory.swap = r.memorySwap ?? r.memoryBytes * 2;
  }
  if (r.memoryReservation !== undefined) memory.reservation = r.memoryReservation;
  if (Object.keys(memory).length > 0) out.memory = memory;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpus !== undefined) {
    cpu.quota = Math.round(r.cpus * CPU_PERIOD_US);
    cpu.period = CPU_PERIOD_US;
  }
  if (r.cpuPeriod !== undefined) cpu.period = r.cpuPeriod;
  if (r.cpuQuota !== undefined) cpu.quota = r.cpuQuota;
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  if (r.cpusetCpus !== undefined) cpu.cpus = r.cpusetCpus;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit };
  const b = r.blkio;
  if (r.blkioWeight !== undefined) out.blockIO = { weight: r.blkioWeight };
  if (b && b.readBps.length + b.writeBps.length + b.readIops.length + b.writeIops.length > 0) {
    const blockIO: NonNullable<OciResources['blockIO']> = { ...out.blockIO };
    if (b.readBps.length) blockIO.throttleReadBpsDevice = b.readBps.map((d) => ({ ...d }));
    if (b.writeBps.length) blockIO.throttleWriteBpsDevice = b.writeBps.map((d) => ({ ...d }));
    if (b.readIops.length) blockIO.throttleReadIOPSDevice = b.readIops.map((d) => ({ ...d }));
    if (b.writeIops.length) blockIO.throttleWriteIOPSDevice = b.writeIops.map((d) => ({ ...d }));
    out.blockIO = blockIO;
  }
  return out;
}

/** Throws a plain Error for inputs only a bug produces; user input is validated before this. */
function checkInput(input: SpecInput): void {
  if (input.args.length === 0) throw new Error(`container ${input.id}: empty command`);
  if (!input.cwd.startsWith('/')) throw new Error(`container ${input.id}: cwd ${input.cwd} is not absolute`);
  for (const m of [...input.mounts, ...(input.tmpfs ?? [])]) {
    if (!m.destination.startsWith('/')) throw new Error(`container ${input.id}: mount destination ${m.destination} is not absolute`);
  }
}

export function buildSpec(input: SpecInput): OciSpec {
  checkInput(input);
  const sec: SecurityInput = input.security ?? {};
  const privileged = sec.privileged === true;
  const user: OciSpec['process']['user'] = { uid: input.user.uid, gid: input.user.gid };
  if (input.user.additionalGids.length > 0) user.additionalGids = [...input.user.additionalGids];
  const spec: OciSpec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: input.terminal,
      user,
      args: [...input.args],
      env: [...input.env],
      cwd: input.cwd,
      capabilities: capabilities(input.user.uid, sec.capabilities ?? DEFAULT_CAPABILITIES),
      rlimits: rlimits(input.rlimitsHardCap, input.rlimits),
      noNewPrivileges: sec.noNewPrivileges === true,
      oomScoreAdj: input.oomScoreAdj ?? 0,
    },
    root: { path: input.rootfs, readonly: input.readonly },
    hostname: input.hostname,
    ...(input.domainname ? { domainname: input.domainname } : {}),
    mounts: mergeMounts(input.mounts, input.tmpfs ?? [],
      defaultMounts(privileged, input.idMappings !== undefined && input.network.mode !== 'none', input.shmSize)),
    linux: {
      namespaces: namespaces(input),
      resources: resources(input.resources, privileged),
      ...(input.cgroupsPath !== undefined ? { cgroupsPath: input.cgroupsPath } : {}),
      maskedPaths: privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: privileged ? [] : [...READONLY_PATHS],
    },
  };
  const devices = [...(sec.devices ?? []), ...(input.devices ?? []).map((d) => d.device)];
  if (devices.length > 0) spec.linux.devices = devices.map((d) => ({ ...d }));
  if (!privileged) {
    for (const { device: d, access } of input.devices ?? [])
      spec.linux.resources.devices.push({ allow: true, type: d.type, major: d.major, minor: d.minor, access });
  }
  if (input.idMappings) {
    spec.linux.uidMappings = input.idMappings.uid.map((m) => ({ ...m }));
    spec.linux.gidMappings = input.idMappings.gid.map((m) => ({ ...m }));
  }
  if (input.seccomp) spec.linux.seccomp = input.seccomp;
  // runc before 1.2 ignores the domainname field; the UTS namespace's sysctl sets it with every runtime.
  const sysctl = { ...(input.domainname ? { 'kernel.domainname': input.domainname } : {}), ...input.sysctl };
  if (Object.keys(sysctl).length > 0) spec.linux.sysctl = sysctl;
  if (input.annotations && Object.keys(input.annotations).length > 0) spec.annotations = { ...input.annotations };
  return spec;
}
