// --memory-swap, --memory-reservation, --cpu-shares, --cpu-period, --cpu-quota, --blkio-weight,
// --oom-score-adj and --dns, --dns-search, --dns-option: parsed here in Docker's client terms;
// the ranges are the engine's (resource-options.ts), shared with the API and update.
import type { OptionDef, ParsedArgs } from '../args.js';
import { list, str } from '../args.js';
import { invalid } from '../../common/errors.js';
import { parseSize } from '../../common/units.js';
import type { CreateRequest, Resources } from '../../engine/types.js';
import { parseLogOpts } from '../../engine/index.js';

export const RESOURCE_RUN_FLAGS: OptionDef[] = [
  { long: 'memory-swap', type: 'string', description: "swap limit equal to memory plus swap: '-1' to enable unlimited swap" },
  { long: 'memory-reservation', type: 'string', description: 'memory soft limit (e.g. 32m)' },
  { long: 'cpu-shares', short: 'c', type: 'string', description: 'CPU shares (relative weight)' },
  { long: 'cpu-period', type: 'string', description: 'limit CPU CFS (Completely Fair Scheduler) period' },
  { long: 'cpu-quota', type: 'string', description: 'limit CPU CFS (Completely Fair Scheduler) quota' },
  { long: 'blkio-weight', type: 'string', description: 'block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
];

export const DNS_RUN_FLAGS: OptionDef[] = [
  { long: 'oom-score-adj', type: 'string', description: "tune the host's OOM preferences (-1000 to 1000)" },
  { long: 'dns', type: 'string', multiple: true, description: 'set custom DNS servers' },
  { long: 'dns-search', type: 'string', multiple: true, description: 'set custom DNS search domains' },
  { long: 'dns-option', type: 'string', multiple: true, description: 'set DNS options' },
  { long: 'log-opt', type: 'string', multiple: true, description: 'log driver options: max-size=SIZE (the log is truncated there), max-file=1' },
];

/** Docker's strconv errors: `invalid argument "x" for "--cpu-shares" flag`. */
export function parseIntFlag(text: string, flag: string): number {
  if (!/^[+-]?\d+$/.test(text.trim()))
    throw invalid('cli.bad_value', `invalid argument "${text}" for "${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(text.trim());
}

/** The resource flags that `update` takes too; only the given ones are set. */
export function resourceFlags(v: ParsedArgs['values']): Partial<Resources> {
  const out: Partial<Resources> = {};
  const ms = str(v['memory-swap']);
  if (ms !== undefined) out.memorySwap = ms.trim() === '-1' ? -1 : parseSize(ms, '--memory-swap');
  const mr = str(v['memory-reservation']);
  if (mr !== undefined) out.memoryReservation = parseSize(mr, '--memory-reservation');
  const cs = str(v['cpu-shares']);
  if (cs !== undefined) out.cpuShares = parseIntFlag(cs, '--cpu-shares');
  const cp = str(v['cpu-period']);
  if (cp !== undefined) out.cpuPeriod = parseIntFlag(cp, '--cpu-period');
  const cq = str(v['cpu-quota']);
  if (cq !== undefined) out.cpuQuota = parseIntFlag(cq, '--cpu-quota');
  const bw = str(v['blkio-weight']);
  if (bw !== undefined) {
    const n = parseIntFlag(bw, '--blkio-weight');
    if (n < 0 || n > 65535)
      throw invalid('cli.bad_value', `invalid argument "${bw}" for "--blkio-weight" flag: strconv.ParseUint: parsing "${bw}": value out of range`);
    if (n !== 0) out.blkioWeight = n;
  }
  // 0 is Docker's "not set" for the period, the quota and the shares.
  if (out.cpuPeriod === 0) delete out.cpuPeriod;
  if (out.cpuQuota === 0) delete out.cpuQuota;
  return out;
}

export function resourceRequest(v: ParsedArgs['values'], req: CreateRequest): void {
  Object.assign(req.resources, resourceFlags(v));
  const oom = str(v['oom-score-adj']);
  if (oom !== undefined) req.oomScoreAdj = parseIntFlag(oom, '--oom-score-adj');
  const dns = { servers: list(v.dns), search: list(v['dns-search']), options: list(v['dns-option']) };
  if (dns.servers.length + dns.search.length + dns.options.length > 0) req.dns = dns;
  const opts: Record<string, string> = {};
  for (const o of list(v['log-opt'])) {
    const i = o.indexOf('=');
    if (i <= 0) throw invalid('log_opt.bad', `invalid key value pair format in log-opt "${o}": expected KEY=VALUE`);
    opts[o.slice(0, i)] = o.slice(i + 1);
  }
  const logOpts = parseLogOpts(opts);
  if (logOpts) req.logOpts = logOpts;
}
