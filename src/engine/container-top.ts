// top: the container's processes (the runtime lists its cgroup's pids) as the host's ps shows them.
import { conflict } from '../common/errors.js';
import { containerPids } from '../runtime/control.js';
import { psOf, type PsTable } from '../sys/ps.js';
import { isLive } from './lifecycle.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { lookup } from './container-records.js';
import { reconcileOne } from './container-finalize.js';

export function topContainer(ctx: EngineContext, ref: string, psArgs: readonly string[]): PsTable {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  if (!isLive(c.status)) throw conflict('container.not_running', `container ${c.name} is not running`);
  const runtime = hostOf(ctx).chooseRuntime(c.spec.runtime);
  return psOf(containerPids(runtime, runtimeRoot(ctx, runtime.name), c.id), psArgs);
}
