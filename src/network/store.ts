// Typed access to the networks, endpoints and ports tables. Callers own the transactions.
import type { Db } from '../state/db.js';

export interface NetworkRow {
  name: string;
  id: string;
  bridge: string;
  subnet: string;
  gateway: string;
  ip_range: string | null;
  internal: number;
  labels: string;
  created_at: string;
}

export interface EndpointRow {
  container_id: string;
  network: string;
  ifname: string;
  ip: string | null;
  static_ip: number;
  mac: string | null;
  aliases: string;
}

export interface PortRow {
  container_id: string;
  host_ip: string;
  host_port: number;
  container_port: number;
  proto: string;
}

export const getNetworkRow = (db: Db, name: string) =>
  db.prepare('SELECT * FROM networks WHERE name = ?').get(name) as NetworkRow | undefined;

export const allNetworkRows = (db: Db) => db.prepare('SELECT * FROM networks ORDER BY created_at, name').all() as NetworkRow[];

/** A container's endpoints in interface order (eth0 first: it carries the default route). */
export function endpointsOf(db: Db, containerId: string): EndpointRow[] {
  const rows = db.prepare('SELECT * FROM endpoints WHERE container_id = ?').all(containerId) as EndpointRow[];
  return rows.sort((a, b) => ifnum(a.ifname) - ifnum(b.ifname));
}

function ifnum(ifname: string): number {
  return Number(ifname.replace(/^eth/, ''));
}

export const endpointsOn = (db: Db, network: string) =>
  db.prepare('SELECT * FROM endpoints WHERE network = ?').all(network) as EndpointRow[];

export const portsOf = (db: Db, containerId: string) =>
  db.prepare('SELECT * FROM ports WHERE container_id = ? ORDER BY host_port, proto').all(containerId) as PortRow[];

export function containerName(db: Db, containerId: string): string | undefined {
  const row = db.prepare('SELECT name FROM containers WHERE id = ?').get(containerId) as { name: string } | undefined;
  return row?.name;
}

export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}
