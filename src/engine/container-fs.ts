// A container's filesystem as the host sees it, for cp: a running container's own root
// (/proc/PID/root, so its volumes and tmpfs are seen as inside), frozen for the duration so
// that nothing in it can swap a checked directory for a symlink mid-copy (Docker's answer to
// CVE-2018-15664); a stopped one's overlay, mounted privately while the work is done.
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { imageLayerDirs, resolveImage } from '../image/images.js';
import { prepareSnapshot } from '../storage/overlay.js';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { lockContainer } from './lock.js';
import { isLive } from './lifecycle.js';
import { runtimeRoot, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { type Container, lookup, reload } from './container-records.js';
import { reconcileOne } from './container-finalize.js';
import { imageContext } from './parts.js';

/** Runs `fn` with the host path standing for the container's `/`; holds the container's lock. */
export async function withContainerRoot<T>(ctx: EngineContext, ref: string, opts: { writable: boolean },
  fn: (root: string, c: Container) => Promise<T>): Promise<T>
{
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (isLive(c.status) && c.pid !== null) return await frozen(ctx, c, () => fn(`/proc/${c.pid}/root`, c));
    return await mounted(ctx, c, opts.writable, (root) => fn(root, c));
  } finally {
    lock.release();
  }
}

async function frozen<T>(ctx: EngineContext, c: Container, fn: () => Promise<T>): Promise<T> {
  const host = hostOf(ctx);
  const runtime = host.chooseRuntime(c.spec.runtime);
  const rtRoot = runtimeRoot(ctx, runtime.name);
  // A container the user paused stays paused; one we froze is thawed however the copy ends.
  const freeze = c.status === 'running';
  if (freeze) host.pauseContainer(runtime, rtRoot, c.id);
  try {
    return await fn();
  } finally {
    if (freeze) host.resumeContainer(runtime, rtRoot, c.id);
  }
}

async function mounted<T>(ctx: EngineContext, c: Container, writable: boolean, fn: (root: string) => Promise<T>): Promise<T> {
  const parent = join(ctx.paths.runroot, 'cp');
  dropStaleViews(parent, c.id);
  const snap = prepareSnapshot(ctx.paths.root, c.id, imageLayerDirs(ctx.paths.root, resolveImage(imageContext(ctx).store, c.imageId)));
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const target = mkdtempSync(join(parent, `${c.id.slice(0, 12)}-`));
  try {
    mount(writable ? snap.mount : { ...snap.mount, options: [...snap.mount.options, 'ro'] }, target);
    return await fn(target);
  } finally {
    try {
      if (isMounted(target)) unmount(target);
    } catch {
      unmount(target, { lazy: true });
    }
    rmSync(target, { recursive: true, force: true });
  }
}

/**
 * Views of a stopped container's rootfs (cp's, export's) that a berth killed with -9 left under
 * `parent`; the caller holds the container's lock, so none of them is in use.
 */
export function dropStaleViews(parent: string, id: string): void {
  let names: string[] = [];
  try {
    names = readdirSync(parent);
  } catch {
    return;
  }
  for (const n of names.filter((x) => x.startsWith(`${id.slice(0, 12)}-`))) {
    const p = join(parent, n);
    if (isMounted(p)) unmount(p, { lazy: true });
    rmSync(p, { recursive: true, force: true });
  }
}
