// --memory-swap, --memory-reservation, --cpu-shares, --cpu-period, --cpu-quota, --blkio-weight,
// --oom-score-adj and --dns*: Docker's daemon-side checks and messages, shared by the CLI, the API
// and update, so that every front refuses the same values in the same words before anything is made.
import { nodeNet } from '../common/lazy.js';
import { invalid } from '../common/errors.js';
import type { DnsSpec, LogOpts, Resources } from './types.js';
import { parseSize } from '../common/units.js';

const MIN_MEMORY = 6 * 1024 * 1024;

/** Host facts the checks depend on; read by the caller (src/sys), so the rules stay pure. */
export interface ResourceHost {
  /** Whether the blkio controller has a weight file (v1 blkio.weight or blkio.bfq.weight, v2 io.weight or io.bfq.weight). */
  blkioWeight: boolean;
  /** Our own oom_score_adj, and whether we may go below it (CAP_SYS_RESOURCE). */
  oomScoreAdj: number;
  capSysResource: boolean;
}

// The flag a user gave for each limit, named in rootless berth's refusal.
const LIMIT_FLAGS: [keyof Omit<Resources, 'blkio'>, string][] = [
  ['memory', '--memory'],
  ['memorySwap', '--memory-swap'],
  ['memoryReservation', '--memory-reservation'],
  ['cpus', '--cpus'],
  ['cpusetCpus', '--cpuset-cpus'],
  ['cpuShares', '--cpu-shares'],
  ['cpuPeriod', '--cpu-period'],
  ['cpuQuota', '--cpu-quota'],
  ['pidsLimit', '--pids-limit'],
  ['blkioWeight', '--blkio-weight'],
];

/**
 * Rootless berth may not write the host's cgroups, and on this hybrid host no cgroup v2 tree is
 * delegated to the user (systemd's Delegate=yes would do it), so a limit could not be kept: it is
 * refused rather than silently dropped, as Podman does on cgroup v1.
 */
export function checkRootlessResources(r: Resources): void {
  const b = r.blkio;
  const given = LIMIT_FLAGS.filter(([k]) => r[k] !== undefined).map(([, f]) => f);
  if (b.readBps.length) given.push('--device-read-bps');
  if (b.writeBps.length) given.push('--device-write-bps');
  if (b.readIops.length) given.push('--device-read-iops');
  if (b.writeIops.length) given.push('--device-write-iops');
  if (given.length === 0) return;
  throw invalid('resources.rootless', `${given.join(', ')}: rootless berth cannot set limits: cgroup v2 is not delegated to this user on this host`,
    'run without limits, or run berth as root');
}

