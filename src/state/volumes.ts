// The volumes table: a named volume's labels and creation time. Its data is a directory the
// engine keeps (engine/volumes.ts); a volume a `run -v NAME:/x` made has a directory and no row.
import type { Db } from './db.js';

export interface VolumeRow {
  name: string;
  labels: Record<string, string>;
  createdAt: string;
}

interface RawVolume {
  name: string;
  labels: string;
  created_at: string;
}

const fromRaw = (r: RawVolume): VolumeRow => ({ name: r.name, labels: JSON.parse(r.labels) as Record<string, string>, createdAt: r.created_at });

/** Records a volume; false when one of that name was already recorded. */
export function insertVolume(db: Db, v: VolumeRow): boolean {
  return db.prepare('INSERT OR IGNORE INTO volumes (name, labels, created_at) VALUES (?, ?, ?)').run(v.name, JSON.stringify(v.labels), v.createdAt).changes ===
    1;
}

export function getVolume(db: Db, name: string): VolumeRow | undefined {
  const r = db.prepare('SELECT name, labels, created_at FROM volumes WHERE name = ?').get(name) as RawVolume | undefined;
  return r && fromRaw(r);
}

export function allVolumes(db: Db): VolumeRow[] {
  return (db.prepare('SELECT name, labels, created_at FROM volumes ORDER BY name').all() as RawVolume[]).map(fromRaw);
}

export function deleteVolumeRow(db: Db, name: string): void {
  db.prepare('DELETE FROM volumes WHERE name = ?').run(name);
}
