// stop and kill: the stop signal then SIGKILL, or the user's signal. A user's stop or kill ends
// the restart policy's loop.
import { truncateWal, tx } from '../state/db.js';
import { updateContainer } from '../state/containers.js';
import type { RuntimeBinary } from '../runtime/select.js';
import { mark } from '../common/timing.js';
import { step } from '../common/fault.js';
import { mayUseReserve } from '../state/reserve.js';
import { normalizeSignal } from '../sys/signal.js';
import { lockContainer } from './lock.js';
import { isLive, mustBe } from './lifecycle.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { type Container, lookup, reload } from './container-records.js';
import { finalize, waitForExit, waitForExitFile, reconcileOne } from './container-finalize.js';
import { recordContainerEvent, signalNumber } from './events.js';
import { withWritersHeld } from './quiet-writers.js';

export function stopContainer(ctx: EngineContext, ref: string, timeoutSec?: number): Container {
  return withWritersHeld(ctx.paths.root, () => stopNow(ctx, ref, timeoutSec), () => truncateWal(ctx.db));
}

function stopNow(ctx: EngineContext, ref: string, timeoutSec?: number): Container {
  // stop, kill and rm are how a user gets out of a full disk: they may spend the reserve.
  mayUseReserve(ctx.db);
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    tx(ctx.db, () => updateContainer(ctx.db, c0.id, { stopRequested: true }));
    step('stop.requested');
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (!isLive(c.status)) return c;
    return stopLocked(ctx, c, timeoutSec ?? c.spec.stopTimeout);
  } finally {
    lock.release();
  }
}

/** discard: the caller removes the container next (rm -f), so finalize need not keep its layer or record file. */
export function stopLocked(ctx: EngineContext, c: Container, timeoutSec: number, opts: { discard?: boolean } = {}): Container {
  const runtime = hostOf(ctx).chooseRuntime(c.spec.runtime);
  const rtRoot = runtimeRoot(ctx, runtime.name);
  thawQuietly(ctx, runtime, rtRoot, c);
  if (timeoutSec > 0) {
    signalQuietly(ctx, runtime, rtRoot, c, c.spec.stopSignal);
    recordContainerEvent(ctx, 'kill', c, { signal: signalNumber(c.spec.stopSignal) });
    step('stop.signalled');
    waitForExit(ctx, c, timeoutSec * 1000);
  }
  if (c.pid !== null && hostOf(ctx).processAlive(c.pid, c.pidStart)) {
    recordContainerEvent(ctx, 'kill', c, { signal: '9' });
    // SIGKILL to the container's init ends its whole PID namespace: the kernel does what
    // `runc kill` would, without a runtime process to start.
    try {
      hostOf(ctx).signal(c.pid, 'SIGKILL');
    } catch {
      signalQuietly(ctx, runtime, rtRoot, c, 'SIGKILL');
    }
    waitForExit(ctx, c, 10_000);
  }
  mark('stop: process gone');
  step('stop.gone');
  waitForExitFile(ctx, c, 2000);
  mark('stop: exit file');
  return finalize(ctx, c, { unknownCode: 137, discard: opts.discard });
}

/** A paused container is resumed before it is signalled: a frozen task takes no signal. */
function thawQuietly(ctx: EngineContext, runtime: RuntimeBinary, rtRoot: string, c: Container): void {
  if (c.status !== 'paused') return;
  try {
    hostOf(ctx).resumeContainer(runtime, rtRoot, c.id);
  } catch { /* gone already: the exit path finds out */ }
  tx(ctx.db, () => updateContainer(ctx.db, c.id, { status: 'running' }));
}

function signalQuietly(ctx: EngineContext, runtime: RuntimeBinary, rtRoot: string, c: Container, sig: string): void {
  try {
    hostOf(ctx).killContainer(runtime, rtRoot, c.id, sig);
  } catch {
    // The runtime lost the container (killed from outside): signal the process directly.
    if (c.pid !== null) {
      try {
        hostOf(ctx).signal(c.pid, normalizeSignal(sig));
      } catch { /* already gone, or not a signal */ }
    }
  }
}

export function killContainer(ctx: EngineContext, ref: string, signal = 'SIGKILL'): Container {
  return withWritersHeld(ctx.paths.root, () => killNow(ctx, ref, signal), () => truncateWal(ctx.db));
}

function killNow(ctx: EngineContext, ref: string, signal: string): Container {
  mayUseReserve(ctx.db);
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    mustBe('kill', c.status, c.name);
    // A bad signal is refused before anything is recorded.
    const sig = normalizeSignal(signal);
    // As Docker: a container the user killed is not revived by its restart policy.
    tx(ctx.db, () => updateContainer(ctx.db, c.id, { stopRequested: true }));
    step('kill.requested');
    const runtime = hostOf(ctx).chooseRuntime(c.spec.runtime);
    thawQuietly(ctx, runtime, runtimeRoot(ctx, runtime.name), c);
    hostOf(ctx).killContainer(runtime, runtimeRoot(ctx, runtime.name), c.id, sig);
    step('kill.signalled');
    return reload(ctx, c.id);
  } finally {
    lock.release();
  }
}
