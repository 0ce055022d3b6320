// Typed access to the networks table. network/ owns what a network means; this module only
// moves rows in and out. Callers own the transactions.
import type { Db } from './db.js';
import { isKeyViolation } from './db.js';
import type { NetworkRow } from '../common/rows.js';
export type { NetworkRow } from '../common/rows.js';

export const getNetworkRow = (db: Db, name: string) => db.prepare('SELECT * FROM networks WHERE name = ?').get(name) as NetworkRow | undefined;

/** Oldest first (the default network, made first, leads). */
export const allNetworkRows = (db: Db) => db.prepare('SELECT * FROM networks ORDER BY created_at, name').all() as NetworkRow[];

/** False when the name, id or bridge is already taken (a racing create won). */
export function insertNetworkRow(db: Db, row: NetworkRow): boolean {
  try {
    db.prepare(`INSERT INTO networks (name, id, bridge, subnet, gateway, ip_range, internal, labels, created_at)
                VALUES (@name, @id, @bridge, @subnet, @gateway, @ip_range, @internal, @labels, @created_at)`).run(row);
    return true;
  } catch (e) {
    if (isKeyViolation(e)) return false;
    throw e;
  }
}

export function deleteNetworkRow(db: Db, name: string): void {
  db.prepare('DELETE FROM networks WHERE name = ?').run(name);
}

/** name, gateway and subnet of every network, for views that show a container's addresses. */
export const networkAddressing = (db: Db) =>
  db.prepare('SELECT name, gateway, subnet FROM networks').all() as Array<{ name: string; gateway: string; subnet: string }>;
