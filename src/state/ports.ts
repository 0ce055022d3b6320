// Typed access to the ports table: published host ports. UNIQUE(host_port, proto) makes two
// containers that race for one port fail in the database, not in nftables. Callers own the
// transactions.
import type { Db } from './db.js';
import { isUniqueViolation } from './db.js';
import type { PortRow } from '../common/rows.js';
export type { PortRow } from '../common/rows.js';

export const portsOfContainer = (db: Db, containerId: string) =>
  db.prepare('SELECT * FROM ports WHERE container_id = ? ORDER BY host_port, proto').all(containerId) as PortRow[];

/** Who publishes a host port: undefined when nobody; name null when its container row is gone. */
export const portPublisher = (db: Db, hostPort: number, proto: string) =>
  db.prepare('SELECT c.name AS name FROM ports p LEFT JOIN containers c ON c.id = p.container_id WHERE p.host_port = ? AND p.proto = ?')
    .get(hostPort, proto) as { name: string | null } | undefined;

/** False when the host port is already published for that protocol. */
export function insertPortRow(db: Db, row: PortRow): boolean {
  try {
    db.prepare(`INSERT INTO ports (container_id, host_ip, host_port, container_port, proto)
                VALUES (@container_id, @host_ip, @host_port, @container_port, @proto)`).run(row);
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

export function deletePortsOfContainer(db: Db, containerId: string): void {
  db.prepare('DELETE FROM ports WHERE container_id = ?').run(containerId);
}
