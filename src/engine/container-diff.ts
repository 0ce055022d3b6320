// diff: what a container changed in its filesystem, read from its writable layer (overlayfs's
// upper directory): A added, C changed, D deleted (a whiteout, or what an opaque directory hides).
// The layer is read as plain files, so it works on a stopped container too.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { imageLayerDirs, resolveImage } from '../image/images.js';
import { snapshotPaths } from '../storage/overlay.js';
import { opaqueDirs } from '../storage/pack.js';
import type { EngineContext } from './context.js';
import { lookup } from './container-records.js';
import { imageContext } from './parts.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

// The mount points berth makes for the files it binds over the image's (as Docker's init layer
// does, they are not the container's changes), while they are still empty.
const BERTH_MOUNTPOINTS = new Set(['etc/hostname', 'etc/hosts', 'etc/resolv.conf']);
const BERTH_PARENTS = new Set(['etc']);

const exists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** Pure but for reading the two trees: `inLower(rel)` says whether the image has that path. */
export function changesOf(upper: string, inLower: (rel: string) => boolean, opaque: Set<string>, lowerChildren: (rel: string) => string[]): Change[] {
  const out: Change[] = [];
  const walk = (rel: string) => {
    let names: string[];
    try {
      names = readdirSync(rel === '' ? upper : join(upper, rel));
    } catch {
      return;
    }
    if (rel !== '' && opaque.has(rel)) {
      // The image's entries under an opaque directory are hidden: deleted, unless made again.
      for (const n of lowerChildren(rel)) if (!names.includes(n)) out.push({ kind: 'D', path: `/${rel}/${n}` });
    }
    for (const n of names) {
      const r = rel === '' ? n : `${rel}/${n}`;
      const st = lstatSync(join(upper, r));
      if (BERTH_MOUNTPOINTS.has(r) && st.isFile() && st.size === 0) continue;
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ kind: 'D', path: `/${r}` });
        continue;
      }
      out.push({ kind: inLower(r) ? 'C' : 'A', path: `/${r}` });
      if (st.isDirectory()) walk(r);
    }
  };
  walk('');
  // A directory copied up only to hold berth's mount points changed nothing of its own.
  const kept = out.filter((ch) => ch.kind !== 'C' || !BERTH_PARENTS.has(ch.path.slice(1)) || out.some((o) => o.path.startsWith(`${ch.path}/`)));
  return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export function diffContainer(ctx: EngineContext, ref: string): Change[] {
  const c = lookup(ctx, ref);
  const { upper } = snapshotPaths(ctx.paths.root, c.id);
  const lowers = imageLayerDirs(ctx.paths.root, resolveImage(imageContext(ctx).store, c.imageId));
  const inLower = (rel: string) => lowers.some((l) => exists(join(l, rel)));
  const lowerChildren = (rel: string) => {
    const names = new Set<string>();
    for (const l of lowers) {
      try {
        for (const n of readdirSync(join(l, rel))) names.add(n);
      } catch { /* not in this layer */ }
    }
    return [...names];
  };
  if (!exists(upper)) return [];
  return changesOf(upper, inLower, opaqueDirs(upper), lowerChildren);
}
