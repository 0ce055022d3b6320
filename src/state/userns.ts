// The subordinate id ranges held by --userns=auto containers. The caller chooses a free range
// and records it in the same write transaction (tx), so two parallel creates never get the same.
import type { Db } from './db.js';

export interface IdRange {
  start: number;
  size: number;
}

export interface UsernsAllocation {
  containerId: string;
  uid: IdRange;
  gid: IdRange;
}

interface Row {
  container_id: string;
  uid_start: number;
  uid_size: number;
  gid_start: number;
  gid_size: number;
}

export function listUsernsAllocations(db: Db): UsernsAllocation[] {
  const rows = db.prepare('SELECT container_id, uid_start, uid_size, gid_start, gid_size FROM userns_ranges ORDER BY uid_start').all() as Row[];
  return rows.map((r) => ({
    containerId: r.container_id,
    uid: { start: r.uid_start, size: r.uid_size },
    gid: { start: r.gid_start, size: r.gid_size },
  }));
}

/** Inside the caller's tx, after the container's row: freed with it (ON DELETE CASCADE). */
export function recordUsernsAllocation(db: Db, a: UsernsAllocation): void {
  db.prepare('INSERT INTO userns_ranges (container_id, uid_start, uid_size, gid_start, gid_size) VALUES (?, ?, ?, ?, ?)')
    .run(a.containerId, a.uid.start, a.uid.size, a.gid.start, a.gid.size);
}
