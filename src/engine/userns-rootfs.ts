// The rootfs of a container in a user namespace. The image layers stay shared: each is bind
// mounted through an idmap (a file of host uid 0 shows as the container's root), overlayfs is
// mounted over those binds, and the binds are detached at once (overlayfs holds its own clones
// of its layers). The writable layer is given to the container's root. Nothing is copied or
// chowned in the layers, so the cost does not grow with the image.
import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { prepareSnapshot, snapshotPaths, type PreparedSnapshot } from '../storage/overlay.js';
import { containerDir, containerRunDir, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import type { UsernsSpec } from './types.js';
import { hostIdOf } from './userns.js';

/** <root>/containers/<id>/idmap: present only while binds of the layers may be mounted there. */
function idmapDir(ctx: EngineContext, id: string): string {
  return join(snapshotPaths(ctx.paths.root, id).dir, 'idmap');
}

/**
 * Unmounts the binds a start killed between the helper and the overlay mount left behind, then
 * removes their directories. Must run before anything deletes the container's directory
 * recursively: through a bind it would delete the shared layer's files.
 */
export function releaseIdmapBinds(ctx: EngineContext, id: string): void {
  const dir = idmapDir(ctx, id);
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const target = join(dir, name);
    try {
      hostOf(ctx).unmount(target, { lazy: true });
    } catch {
      // not mounted: the kill came before the helper mounted it, or after it was detached
    }
    // Not recursive: a bind that is somehow still there fails it, and keeps the layer's files.
    rmdirSync(target);
  }
  rmdirSync(dir);
}

/** The root's owner inside: the user namespace's uid and gid 0 on the host. */
export function mappedRoot(ns: UsernsSpec): { uid: number; gid: number } | undefined {
  const uid = hostIdOf(ns.uidMap, 0);
  const gid = hostIdOf(ns.gidMap, 0);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** Mounts the overlay rootfs of a container in a user namespace at the snapshot's merged dir. */
export function mountUsernsRootfs(ctx: EngineContext, id: string, layers: readonly string[], ns: UsernsSpec): PreparedSnapshot {
  const host = hostOf(ctx);
  releaseIdmapBinds(ctx, id);
  const dir = idmapDir(ctx, id);
  const pairs = layers.map((source, i) => ({ source, target: join(dir, String(i)) }));
  for (const p of pairs) mkdirSync(p.target, { recursive: true, mode: 0o700 });
  try {
    const snap = prepareSnapshot(ctx.paths.root, id, pairs.length > 0 ? pairs.map((p) => p.target) : []);
    const root = mappedRoot(ns);
    // overlayfs shows the upper directory's owner on /: the container's root must own it to write there.
    if (root) host.chown(snap.upper, root.uid, root.gid);
    host.idmapMount({ uid: ns.uidMap, gid: ns.gidMap }, pairs);
    host.mount(snap.mount, snap.merged);
    return snap;
  } finally {
    releaseIdmapBinds(ctx, id);
  }
}

/**
 * runc mounts the rootfs and the binds as the container's root, an unprivileged uid on the host,
 * so every directory on the way must let it search. Docker (userns-remap) makes /var/lib/docker
 * 0711 for the same reason. Search only: nobody can list them, and each file keeps its mode.
 */
export function searchablePaths(ctx: EngineContext, id: string, extra: readonly string[] = []): void {
  const tops = [ctx.paths.root, ctx.paths.runroot];
  const dirs = new Set<string>();
  for (const target of [containerDir(ctx, id), containerRunDir(ctx, id), ...extra]) {
    const top = tops.find((t) => !relative(t, target).startsWith('..') && !relative(t, target).startsWith(sep));
    if (top === undefined) continue;
    for (let d = target;; d = dirname(d)) {
      dirs.add(d);
      if (d === top || dirname(d) === d) break;
    }
  }
  for (const d of dirs) {
    const mode = statSync(d).mode & 0o7777;
    if ((mode & 0o011) !== 0o011) chmodSync(d, mode | 0o011);
  }
}
