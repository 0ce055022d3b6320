// conmon's exit callback (the restart policy and --rm, without a daemon) and restart.
import { mayUseReserve } from '../state/reserve.js';
import { truncateWal, tx } from '../state/db.js';
import { isLive } from './lifecycle.js';
import { getContainer, updateContainer } from '../state/containers.js';
import { lockContainer } from './lock.js';
import { nextRestartDelay, shouldRestart } from './restart.js';
import type { EngineContext } from './context.js';
import type { ContainerSpec } from './types.js';
import type { Container } from './container-records.js';
import { startContainer, startLocked } from './container-start.js';
import { finalize, initAlive } from './container-finalize.js';
import { stopContainer } from './container-stop.js';
import { removeLocked } from './container-remove.js';
import { withWritersHeld } from './quiet-writers.js';

/**
 * Run by conmon (its --exit-command) when the container's process ends: records the exit,
 * releases resources, then applies --rm or the restart policy. No daemon needed: this process
 * is the policy's timer, sleeping out the back-off without the lock, so that a user's stop, rm
 * or start in the meantime wins. `runId` names the run conmon watched; when the record has moved
 * on to a later run (a restart finalized this one and started another), there is nothing to do.
 */
export async function onContainerExit(ctx: EngineContext, id: string, runId?: string): Promise<void> {
  mayUseReserve(ctx.db);
  const c0 = getContainer<ContainerSpec>(ctx.db, id);
  // Finished already by whoever ended the run (stop, rm, ps): nothing to write, so nothing to
  // take on a full disk, where the lock's write would spend the reserve the next command needs.
  if (!c0 || (runId !== undefined && c0.runId !== null && c0.runId !== runId)) return;
  if (!isLive(c0.status) && c0.stopRequested && !c0.spec.autoRemove) return;
  const later = withWritersHeld(ctx.paths.root, () => decideLocked(ctx, id, runId), () => truncateWal(ctx.db));
  if (later === undefined) return;
  const { c, delayMs } = later;
  await new Promise((r) => setTimeout(r, delayMs));
  const again = lockContainer(ctx, id);
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, id);
    // Stopped, removed, started or restarted by someone else while we waited.
    if (!fresh || fresh.status !== 'exited' || fresh.runId !== c.runId || fresh.stopRequested) return;
    // The count moves with the status, in one transaction: no reader sees the new count on the
    // old, exited run (and takes the policy for done).
    await startLocked(ctx, fresh, { exitCommand: true, restartCount: fresh.restartCount + 1 });
  } finally {
    again.release();
  }
}

/** The exit recorded and the policy decided, under the lock: the run to restart after delayMs, or nothing. */
function decideLocked(ctx: EngineContext, id: string, runId: string | undefined): { c: Container; delayMs: number } | undefined {
  const lock = lockContainer(ctx, id);
  try {
    const c0 = getContainer<ContainerSpec>(ctx.db, id);
    if (!c0) return undefined;
    if (runId !== undefined && c0.runId !== null && c0.runId !== runId) return undefined;
    // No run named (a callback of an older berth): trust the process table instead.
    if (runId === undefined && isLive(c0.status) && initAlive(ctx, c0)) return undefined;
    // A --rm container is removed right after: flushing its layer first would be wasted.
    const c = isLive(c0.status) ? finalize(ctx, c0, { discard: c0.spec.autoRemove }) : c0;
    if (c.status !== 'exited') return undefined;
    if (c.spec.autoRemove) {
      removeLocked(ctx, c);
      return undefined;
    }
    if (!shouldRestart(c.spec.restart, { exitCode: c.exitCode ?? 0, stopRequested: c.stopRequested, restartCount: c.restartCount })) return undefined;
    const ranMs = Date.parse(c.finishedAt ?? '') - Date.parse(c.startedAt ?? '');
    const delayMs = nextRestartDelay(c.restartBackoffMs, Number.isFinite(ranMs) ? ranMs : 0);
    tx(ctx.db, () => updateContainer(ctx.db, id, { restartBackoffMs: delayMs }));
    return { c, delayMs };
  } finally {
    lock.release();
  }
}

export async function restartContainer(ctx: EngineContext, ref: string, timeoutSec?: number): Promise<Container> {
  stopContainer(ctx, ref, timeoutSec);
  return startContainer(ctx, ref);
}