export function checkResources(r: Resources, host: ResourceHost): void {
  const mem = r.memory;
  if (r.memorySwap !== undefined && r.memorySwap !== -1) {
    if (mem === undefined) throw invalid('memory_swap.no_memory', 'You should always set the Memory limit when using Memoryswap limit, see usage');
    if (r.memorySwap < mem) throw invalid('memory_swap.too_small', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (r.memoryReservation !== undefined) {
    if (r.memoryReservation < MIN_MEMORY) throw invalid('memory_reservation.too_small', 'Minimum memory reservation allowed is 6MB');
    if (mem !== undefined && mem < r.memoryReservation) {
      throw invalid('memory_reservation.above_limit', 'Minimum memory limit can not be less than memory reservation limit, see usage');
    }
  }
  if (r.cpus !== undefined && r.cpuPeriod !== undefined) throw invalid('cpus.conflict', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (r.cpus !== undefined && r.cpuQuota !== undefined) throw invalid('cpus.conflict', 'Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (r.cpuPeriod !== undefined && (r.cpuPeriod < 1000 || r.cpuPeriod > 1_000_000)) {
    throw invalid('cpu_period.range', 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (r.cpuQuota !== undefined && r.cpuQuota > 0 && r.cpuQuota < 1000) throw invalid('cpu_quota.range', 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (r.cpuShares !== undefined && r.cpuShares < 0) throw invalid('cpu_shares.range', `invalid CPU shares ${r.cpuShares}: must be positive`);
  if (r.blkioWeight !== undefined) {
    if (r.blkioWeight < 10 || r.blkioWeight > 1000) throw invalid('blkio_weight.range', 'Range of blkio weight is from 10 to 1000');
    // Docker discards it with a warning; berth refuses, so what inspect shows is what the cgroup has.
    if (!host.blkioWeight) {
      throw invalid('blkio_weight.unsupported', 'Your kernel does not support Block I/O weight or the cgroup is not mounted',
        "this host's blkio controller has no weight file (its I/O scheduler has none): leave out --blkio-weight");
    }
  }
}

/** Docker's cpu-shares clamp (the kernel's own bounds on v1; runc maps them to cpu.weight on v2). */
export function clampShares(r: Resources): Resources {
  if (r.cpuShares === undefined || r.cpuShares === 0) {
    const { cpuShares: _drop, ...rest } = r;
    return rest;
  }
  return { ...r, cpuShares: Math.min(262_144, Math.max(2, r.cpuShares)) };
}

export function checkOomScoreAdj(v: number, host: ResourceHost): void {
  if (!Number.isInteger(v) || v < -1000 || v > 1000) throw invalid('oom_score_adj.range', `Invalid value ${v}, range for oom score adj is [-1000, 1000]`);
  // Without CAP_SYS_RESOURCE the kernel refuses (EACCES) a value below the process's
  // oom_score_adj_min, which /proc does not show; our own value is never below it, so refusing
  // below ours errs on the safe side instead of letting runc fail at start.
  if (v < host.oomScoreAdj && !host.capSysResource) {
    throw invalid('oom_score_adj.below_own', `--oom-score-adj ${v}: below berth's own oom_score_adj (${host.oomScoreAdj})`,
      'going lower needs CAP_SYS_RESOURCE, which berth does not have here');
  }
}

export function checkDns(d: DnsSpec): DnsSpec | undefined {
  for (const s of d.servers) if (nodeNet().isIP(s) === 0) throw invalid('dns.bad', `${s} is not an ip address`);
  for (const s of d.search) {
    if (s !== '.' && !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(s)) {
      throw invalid('dns.bad', `invalid --dns-search ${JSON.stringify(s)}: expected a domain name`);
    }
  }
  for (const o of d.options) if (!/^[A-Za-z0-9_:.-]+$/.test(o)) throw invalid('dns.bad', `invalid --dns-option ${JSON.stringify(o)}`);
  return d.servers.length + d.search.length + d.options.length > 0 ? { servers: [...d.servers], search: [...d.search], options: [...d.options] } : undefined;
}

const LOG_KEYS = new Set(['max-size', 'max-file']);

/** Docker's json-file keys that berth can honour, as KEY=VALUE strings (CLI) or a map (API). */
export function parseLogOpts(opts: Record<string, string>): LogOpts | undefined {
  const out: LogOpts = {};
  for (const [k, v] of Object.entries(opts)) {
    if (!LOG_KEYS.has(k)) throw invalid('log_opt.unknown', `unknown log opt '${k}' for k8s-file log driver`, 'berth takes max-size and max-file');
    if (k === 'max-size') {
      const n = parseSize(v, '--log-opt max-size');
      if (n > 0) out.maxSize = n;
    } else {
      if (!/^\d+$/.test(v)) throw invalid('log_opt.bad', `invalid value for max-file: ${v}`);
      const n = Number(v);
      if (n < 1) throw invalid('log_opt.bad', 'max-file cannot be less than 1');
      // conmon truncates at its size limit instead of rotating: berth keeps the one file, never fakes more.
      if (n > 1) {
        throw invalid('log_opt.max_file', `--log-opt max-file=${n}: berth keeps one log file (conmon truncates it at max-size rather than rotating it)`,
          'give max-file=1, or leave it out');
      }
      out.maxFile = n;
    }
  }
  // Docker's max-file means nothing without max-size.
  if (out.maxSize === undefined) delete out.maxFile;
  return Object.keys(out).length > 0 ? out : undefined;
}
