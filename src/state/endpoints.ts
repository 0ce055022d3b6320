// Typed access to the endpoints table: one row per (container, network), with its interface
// name and address. `ip` is NULL while a dynamic address is released (the container stopped);
// UNIQUE(network, ip) is the last word on who holds an address. Callers own the transactions.
import type { Db } from './db.js';
import { isUniqueViolation } from './db.js';
import type { EndpointRow } from '../common/rows.js';
export type { EndpointRow } from '../common/rows.js';

export const endpointsOfContainer = (db: Db, containerId: string) =>
  db.prepare('SELECT * FROM endpoints WHERE container_id = ?').all(containerId) as EndpointRow[];

export const endpointsOnNetwork = (db: Db, network: string) => db.prepare('SELECT * FROM endpoints WHERE network = ?').all(network) as EndpointRow[];

/** Every endpoint holding an address, grouped by container. */
export const addressedEndpoints = (db: Db) => db.prepare('SELECT * FROM endpoints WHERE ip IS NOT NULL ORDER BY container_id').all() as EndpointRow[];

/** Every endpoint, ordered by interface name. */
export const allEndpoints = (db: Db) => db.prepare('SELECT * FROM endpoints ORDER BY ifname').all() as EndpointRow[];

export const addressTaken = (db: Db, network: string, ip: string) =>
  db.prepare('SELECT 1 FROM endpoints WHERE network = ? AND ip = ?').get(network, ip) !== undefined;

export const addressesOnNetwork = (db: Db, network: string) =>
  (db.prepare('SELECT ip FROM endpoints WHERE network = ? AND ip IS NOT NULL').all(network) as Array<{ ip: string }>).map((r) => r.ip);

/** False when the address is already held on that network. */
export function insertEndpointRow(db: Db, row: EndpointRow): boolean {
  try {
    db.prepare(`INSERT INTO endpoints (container_id, network, ifname, ip, static_ip, mac, aliases)
                VALUES (@container_id, @network, @ifname, @ip, @static_ip, @mac, @aliases)`).run(row);
    return true;
  } catch (e) {
    if (isUniqueViolation(e)) return false;
    throw e;
  }
}

export function setEndpointAddress(db: Db, containerId: string, network: string, ip: string): void {
  db.prepare('UPDATE endpoints SET ip = ? WHERE container_id = ? AND network = ?').run(ip, containerId, network);
}

/** At stop: dynamic addresses go back to the pool, static ones stay the container's. */
export function releaseDynamicAddresses(db: Db, containerId: string): void {
  db.prepare('UPDATE endpoints SET ip = NULL WHERE container_id = ? AND static_ip = 0').run(containerId);
}

export const holdsDynamicAddress = (db: Db, containerId: string) =>
  db.prepare('SELECT 1 FROM endpoints WHERE container_id = ? AND static_ip = 0 AND ip IS NOT NULL').get(containerId) !== undefined;

export const containersWithEndpoints = (db: Db) =>
  (db.prepare('SELECT DISTINCT container_id AS id FROM endpoints').all() as Array<{ id: string }>).map((r) => r.id);

/** The container's addresses on networks that route to the host (not internal ones). */
export const routedAddresses = (db: Db, containerId: string) =>
  db.prepare(`SELECT e.ip AS ip, e.ifname AS ifname FROM endpoints e JOIN networks n ON n.name = e.network
              WHERE e.container_id = ? AND e.ip IS NOT NULL AND n.internal = 0`).all(containerId) as Array<{ ip: string; ifname: string }>;

export function deleteEndpoint(db: Db, containerId: string, network: string): void {
  db.prepare('DELETE FROM endpoints WHERE container_id = ? AND network = ?').run(containerId, network);
}

export function deleteEndpointsOfContainer(db: Db, containerId: string): void {
  db.prepare('DELETE FROM endpoints WHERE container_id = ?').run(containerId);
}

export function deleteEndpointsOnNetwork(db: Db, network: string): void {
  db.prepare('DELETE FROM endpoints WHERE network = ?').run(network);
}
