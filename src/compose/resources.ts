// The resources of a service: mem_limit, cpus, pids_limit, blkio_config and deploy. A memory
// reservation (mem_reservation, deploy.resources.reservations.memory) is the cgroup's soft limit,
// as `docker compose` makes it; a CPU reservation is recorded and shown, and means nothing
// without swarm's scheduler, as in Compose.
import { invalid } from '../common/errors.js';
import { parseCpuset } from '../common/units.js';
import { checkResources } from '../engine/index.js';
import type { DeviceRate, Resources } from '../engine/types.js';
import type { LimitKey, ServiceConfig } from './model.js';
import { DEPLOY_KEYS, DEPLOY_SWARM, RESTART_POLICY_KEYS } from './keys.js';
import { Reader, type Map_ } from './reader.js';

export function applyResources(r: Reader, s: Map_, p: string, out: ServiceConfig): void {
  const res: Resources = out.resources;
  // Compose's model keeps each limit where the file wrote it; the engine sees one value.
  const given: { service: LimitKey[]; deploy: LimitKey[] } = { service: [], deploy: [] };
  if (s.mem_limit !== undefined) res.memory = r.size(s.mem_limit, `${p}.mem_limit`);
  if (s.cpus !== undefined) res.cpus = r.cpus(s.cpus, `${p}.cpus`);
  if (s.pids_limit !== undefined) res.pidsLimit = r.int(s.pids_limit, `${p}.pids_limit`, 1);
  if (res.memory !== undefined) given.service.push('memory');
  if (res.cpus !== undefined) given.service.push('cpus');
  if (res.pidsLimit !== undefined) given.service.push('pids');
  if (s.cpuset !== undefined) {
    // The syntax here; whether this host has those CPUs is checkFeasible's question.
    const text = r.str(s.cpuset, `${p}.cpuset`);
    try {
      res.cpusetCpus = parseCpuset(text, Number.MAX_SAFE_INTEGER);
    } catch {
      throw r.fail(`${p}.cpuset`, `invalid CPU list "${text}": expected e.g. 0-1 or 0,2`);
    }
  }
  if (s.cpu_shares !== undefined) res.cpuShares = r.int(s.cpu_shares, `${p}.cpu_shares`, 0);
  if (s.cpu_period !== undefined) res.cpuPeriod = usec(r, s.cpu_period, `${p}.cpu_period`);
  if (s.cpu_quota !== undefined) res.cpuQuota = usec(r, s.cpu_quota, `${p}.cpu_quota`);
  if (s.memswap_limit !== undefined) {
    // -1 is unlimited swap, as Docker's --memory-swap.
    res.memorySwap = s.memswap_limit === -1 || s.memswap_limit === '-1' ? -1 : r.size(s.memswap_limit, `${p}.memswap_limit`);
  }
  if (s.mem_reservation !== undefined) out.reservations.memory = r.size(s.mem_reservation, `${p}.mem_reservation`);
  if (s.deploy !== undefined && s.deploy !== null) {
    const d = r.mapping(s.deploy, `${p}.deploy`);
    // Swarm's keys were warned about by keys.ts; they have no meaning on one machine.
    r.keys(d, `${p}.deploy`, [...DEPLOY_KEYS, ...DEPLOY_SWARM]);
    if (d.replicas !== undefined) out.replicas = r.int(d.replicas, `${p}.deploy.replicas`, 0);
    if (d.mode !== undefined) {
      const mode = r.str(d.mode, `${p}.deploy.mode`);
      if (mode !== 'replicated' && mode !== 'global') throw r.fail(`${p}.deploy.mode`, `"${mode}" is not one of replicated, global`);
      // global is one task per swarm node: on one machine, one replica.
      if (mode === 'global') out.replicas = 1;
    }
    if (d.restart_policy !== undefined && s.restart === undefined) out.restart = restartPolicy(r, d.restart_policy, `${p}.deploy.restart_policy`);
    if (d.resources !== undefined) {
      const rr = r.mapping(d.resources, `${p}.deploy.resources`);
      r.keys(rr, `${p}.deploy.resources`, ['limits', 'reservations']);
      if (rr.reservations !== undefined) {
        const rp = `${p}.deploy.resources.reservations`;
        const rv = r.mapping(rr.reservations, rp);
        r.keys(rv, rp, ['memory', 'cpus', 'pids', 'generic_resources']);
        if (rv.memory !== undefined) out.reservations.memory = r.size(rv.memory, `${rp}.memory`);
        if (rv.cpus !== undefined) out.reservations.cpus = r.cpus(rv.cpus, `${rp}.cpus`);
      }
      if (rr.limits !== undefined) {
        const lp = `${p}.deploy.resources.limits`;
        const l = r.mapping(rr.limits, lp);
        r.keys(l, lp, ['memory', 'cpus', 'pids']);
        const same = (key: string, a: number | undefined, b: number) => {
          if (a !== undefined && a !== b)
            throw r.fail(`${lp}.${key}`, `disagrees with the service's own ${key === 'memory' ? 'mem_limit' : key === 'pids' ? 'pids_limit' : key}`);
          return b;
        };
        if (l.memory !== undefined) res.memory = same('memory', res.memory, r.size(l.memory, `${lp}.memory`));
        if (l.cpus !== undefined) res.cpus = same('cpus', res.cpus, r.cpus(l.cpus, `${lp}.cpus`));
        if (l.pids !== undefined) res.pidsLimit = same('pids', res.pidsLimit, r.int(l.pids, `${lp}.pids`, 1));
        for (const k of ['memory', 'cpus', 'pids'] as const) if (l[k] !== undefined) given.deploy.push(k);
      }
    }
  }
  if (given.service.length > 0 || given.deploy.length > 0) out.limitsGiven = given;
  // As Compose does: a memory reservation is the soft limit; a CPU reservation is swarm's.
  if (out.reservations.memory !== undefined) res.memoryReservation = out.reservations.memory;
  if (res.memorySwap !== undefined && res.memory === undefined) {
    throw r.fail(`${p}.memswap_limit`, 'needs a memory limit', 'give mem_limit too: swap is limited together with memory');
  }
  // The engine's checks now, so that `up` refuses the file before it makes the first container;
  // whether this host has a blkio weight is create's question.
  try {
    checkResources(res, { blkioWeight: true, oomScoreAdj: -1000, capSysResource: true });
  } catch (e) {
    throw r.fail(p, (e as Error).message.replace(/, see usage$/, ''));
  }
  if (s.blkio_config !== undefined) {
    const bp = `${p}.blkio_config`;
    const b = r.mapping(s.blkio_config, bp);
    r.keys(b, bp, ['weight', 'device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops']);
    if (b.weight !== undefined) {
      const w = r.int(b.weight, `${bp}.weight`, 10);
      if (w > 1000) throw r.fail(`${bp}.weight`, 'must be from 10 to 1000');
      res.blkioWeight = w;
    }
    const rates = (key: string, iops: boolean): DeviceRate[] => {
      if (b[key] === undefined) return [];
      return r.list(b[key], `${bp}.${key}`).map((x, i) => {
        const ip = `${bp}.${key}[${i}]`;
        const m = r.mapping(x, ip);
        r.keys(m, ip, ['path', 'rate']);
        if (m.path === undefined || m.rate === undefined) throw r.fail(ip, 'needs a path and a rate');
        const path = r.str(m.path, `${ip}.path`);
        if (!path.startsWith('/')) throw r.fail(`${ip}.path`, `"${path}" must be an absolute device path`);
        return { path, rate: iops ? r.int(m.rate, `${ip}.rate`, 1) : r.size(m.rate, `${ip}.rate`) };
      });
    };
    res.blkio = {
      readBps: rates('device_read_bps', false),
      writeBps: rates('device_write_bps', false),
      readIops: rates('device_read_iops', true),
      writeIops: rates('device_write_iops', true),
    };
  }
}

