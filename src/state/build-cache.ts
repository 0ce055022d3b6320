// Typed access to the build cache: a step's cache key (a sha256 hex chained from the parent's
// key, the instruction and its inputs) names the image that step made. Rows go with their image
// (ON DELETE CASCADE), so a hit may still name an image that is being removed: callers resolve it.
import { tx, type Db } from './db.js';

/** The image id a step with this key made, if one is remembered. */
export function lookupBuildCache(db: Db, key: string): string | undefined {
  const row = db.prepare('SELECT image_id FROM build_cache WHERE key = ?').get(key) as { image_id: string } | undefined;
  return row?.image_id;
}

/** Remembers that the step with this key made image `imageId` (replacing what it made before). */
export function storeBuildCache(db: Db, key: string, imageId: string): void {
  tx(db, () => db.prepare('INSERT OR REPLACE INTO build_cache (key, image_id, created) VALUES (?, ?, ?)').run(key, imageId, new Date().toISOString()));
}
