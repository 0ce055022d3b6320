// Typed access to the images and tags tables. image/ owns what a config means; here it is the
// stored JSON text, and layers the parsed list of diff ids (bottom first). Callers own the
// transactions.
import type { Db } from './db.js';
import type { ImageRow, ImageRefs } from '../common/rows.js';
export type { ImageRow, ImageRefs } from '../common/rows.js';

interface Raw {
  id: string;
  manifest_digest: string;
  config: string;
  layers: string;
  size: number;
  created: string;
}

const fromRaw = (r: Raw): ImageRow => ({ id: r.id, manifestDigest: r.manifest_digest, config: r.config, layers: JSON.parse(r.layers) as string[], size: r.size,
  created: r.created });
const refsFromRaw = (r: Pick<Raw, 'id' | 'manifest_digest' | 'layers'>): ImageRefs => ({ id: r.id, manifestDigest: r.manifest_digest,
  layers: JSON.parse(r.layers) as string[] });

export function imageById(db: Db, id: string): ImageRow | undefined {
  const r = db.prepare('SELECT * FROM images WHERE id = ?').get(id) as Raw | undefined;
  return r && fromRaw(r);
}

/** The image whose manifest digest (or config digest) this is. */
export function imageByDigest(db: Db, digest: string): ImageRow | undefined {
  const r = db.prepare('SELECT * FROM images WHERE manifest_digest = @d OR id = @d').get({ d: digest }) as Raw | undefined;
  return r && fromRaw(r);
}

/** Images whose id's hex starts with `hex`; at most `limit` (two tell an ambiguous prefix). */
export function imagesByIdPrefix(db: Db, hex: string, limit: number): ImageRow[] {
  return (db.prepare('SELECT * FROM images WHERE substr(id, 8, ?) = ? LIMIT ?').all(hex.length, hex, limit) as Raw[]).map(fromRaw);
}

export function allImageRefs(db: Db): ImageRefs[] {
  return (db.prepare('SELECT id, manifest_digest, layers FROM images').all() as Raw[]).map(refsFromRaw);
}

/**
 * Images no container uses; with `all` false, only untagged ones that are not build-cache steps
 * (Docker's dangling images).
 */
export function unusedImages(db: Db, opts: { all: boolean }): ImageRefs[] {
  const rows = db.prepare(
    `SELECT i.id, i.manifest_digest, i.layers FROM images i
     WHERE NOT EXISTS (SELECT 1 FROM containers c WHERE c.image_id = i.id)
     ${
      opts.all ? '' : `AND NOT EXISTS (SELECT 1 FROM tags t WHERE t.image_id = i.id)
                        AND NOT EXISTS (SELECT 1 FROM build_cache b WHERE b.image_id = i.id)`
    }`,
  ).all() as Raw[];
  return rows.map(refsFromRaw);
}

/** Adds the image unless one with its id is there already (same id, same content). */
export function insertImageRow(db: Db, row: ImageRow): void {
  db.prepare('INSERT OR IGNORE INTO images (id, manifest_digest, config, layers, size, created) VALUES (?, ?, ?, ?, ?, ?)')
    .run(row.id, row.manifestDigest, row.config, JSON.stringify(row.layers), row.size, row.created);
}

/** Deletes the image; its tags and build-cache rows go with it (ON DELETE CASCADE). */
export function deleteImageRow(db: Db, id: string): void {
  db.prepare('DELETE FROM images WHERE id = ?').run(id);
}

export interface ImageListRow {
  id: string;
  created: string;
  size: number;
  /** null for an untagged image. */
  name: string | null;
}

/** One row per tag (untagged images once), newest first; untagged build-cache steps only with `buildCache`. */
export function imageListRows(db: Db, opts: { buildCache: boolean }): ImageListRow[] {
  const hide = opts.buildCache ? '' : 'WHERE NOT (t.name IS NULL AND EXISTS (SELECT 1 FROM build_cache b WHERE b.image_id = i.id))';
  return db.prepare(`SELECT i.id, i.created, i.size, t.name FROM images i LEFT JOIN tags t ON t.image_id = i.id ${hide} ORDER BY i.created DESC, t.name`)
    .all() as ImageListRow[];
}

/** Build-cache images that carry no tag: what only the cache keeps. */
export function untaggedBuildCacheImages(db: Db): string[] {
  return (db.prepare('SELECT DISTINCT b.image_id AS id FROM build_cache b WHERE NOT EXISTS (SELECT 1 FROM tags t WHERE t.image_id = b.image_id)')
    .all() as Array<{ id: string }>).map((r) => r.id);
}

// ----------------------------------------------------------------------------------- tags

export function imageIdForTag(db: Db, name: string): string | undefined {
  return (db.prepare('SELECT image_id FROM tags WHERE name = ?').get(name) as { image_id: string } | undefined)?.image_id;
}

/** The image's names, sorted. */
export function tagsOfImage(db: Db, imageId: string): string[] {
  return (db.prepare('SELECT name FROM tags WHERE image_id = ? ORDER BY name').all(imageId) as Array<{ name: string }>).map((t) => t.name);
}

/** Points the name at the image, taking it off whichever image had it. */
export function setTag(db: Db, name: string, imageId: string): void {
  db.prepare('INSERT OR REPLACE INTO tags (name, image_id) VALUES (?, ?)').run(name, imageId);
}

export function deleteTag(db: Db, name: string): void {
  db.prepare('DELETE FROM tags WHERE name = ?').run(name);
}

export function deleteTagsOfImage(db: Db, imageId: string): void {
  db.prepare('DELETE FROM tags WHERE image_id = ?').run(imageId);
}
