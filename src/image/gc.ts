// Garbage collection of the content store, one candidate at a time: a blob or a layer goes
// only when no image record uses it. Runs inside the caller's transaction so that deciding
// and deleting is one step against other berth commands; the slow rm -rf of a layer happens
// after, on a directory already renamed out of the way.
import { rmSync } from 'node:fs';
import type { ImageStore } from './records.js';
import { removeBlob, trashLayer } from './store.js';

export interface GcCandidates {
  blobs: readonly string[];
  layers: readonly string[];
}

/** Deletes unused candidates; returns layer directories to rm after the transaction. Call inside store.transaction(). */
export function collectUnused(ctx: { store: ImageStore; root: string }, c: GcCandidates): string[] {
  const { store, root } = ctx;
  const trash: string[] = [];
  const blobs = new Set(c.blobs);
  for (const diffId of new Set(c.layers)) {
    if (store.layerInUse(diffId)) continue;
    const row = store.layer(diffId);
    if (row) blobs.add(row.blobDigest);
    store.deleteLayer(diffId);
    const t = trashLayer(root, diffId);
    if (t) trash.push(t);
  }
  for (const d of blobs) if (!store.blobInUse(d)) removeBlob(root, d);
  return trash;
}

export function emptyTrash(dirs: readonly string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/**
 * Takes back what a failed import, pull or build stored, when no image record came to use it.
 * Never throws: the caller's own error matters more, and what is left is unreferenced.
 */
export function discardUnused(ctx: { store: ImageStore; root: string }, made: GcCandidates): void {
  if (made.blobs.length === 0 && made.layers.length === 0) return;
  try {
    emptyTrash(ctx.store.transaction(() => collectUnused(ctx, made)));
  } catch {
    // A later rmi or prune takes what is left.
  }
}
