// Per-container overlay snapshots: <root>/containers/<id>/{diff,work,merged}. This module makes
// the directories and describes the mount; it never mounts (the engine decides when).
import { nodeCrypto } from '../common/lazy.js';
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../common/errors.js';
import type { MountSpec } from '../common/types.js';
import { inUserNamespace } from '../sys/rootless.js';

export interface SnapshotPaths {
  /** <root>/containers/<id>: everything the snapshot owns lives below it. */
  dir: string;
  /** The writable layer: the container's own changes. */
  upper: string;
  work: string;
  merged: string;
}

export interface PreparedSnapshot {
  mount: MountSpec;
  merged: string;
  upper: string;
}

// mount(2) copies the option string into one page; the kernel rejects anything longer.
const MAX_OPTIONS = 4095;
const SAFE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

export function snapshotPaths(root: string, id: string): SnapshotPaths {
  // An id becomes a path; a bug elsewhere must not turn it into "../..".
  if (!SAFE_ID.test(id)) throw new Error(`snapshot id "${id}" is not a safe name`);
  const dir = join(root, 'containers', id);
  return { dir, upper: join(dir, 'diff'), work: join(dir, 'work'), merged: join(dir, 'merged') };
}

/**
 * Creates the snapshot's directories and returns the overlay mount that assembles them.
 * lowerDirs are uppermost first, as overlayfs orders lowerdir. With none, an empty directory
 * stands in (overlayfs needs at least one lower). Example:
 *   prepareSnapshot('/var/lib/berth', 'c1', ['/var/lib/berth/layers/bb', '/var/lib/berth/layers/aa'])
 *   → mount { type: 'overlay', source: 'overlay', options: ['lowerdir=…/bb:…/aa', 'upperdir=…/c1/diff', 'workdir=…/c1/work'] }
 */
export function prepareSnapshot(root: string, id: string, lowerDirs: readonly string[]): PreparedSnapshot {
  const p = snapshotPaths(root, id);
  for (const d of [p.upper, p.work, p.merged]) mkdirSync(d, { recursive: true, mode: 0o755 });
  let lowers = [...lowerDirs];
  if (lowers.length === 0) {
    const empty = join(root, 'empty');
    mkdirSync(empty, { recursive: true, mode: 0o755 });
    lowers = [empty];
  }
  for (const d of [...lowers, p.upper, p.work]) {
    // overlayfs splits lowerdir on ':' and mount options on ','; such paths cannot be expressed.
    if (/[:,]/.test(d)) throw invalid('storage.bad_path', `overlay path "${d}" contains ':' or ','`, 'use a --root without those characters');
  }
  let options = overlayOptions(lowers, p);
  if (options.join(',').length > MAX_OPTIONS) {
    // Like Podman's l/ directory: short stable names keep many layers under the page limit.
    options = overlayOptions(lowers.map((d) => shortLink(root, d)), p);
    if (options.join(',').length > MAX_OPTIONS) {
      throw invalid('storage.too_many_layers', `image has too many layers (${lowers.length}) for one overlay mount`, 'flatten the image (fewer layers)');
    }
  }
  return { mount: { type: 'overlay', source: 'overlay', options }, merged: p.merged, upper: p.upper };
}

/** Removes the snapshot's directories, its writable layer included. The caller has unmounted it. */
export function removeSnapshot(root: string, id: string): void {
  rmSync(snapshotPaths(root, id).dir, { recursive: true, force: true });
}

function overlayOptions(lowers: readonly string[], p: SnapshotPaths): string[] {
  const o = [`lowerdir=${lowers.join(':')}`, `upperdir=${p.upper}`, `workdir=${p.work}`];
  // Rootless berth's layers mark opaque directories with user.overlay.opaque (storage/unpack.ts).
  return inUserNamespace() ? [...o, 'userxattr'] : o;
}

function shortLink(root: string, target: string): string {
  const dir = join(root, 'l');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const link = join(dir, nodeCrypto().createHash('sha256').update(target).digest('hex').slice(0, 12));
  try {
    if (readlinkSync(link) === target) return link;
  } catch {
    // absent (or not a link): (re)made below
  }
  // symlink then rename, so a concurrent reader never sees a half-made or wrong link.
  const tmp = `${link}.${process.pid}.${Math.random().toString(16).slice(2)}`;
  symlinkSync(target, tmp);
  renameSync(tmp, link);
  return link;
}
