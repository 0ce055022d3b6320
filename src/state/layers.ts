// Typed access to the layers table: one row per unpacked layer directory, with the blob it was
// unpacked from. Which layers an image has is in images.layers; "in use" means some image lists
// it. Callers own the transactions.
import type { Db } from './db.js';
import type { LayerRow } from '../common/rows.js';
export type { LayerRow } from '../common/rows.js';

/** Records the layer unless it is recorded already (then the first blob stays its source). */
export function insertLayerRow(db: Db, row: LayerRow): void {
  db.prepare('INSERT OR IGNORE INTO layers (diff_id, blob_digest, size) VALUES (?, ?, ?)').run(row.diffId, row.blobDigest, row.size);
}

export function layerRow(db: Db, diffId: string): LayerRow | undefined {
  const r = db.prepare('SELECT blob_digest, size FROM layers WHERE diff_id = ?').get(diffId) as { blob_digest: string; size: number } | undefined;
  return r && { diffId, blobDigest: r.blob_digest, size: r.size };
}

export function allLayerRows(db: Db): LayerRow[] {
  return (db.prepare('SELECT diff_id, blob_digest, size FROM layers').all() as Array<{ diff_id: string; blob_digest: string; size: number }>)
    .map((r) => ({ diffId: r.diff_id, blobDigest: r.blob_digest, size: r.size }));
}

/** True when some image lists the layer. */
export function layerInUse(db: Db, diffId: string): boolean {
  return db.prepare('SELECT 1 FROM images, json_each(images.layers) AS l WHERE l.value = ? LIMIT 1').get(diffId) !== undefined;
}

/** True when an image's config or manifest, or a layer record, is this blob. */
export function blobInUse(db: Db, digest: string): boolean {
  return db.prepare('SELECT 1 FROM images WHERE id = @d OR manifest_digest = @d UNION ALL SELECT 1 FROM layers WHERE blob_digest = @d LIMIT 1')
    .get({ d: digest }) !== undefined;
}

export function deleteLayerRow(db: Db, diffId: string): void {
  db.prepare('DELETE FROM layers WHERE diff_id = ?').run(diffId);
}
