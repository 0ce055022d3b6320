// rm: releases what a run still holds, then the writable layer, the container's files and its
// record.
import { rmSync, existsSync } from 'node:fs';
import { truncateWal, tx } from '../state/db.js';
import { deleteContainerRow, getContainer, updateContainer } from '../state/containers.js';
import { replaceContainerSpec } from '../state/container-edits.js';
import { removeSnapshot } from '../storage/overlay.js';
import { releaseIdmapBinds } from './userns-rootfs.js';
import { lockContainer } from './lock.js';
import { isLive, mustBe } from './lifecycle.js';
import { containerDir, containerRunDir, type EngineContext } from './context.js';
import type { ContainerSpec } from './types.js';
import { hostOf } from './host.js';
import { type Container, lookup, reload } from './container-records.js';
import { releaseResources, reconcileOne } from './container-finalize.js';
import { stopLocked } from './container-stop.js';
import { step } from '../common/fault.js';
import { mayUseReserve } from '../state/reserve.js';
import { networkContext } from './parts.js';
import { recordContainerEvent } from './events.js';
import { withWritersHeld } from './quiet-writers.js';

export function removeContainer(ctx: EngineContext, ref: string, opts: { force: boolean; volumes?: boolean }): string {
  return withWritersHeld(ctx.paths.root, () => removeNow(ctx, ref, opts), () => truncateWal(ctx.db));
}

function removeNow(ctx: EngineContext, ref: string, opts: { force: boolean; volumes?: boolean }): string {
  mayUseReserve(ctx.db);
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    let c = reconcileOne(ctx, reload(ctx, c0.id));
    let stoppedHere = false;
    if (isLive(c.status)) {
      if (!opts.force) mustBe('rm', c.status, c.name);
      tx(ctx.db, () => updateContainer(ctx.db, c.id, { stopRequested: true }));
      step('rm.requested');
      c = stopLocked(ctx, c, 0, { discard: true });
      stoppedHere = !isLive(c.status);
    }
    removeLocked(ctx, c, { justReleased: stoppedHere });
    return c.id;
  } finally {
    lock.release();
  }
}

export function removeLocked(ctx: EngineContext, c: Container, opts: { justReleased?: boolean } = {}): void {
  // A stopped container's resources were released when it stopped (the run directory goes
  // last); only one that still has its run directory holds any.
  let released = opts.justReleased === true;
  // The record is written before anything is deleted: an instances file that cannot be written
  // (read-only) fails the rm with everything in place. From here on the removal is restartable:
  // a rm cut short leaves the record, and the next rm takes up where it stopped.
  tx(ctx.db, () => updateContainer(ctx.db, c.id, { stopRequested: true }));
  step('rm.marked');
  if (isLive(c.status) || existsSync(containerRunDir(ctx, c.id))) {
    releaseResources(ctx, c, { discard: true });
    released = true;
  }
  if (c.spec.userns) releaseIdmapBinds(ctx, c.id);
  removeSnapshot(ctx.paths.root, c.id);
  step('rm.layer');
  rmSync(containerDir(ctx, c.id), { recursive: true, force: true });
  step('rm.files');
  tx(ctx.db, () => {
    if (c.spec.networkMode === 'bridge') hostOf(ctx).releaseNetwork(networkContext(ctx), c.id, { tornDown: released || hostOf(ctx).rootless() });
    deleteContainerRow(ctx.db, c.id);
  });
  recordContainerEvent(ctx, 'destroy', c);
}

/** rm of a finished --rm container from the foreground `run`, which owns its output and exit code. */
export function removeIfExited(ctx: EngineContext, id: string): void {
  const lock = lockContainer(ctx, id);
  try {
    const c = getContainer<ContainerSpec>(ctx.db, id);
    if (c && !isLive(c.status)) removeLocked(ctx, c);
  } finally {
    lock.release();
  }
}

/**
 * A foreground `run --rm` whose user detached: the run no longer waits for the exit code, so the
 * wish is recorded in the spec for conmon's exit callback to act on. Under the lock, so that an
 * exit between the detach and this call is seen here (and removed now) or there, never missed.
 */
export function removeOnExit(ctx: EngineContext, id: string): void {
  const lock = lockContainer(ctx, id);
  try {
    const c = getContainer<ContainerSpec>(ctx.db, id);
    if (!c) return;
    if (!isLive(c.status)) {
      removeLocked(ctx, c);
      return;
    }
    if (!c.spec.autoRemove) tx(ctx.db, () => replaceContainerSpec(ctx.db, c.id, { ...c.spec, autoRemove: true }));
  } finally {
    lock.release();
  }
}
