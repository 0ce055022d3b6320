// The end of a run: a container whose process has gone is recorded as exited and its runtime
// state, cgroup, network and mounts are released. Reconcile (ps) and wait find such runs.
import { rmSync, existsSync, readdirSync } from 'node:fs';
import { isLive } from './lifecycle.js';
import { notFound } from '../common/errors.js';
import { shortId } from '../common/ids.js';
import { truncateWal, tx } from '../state/db.js';
import { getContainer, updateContainer } from '../state/containers.js';
import { snapshotPaths } from '../storage/overlay.js';
import { mark } from '../common/timing.js';
import { step } from '../common/fault.js';
import { lockContainer, lockContainerIfFree } from './lock.js';
import { sleepMs } from '../common/sleep.js';
import { containerRunDir, runDirsParent, runtimeRoot, cgroupsPath, type EngineContext } from './context.js';
import type { ContainerSpec } from './types.js';
import { hostOf } from './host.js';
import { endHealth } from './health-lifecycle.js';
import { type Container, listContainers, lookup, reload } from './container-records.js';
import { saveRecordFile } from './record-file.js';
import { mayUseReserve } from '../state/reserve.js';
import { networkContext } from './parts.js';
import { recordContainerEvent, recordRunEvents } from './events.js';
import { letGo, withWritersHeld } from './quiet-writers.js';

/**
 * Brings a running container that has ended back to "exited": records its exit code, then
 * releases its runtime state, network and mounts. Idempotent, so conmon's callback, stop, ps
 * and rm can all call it. Caller holds the lock.
 */
export function finalize(ctx: EngineContext, c: Container, opts: { unknownCode?: number; discard?: boolean | undefined } = {}): Container {
  const runDir = containerRunDir(ctx, c.id);
  if (isLive(c.status)) {
    const ex = hostOf(ctx).readExitFile(runDir, c.id, { cgroupsPath: cgroupsPath(c.id) });
    const oom = ex?.oomKilled ?? false;
    // A run of an earlier boot ended at the latest when this boot began; when is not known.
    const bootEnded = c.bootId !== null && c.bootId !== hostOf(ctx).bootId();
    const endedBy = bootEnded ? hostOf(ctx).bootTime() : (ex?.finishedAt ?? new Date());
    const exitCode = ex?.exitCode ?? opts.unknownCode ?? 255;
    tx(ctx.db, () =>
      updateContainer(ctx.db, c.id, {
        status: 'exited',
        exitCode,
        oomKilled: oom,
        finishedAt: endedBy === null ? null : finishTime(endedBy, c.startedAt),
        pid: null,
        conmonPid: null,
        conmonStart: null,
      }));
    // Not for a container removed next: a copy left saying "running" is reconciled anyway.
    if (!opts.discard) saveRecordFile(ctx, c.id, { bestEffort: true });
    // Whoever finalizes the run (conmon's callback, stop, ps, rm) records its end, once: the
    // status change above is what a second finalize finds done.
    if (oom) recordContainerEvent(ctx, 'oom', c);
    recordContainerEvent(ctx, 'die', c, { exitCode: String(exitCode) });
    step('finalize.recorded');
  }
  releaseResources(ctx, c, { discard: opts.discard });
  if (isLive(c.status)) recordRunEvents(ctx, 'end', c);
  return reload(ctx, c.id);
}

/**
 * The exit file's mtime has the filesystem's coarser clock: a command that exits at once can
 * seem to finish before berth recorded its start.
 */
function finishTime(at: Date, startedAt: string | null): string {
  const start = startedAt === null ? NaN : Date.parse(startedAt);
  return (Number.isFinite(start) && at.getTime() < start ? new Date(start) : at).toISOString();
}

/** discard: the writable layer is about to be deleted (rm -f), so it is not flushed first. */
export function releaseResources(ctx: EngineContext, c: Container, opts: { discard?: boolean | undefined } = {}): void {
  const runtime = hostOf(ctx).chooseRuntime(c.spec.runtime);
  mark('release: begin');
  if (c.spec.healthcheck) endHealth(ctx, c.id);
  hostOf(ctx).deleteContainer(runtime, runtimeRoot(ctx, runtime.name), c.id, { force: true });
  mark('release: runtime deleted');
  step('release.runtime');
  hostOf(ctx).removeCgroup(cgroupsPath(c.id));
  if (c.spec.networkMode === 'bridge') {
    if (hostOf(ctx).rootless()) hostOf(ctx).tearDownUserModeNetwork(containerRunDir(ctx, c.id));
    else hostOf(ctx).tearDownNetwork(networkContext(ctx), c.id);
  }
  mark('release: network');
  step('release.network');
  const { merged, upper } = snapshotPaths(ctx.paths.root, c.id);
  if (hostOf(ctx).isMounted(merged)) {
    // Flush the writable layer before it is unmounted, so the "disk image" is stable on disk.
    if (!opts.discard) hostOf(ctx).syncFs(upper);
    try {
      hostOf(ctx).unmount(merged);
    } catch (e) {
      if (hostOf(ctx).isMounted(merged)) throw e;
    }
    step('release.unmounted');
  }
  rmSync(containerRunDir(ctx, c.id), { recursive: true, force: true });
}

/**
 * The container's init is still running: the record is of this boot, and its pid is held by a
 * live process (not a zombie whose conmon died first) that started when the recorded one did.
 */
export function initAlive(ctx: EngineContext, c: Container, boot: string = hostOf(ctx).bootId()): boolean {
  return c.bootId === boot && c.pid !== null && hostOf(ctx).processAlive(c.pid, c.pidStart);
}

