// Tags and pruning: `berth tag SRC DST`, `berth image prune [-a]`.
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { blobPath } from './store.js';
import { collectUnused, emptyTrash } from './gc.js';
import { resolveImage } from './images.js';
import { normalizeName } from './reference.js';
import type { ImageContext } from './types.js';

/** Gives the image `src` names the additional name `dst` (moving `dst` off any image that had it). Returns the stored name. */
export function tagImage(ctx: ImageContext, src: string, dst: string): string {
  const name = normalizeName(dst);
  ctx.store.transaction(() => ctx.store.setTag(name, resolveImage(ctx.store, src).id));
  return name;
}

export interface PruneResult {
  /** Image ids deleted, and the names they lost. */
  deleted: string[];
  untagged: string[];
  /** Unpacked bytes of the deleted images' layers that no other image shares. */
  reclaimed: number;
}

/**
 * Docker's image prune: dangling images (no tag) that no container uses, build-cache steps
 * excepted; with all, every image no container uses, the build cache included. Images other images were built on are plain images here (berth keeps no
 * parent links), so -a removes them too unless a container holds them.
 */
export function pruneImages(ctx: ImageContext, opts: { all?: boolean } = {}): PruneResult {
  const result: PruneResult = { deleted: [], untagged: [], reclaimed: 0 };
  const { store } = ctx;
  const trash = store.transaction(() => {
    const blobs: string[] = [];
    const layers: string[] = [];
    for (const r of store.unusedImages({ all: opts.all ?? false })) {
      result.untagged.push(...store.tagsOf(r.id));
      store.deleteTagsOf(r.id);
      store.deleteImage(r.id);
      result.deleted.push(r.id);
      blobs.push(r.id, r.manifestDigest);
      layers.push(...r.layers);
    }
    for (const l of new Set(layers)) {
      if (store.layerInUse(l)) continue;
      result.reclaimed += store.layer(l)?.size ?? 0;
    }
    return collectUnused(ctx, { blobs, layers });
  });
  emptyTrash(trash);
  sweepOrphanBlobs(ctx);
  return result;
}

const ORPHAN_GRACE_MS = 3600 * 1000;

/**
 * Removes blobs no image needs any more: neither an image's config or manifest, nor a layer
 * record's blob, nor a layer any stored manifest lists (an image whose layer was first stored
 * from another blob keeps its own only through its manifest, so GC by records alone misses it).
 * Blobs younger than an hour are left: a running pull or import may not have recorded them yet.
 */
export function sweepOrphanBlobs(ctx: ImageContext, now = Date.now()): number {
  const dir = join(ctx.root, 'blobs', 'sha256');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^[a-f0-9]{64}$/.test(n));
  } catch {
    return 0;
  }
  let removed = 0;
  ctx.store.transaction(() => {
    const used = new Set<string>();
    for (const r of ctx.store.allImages()) {
      used.add(r.id);
      used.add(r.manifestDigest);
      try {
        const m = JSON.parse(readFileSync(blobPath(ctx.root, r.manifestDigest), 'utf8')) as { layers?: Array<{ digest?: string }> };
        for (const l of m.layers ?? []) if (typeof l.digest === 'string') used.add(l.digest);
      } catch {
        // a missing or broken manifest names nothing more
      }
    }
    for (const l of ctx.store.allLayers()) used.add(l.blobDigest);
    for (const n of names) {
      const d = `sha256:${n}`;
      if (used.has(d)) continue;
      try {
        if (now - statSync(join(dir, n)).mtimeMs < ORPHAN_GRACE_MS) continue;
        unlinkSync(join(dir, n));
        removed++;
      } catch {
        // gone already
      }
    }
  });
  return removed;
}
