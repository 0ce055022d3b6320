// pause and unpause: every process of the container frozen by the runtime (the cgroup freezer,
// v1 or v2) and thawed again. The record says "paused" in between; stop, kill and rm -f thaw
// it first (container-stop.ts).
import { invalid } from '../common/errors.js';
import { tx } from '../state/db.js';
import { updateContainer } from '../state/containers.js';
import { lockContainer } from './lock.js';
import { mustBe } from './lifecycle.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { type Container, lookup, reload } from './container-records.js';
import { reconcileOne } from './container-finalize.js';

function freezeVerb(ctx: EngineContext, ref: string, verb: 'pause' | 'unpause'): Container {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    mustBe(verb, c.status, c.name);
    const host = hostOf(ctx);
    // The freezer is a cgroup's, and rootless berth's containers have none of their own.
    if (verb === 'pause' && host.rootless()) {
      throw invalid('pause.rootless',
        `cannot pause container ${c.name}: rootless berth has no cgroup freezer: cgroup v2 is not delegated to this user on this host`);
    }
    const runtime = host.chooseRuntime(c.spec.runtime);
    if (verb === 'pause') host.pauseContainer(runtime, runtimeRoot(ctx, runtime.name), c.id);
    else host.resumeContainer(runtime, runtimeRoot(ctx, runtime.name), c.id);
    tx(ctx.db, () => updateContainer(ctx.db, c.id, { status: verb === 'pause' ? 'paused' : 'running' }));
    return reload(ctx, c.id);
  } finally {
    lock.release();
  }
}

export const pauseContainer = (ctx: EngineContext, ref: string) => freezeVerb(ctx, ref, 'pause');
export const unpauseContainer = (ctx: EngineContext, ref: string) => freezeVerb(ctx, ref, 'unpause');