export function waitForExit(ctx: EngineContext, c: Container, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  // A killed process is gone within a millisecond or two: poll finely first, then back off.
  let wait = 1;
  while (Date.now() < deadline) {
    if (c.pid === null || !hostOf(ctx).processAlive(c.pid, c.pidStart)) return true;
    sleepMs(wait);
    wait = Math.min(wait * 2, 50);
  }
  return c.pid === null || !hostOf(ctx).processAlive(c.pid, c.pidStart);
}

/** conmon writes the exit file right after the container's process is reaped; give it that moment. */
export function waitForExitFile(ctx: EngineContext, c: Container, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const runDir = containerRunDir(ctx, c.id);
  // Held still on a full disk (quiet-writers.ts), its conmon could neither reap nor write.
  letGo(ctx.paths.root, c.id);
  let wait = 1;
  while (Date.now() < deadline) {
    if (hostOf(ctx).readExitFile(runDir, c.id)) return;
    if (c.conmonPid !== null && !conmonAlive(ctx, c)) return;
    sleepMs(wait);
    wait = Math.min(wait * 2, 10);
  }
}

function conmonAlive(ctx: EngineContext, c: Container): boolean {
  return c.conmonPid !== null && hostOf(ctx).processAlive(c.conmonPid, c.conmonStart);
}

/**
 * Makes a record tell the truth: a "running" container whose process is gone (killed from
 * outside, OOM-killed, its conmon dead, the host rebooted) becomes exited, with the exit code
 * conmon left when there is one. Caller holds the lock, or accepts a benign race (ps).
 */
/** discard: the caller removes the container next (run --rm), so its layer is not flushed. */
export function reconcileOne(ctx: EngineContext, c: Container, opts: { discard?: boolean | undefined } = {}): Container {
  if (!isLive(c.status)) return c;
  const boot = hostOf(ctx).bootId();
  const sameBoot = c.bootId === boot;
  if (initAlive(ctx, c, boot)) return c;
  // Dead: finalize under the lock (reentrant for a verb that holds it already), since conmon's
  // exit callback or another command may be finalizing the same container right now.
  const lock = lockContainer(ctx, c.id);
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
    if (!fresh || !isLive(fresh.status)) return fresh ?? c;
    if (sameBoot && conmonAlive(ctx, fresh)) waitForExitFile(ctx, fresh, 1000);
    return finalize(ctx, fresh, { unknownCode: 255, discard: opts.discard });
  } finally {
    lock.release();
  }
}

/** inspect: one container brought up to date; like ps, it must record a run's end on a full disk. */
export function reconcileRef(ctx: EngineContext, ref: string): Container {
  return withWritersHeld(ctx.paths.root, () => {
    mayUseReserve(ctx.db);
    return reconcileOne(ctx, lookup(ctx, ref));
  }, () => truncateWal(ctx.db));
}

/** ps: brings every running record up to date. Dead ones are finalized under their lock. */
export function reconcileAll(ctx: EngineContext): Container[] {
  return withWritersHeld(ctx.paths.root, () => reconcileAllNow(ctx), () => truncateWal(ctx.db));
}

function reconcileAllNow(ctx: EngineContext): Container[] {
  // ps records the end of runs that ended unseen: that must work on a full disk.
  mayUseReserve(ctx.db);
  const list = listContainers(ctx);
  const boot = hostOf(ctx).bootId();
  // One directory read instead of a stat per stopped container (ps with 1,000 of them).
  let runDirs: Set<string>;
  try {
    runDirs = new Set(readdirSync(runDirsParent(ctx)));
  } catch {
    runDirs = new Set();
  }
  return list.map((c) => {
    if (!isLive(c.status)) {
      if (runDirs.has(c.id)) repairHalfMade(ctx, c);
      return c;
    }
    if (initAlive(ctx, c, boot)) return c;
    const lock = lockContainer(ctx, c.id);
    try {
      const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
      return fresh ? reconcileOne(ctx, fresh) : c;
    } finally {
      lock.release();
    }
  });
}

/**
 * A stopped container still has a run directory only when a berth died in the middle of
 * starting it (the run directory goes last on release): undo what that berth made. A berth that
 * is starting it right now holds its lock, and is left alone, this process's own operations too.
 */
function repairHalfMade(ctx: EngineContext, c: Container): void {
  let lock;
  try {
    lock = lockContainerIfFree(ctx, c.id);
  } catch {
    return;
  }
  if (!lock) return;
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
    if (fresh && !isLive(fresh.status) && existsSync(containerRunDir(ctx, c.id))) releaseResources(ctx, fresh);
  } finally {
    lock.release();
  }
}

/**
 * One look at a container that may have ended: the exited (or created) record once it is no
 * longer running, its exit recorded and its resources released; undefined while it runs.
 */
export function checkExit(ctx: EngineContext, id: string): Container | undefined {
  const c = getContainer<ContainerSpec>(ctx.db, id);
  if (!c) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
  if (!isLive(c.status)) return c;
  if (initAlive(ctx, c)) return undefined;
  const lock = lockContainer(ctx, id);
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, id);
    if (!fresh) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
    if (!isLive(fresh.status)) return fresh;
    waitForExitFile(ctx, fresh, 2000);
    return finalize(ctx, fresh);
  } finally {
    lock.release();
  }
}

/** Waits, blocking, until a container is no longer running (its exit recorded). */
export function waitContainer(ctx: EngineContext, id: string, opts: { pollMs?: number } = {}): Container {
  for (;;) {
    const done = checkExit(ctx, id);
    if (done) return done;
    sleepMs(opts.pollMs ?? 20);
  }
}
