// Tags and pruning: `berth tag SRC DST`, `berth image prune [-a]`.
import { readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { tx } from '../state/db.js';
import { blobPath } from './store.js';
import { collectUnused, emptyTrash } from './gc.js';
import { resolveImage } from './images.js';
import { normalizeName } from './reference.js';
import type { ImageContext } from './types.js';

/** Gives the image `src` names the additional name `dst` (moving `dst` off any image that had it). Returns the stored name. */
export function tagImage(ctx: ImageContext, src: string, dst: string): string {
  const name = normalizeName(dst);
  tx(ctx.db, () => {
    const img = resolveImage(ctx.db, src);
    ctx.db.prepare('INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)').run(name, img.id);
  });
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
  const trash = tx(ctx.db, () => {
    const rows = ctx.db
      .prepare(
        `SELECT i.id, i.manifest_digest, i.layers FROM images i
         WHERE NOT EXISTS (SELECT 1 FROM containers c WHERE c.image_id = i.id)
         ${opts.all ? '' : `AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.image_id = i.id)
                            AND NOT EXISTS (SELECT 1 FROM build_cache b WHERE b.image_id = i.id)`}`,
      )
      .all() as Array<{ id: string; manifest_digest: string; layers: string }>;
    const blobs: string[] = [];
    const layers: string[] = [];
    for (const r of rows) {
      const tags = ctx.db.prepare('SELECT name FROM tags WHERE image_id = ?').all(r.id) as Array<{ name: string }>;
      result.untagged.push(...tags.map((t) => t.name));
      ctx.db.prepare('DELETE FROM tags WHERE image_id = ?').run(r.id);
      ctx.db.prepare('DELETE FROM images WHERE id = ?').run(r.id);
      result.deleted.push(r.id);
      blobs.push(r.id, r.manifest_digest);
      layers.push(...(JSON.parse(r.layers) as string[]));
    }
    const sizeOf = ctx.db.prepare('SELECT size FROM layers WHERE diff_id = ?');
    const used = ctx.db.prepare('SELECT 1 FROM images, json_each(images.layers) AS l WHERE l.value = ? LIMIT 1');
    for (const l of new Set(layers)) {
      if (used.get(l)) continue;
      result.reclaimed += (sizeOf.get(l) as { size: number } | undefined)?.size ?? 0;
    }
    return collectUnused(ctx.db, ctx.root, { blobs, layers });
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
  tx(ctx.db, () => {
    const used = new Set<string>();
    for (const r of ctx.db.prepare('SELECT id, manifest_digest FROM images').all() as Array<{ id: string; manifest_digest: string }>) {
      used.add(r.id);
      used.add(r.manifest_digest);
      try {
        const m = JSON.parse(readFileSync(blobPath(ctx.root, r.manifest_digest), 'utf8')) as { layers?: Array<{ digest?: string }> };
        for (const l of m.layers ?? []) if (typeof l.digest === 'string') used.add(l.digest);
      } catch {
        // a missing or broken manifest names nothing more
      }
    }
    for (const r of ctx.db.prepare('SELECT blob_digest FROM layers').all() as Array<{ blob_digest: string }>) used.add(r.blob_digest);
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