/** cpu_period and cpu_quota: microseconds as a number, or a duration ("100ms") as Compose allows. */
function usec(r: Reader, v: unknown, path: string): number {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return r.int(v, path, 1000);
  const us = r.duration(v, path) * 1000;
  if (us < 1000) throw r.fail(path, 'must be at least 1ms');
  return us;
}

/** deploy.restart_policy as the engine's policy. */
function restartPolicy(r: Reader, v: unknown, path: string): string {
  const m = r.mapping(v, path);
  // delay and window were warned about by keys.ts.
  r.keys(m, path, RESTART_POLICY_KEYS);
  const cond = m.condition === undefined ? 'any' : r.str(m.condition, `${path}.condition`);
  const max = m.max_attempts === undefined ? undefined : r.int(m.max_attempts, `${path}.max_attempts`, 0);
  switch (cond) {
    case 'none':
      return 'no';
    case 'any':
      if (max !== undefined && max > 0)
        throw invalid('compose.unsupported', `${r.file}: ${path}.max_attempts: with condition any: not supported by berth`,
          'use condition: on-failure with max_attempts');
      return 'always';
    case 'on-failure':
      return max ? `on-failure:${max}` : 'on-failure';
    default:
      throw r.fail(`${path}.condition`, `"${cond}" is not one of none, on-failure, any`);
  }
}
