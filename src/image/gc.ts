// Garbage collection of the content store, one candidate at a time: a blob or a layer goes
// only when no image record uses it. Runs inside the caller's transaction so that deciding
// and deleting is one step against other berth commands; the slow rm -rf of a layer happens
// after, on a directory already renamed out of the way.
import { rmSync } from 'node:fs';
import type { Db } from '../state/db.js';
import { tx } from '../state/db.js';
import { removeBlob, trashLayer } from './store.js';

export interface GcCandidates {
  blobs: readonly string[];
  layers: readonly string[];
}

/** Deletes unused candidates; returns layer directories to rm after the transaction. Call inside tx(). */
export function collectUnused(db: Db, root: string, c: GcCandidates): string[] {
  const trash: string[] = [];
  const blobs = new Set(c.blobs);
  const layerUsed = db.prepare('SELECT 1 FROM images, json_each(images.layers) AS l WHERE l.value = ? LIMIT 1');
  const layerRow = db.prepare('SELECT blob_digest FROM layers WHERE diff_id = ?');
  const deleteLayer = db.prepare('DELETE FROM layers WHERE diff_id = ?');
  for (const diffId of new Set(c.layers)) {
    if (layerUsed.get(diffId)) continue;
    const row = layerRow.get(diffId) as { blob_digest: string } | undefined;
    if (row) blobs.add(row.blob_digest);
    deleteLayer.run(diffId);
    const t = trashLayer(root, diffId);
    if (t) trash.push(t);
  }
  const blobUsed = db.prepare(
    'SELECT 1 FROM images WHERE id = @d OR manifest_digest = @d UNION ALL SELECT 1 FROM layers WHERE blob_digest = @d LIMIT 1',
  );
  for (const d of blobs) if (!blobUsed.get({ d })) removeBlob(root, d);
  return trash;
}

export function emptyTrash(dirs: readonly string[]): void {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}

/**
 * Takes back what a failed import, pull or build stored, when no image record came to use it.
 * Never throws: the caller's own error matters more, and what is left is unreferenced.
 */
export function discardUnused(db: Db, root: string, made: GcCandidates): void {
  if (made.blobs.length === 0 && made.layers.length === 0) return;
  try {
    emptyTrash(tx(db, () => collectUnused(db, root, made)));
  } catch {
    // A later rmi or prune takes what is left.
  }
}
