// What `system check` asks of the instances file: its own integrity, and which blobs and layers
// the image records still need.
import type { Db } from './db.js';

/** `pragma integrity_check`: empty when the file is sound, else SQLite's complaints. */
export function integrityProblems(db: Db): string[] {
  const rows = db.prepare('PRAGMA integrity_check').all() as Array<{ integrity_check: string }>;
  return rows.map((r) => r.integrity_check).filter((m) => m !== 'ok');
}

/** Rebuilds every index, which mends the index damage integrity_check reports. */
export function reindex(db: Db): void {
  db.exec('REINDEX');
}

/** Digests of the blobs some image needs: configs, manifests and the layers' blobs. */
export function neededBlobDigests(db: Db): Set<string> {
  const rows = db.prepare('SELECT id AS d FROM images UNION SELECT manifest_digest FROM images UNION SELECT blob_digest FROM layers').all() as Array<
    { d: string }
  >;
  return new Set(rows.map((r) => r.d));
}

/** Diff ids of the layers on record (each names an unpacked directory). */
export function recordedLayers(db: Db): Set<string> {
  const rows = db.prepare('SELECT diff_id FROM layers').all() as Array<{ diff_id: string }>;
  return new Set(rows.map((r) => r.diff_id));
}
