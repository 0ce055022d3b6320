// update: new limits (memory, CPUs, cpuset, pids) and restart policy for a container, running
// or not. A live container's cgroup is rewritten by the runtime first; the record changes only
// once the runtime has taken the limits, so a refused update leaves both as they were. A stopped
// container gets them at its next start, since the bundle is rebuilt from the record each time.
import { invalid } from '../common/errors.js';
import { tx } from '../state/db.js';
import { replaceContainerSpec } from '../state/container-edits.js';
import type { LiveResources } from '../runtime/control.js';
import { lockContainer } from './lock.js';
import { isLive } from './lifecycle.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { checkResources, checkRootlessResources } from './resource-options.js';
import { type Container, lookup, reload } from './container-records.js';
import { reconcileOne } from './container-finalize.js';
import type { ContainerSpec, RestartPolicy } from './types.js';

/** What to change; absent fields keep their value. pidsLimit -1 lifts the limit. */
export interface UpdateRequest {
  memory?: number;
  cpus?: number;
  cpusetCpus?: string;
  pidsLimit?: number;
  memorySwap?: number;
  memoryReservation?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  blkioWeight?: number;
  restart?: RestartPolicy;
}

const PLAIN = ['memorySwap', 'memoryReservation', 'cpuShares', 'cpuPeriod', 'cpuQuota', 'blkioWeight'] as const;

const CPU_PERIOD_US = 100_000;

/** The spec after the update; pure, so the rules are tested without a container. */
export function updatedSpec(spec: ContainerSpec, u: UpdateRequest, name: string): ContainerSpec {
  if (u.restart !== undefined && u.restart.name !== 'no' && spec.autoRemove) {
    throw invalid('update.restart_autoremove', `cannot update container ${name}: a restart policy cannot be set on a container started with --rm`);
  }
  const r = { ...spec.resources };
  if (u.memory !== undefined) r.memory = u.memory;
  if (u.cpus !== undefined) r.cpus = u.cpus;
  if (u.cpusetCpus !== undefined) r.cpusetCpus = u.cpusetCpus;
  if (u.pidsLimit !== undefined) {
    if (u.pidsLimit <= 0) delete r.pidsLimit;
    else r.pidsLimit = u.pidsLimit;
  }
  for (const k of PLAIN) if (u[k] !== undefined) r[k] = u[k];
  return { ...spec, resources: r, ...(u.restart !== undefined ? { restart: u.restart } : {}) };
}

/** The runtime's view of the change: only the limits the user named. */
export function liveResources(u: UpdateRequest, spec?: ContainerSpec): LiveResources {
  const out: LiveResources = {};
  // Docker's default --memory-swap is twice --memory, as at create; the kernel (v1) wants the
  // limit and swap written together, so a swap change takes the limit along.
  const limit = u.memory ?? (u.memorySwap !== undefined ? spec?.resources.memory : undefined);
  if (limit !== undefined) out.memory = { limit, swap: u.memorySwap ?? spec?.resources.memorySwap ?? limit * 2 };
  if (u.memoryReservation !== undefined) out.memory = { ...out.memory, reservation: u.memoryReservation };
  if (u.cpus !== undefined || u.cpusetCpus !== undefined || u.cpuShares !== undefined || u.cpuPeriod !== undefined || u.cpuQuota !== undefined) {
    out.cpu = {
      ...(u.cpus !== undefined ? { quota: Math.round(u.cpus * CPU_PERIOD_US), period: CPU_PERIOD_US } : {}),
      ...(u.cpuPeriod !== undefined ? { period: u.cpuPeriod } : {}),
      ...(u.cpuQuota !== undefined ? { quota: u.cpuQuota } : {}),
      ...(u.cpuShares !== undefined ? { shares: u.cpuShares } : {}),
      ...(u.cpusetCpus !== undefined ? { cpus: u.cpusetCpus } : {}),
    };
  }
  if (u.blkioWeight !== undefined) out.blockIO = { weight: u.blkioWeight };
  if (u.pidsLimit !== undefined) out.pids = { limit: u.pidsLimit <= 0 ? -1 : u.pidsLimit };
  return out;
}

export function updateContainer(ctx: EngineContext, ref: string, u: UpdateRequest): Container {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    const spec = updatedSpec(c.spec, u, c.name);
    if (hostOf(ctx).rootless()) checkRootlessResources(spec.resources);
    checkResources(spec.resources, u.blkioWeight !== undefined ? hostOf(ctx).resourceHost() : { blkioWeight: true, oomScoreAdj: 0, capSysResource: true });
    const live = liveResources(u, spec);
    if (isLive(c.status) && Object.keys(live).length > 0) {
      const host = hostOf(ctx);
      const runtime = host.chooseRuntime(c.spec.runtime);
      host.updateResources(runtime, runtimeRoot(ctx, runtime.name), c.id, live);
    }
    tx(ctx.db, () => replaceContainerSpec(ctx.db, c.id, spec));
    return reload(ctx, c.id);
  } finally {
    lock.release();
  }
}
