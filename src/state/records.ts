// A container's rows in every table that describes it (its record, endpoints, ports, the
// networks and the image it uses), as plain column maps: the engine keeps a copy beside the
// container (berth.json) so that a lost instances file can be rebuilt from them. Restoring
// never overwrites: a row already present wins.
import type { Db } from './db.js';

export interface RecordSet {
  version: 1;
  container: Record<string, unknown>;
  endpoints: Record<string, unknown>[];
  ports: Record<string, unknown>[];
  networks: Record<string, unknown>[];
  images: Record<string, unknown>[];
  tags: Record<string, unknown>[];
  layers: Record<string, unknown>[];
  /** Its --userns=auto range, so that a rebuilt instances file gives it to no other container. */
  userns?: Record<string, unknown>[];
}

type Row = Record<string, unknown>;

export function readRecordSet(db: Db, id: string): RecordSet | undefined {
  const container = db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
  if (!container) return undefined;
  const endpoints = db.prepare('SELECT * FROM endpoints WHERE container_id = ?').all(id) as Row[];
  const networks = endpoints.length === 0 ? [] : db.prepare(
    `SELECT * FROM networks WHERE name IN (${endpoints.map(() => '?').join(', ')})`,
  ).all(...endpoints.map((e) => e.network)) as Row[];
  const images = db.prepare('SELECT * FROM images WHERE id = ?').all(container.image_id) as Row[];
  const diffIds = images.flatMap((i) => JSON.parse(String(i.layers)) as string[]);
  const layers = diffIds.length === 0 ? [] : db.prepare(
    `SELECT * FROM layers WHERE diff_id IN (${diffIds.map(() => '?').join(', ')})`,
  ).all(...diffIds) as Row[];
  return {
    version: 1,
    container,
    endpoints,
    ports: db.prepare('SELECT * FROM ports WHERE container_id = ?').all(id) as Row[],
    networks,
    images,
    tags: db.prepare('SELECT * FROM tags WHERE image_id = ?').all(container.image_id) as Row[],
    layers,
    userns: db.prepare('SELECT * FROM userns_ranges WHERE container_id = ?').all(id) as Row[],
  };
}

// The columns a record set may carry, per table: a file on disk names columns, and only these
// may reach an INSERT statement.
const COLUMNS: Record<string, readonly string[]> = {
  images: ['id', 'manifest_digest', 'config', 'layers', 'size', 'created'],
  tags: ['name', 'image_id'],
  layers: ['diff_id', 'blob_digest', 'size'],
  networks: ['name', 'id', 'bridge', 'subnet', 'gateway', 'ip_range', 'internal', 'labels', 'created_at'],
  containers: ['id', 'name', 'image_id', 'image_ref', 'spec', 'labels', 'status', 'pid', 'conmon_pid', 'exit_code', 'oom_killed', 'restart_count', 'runtime',
    'created_at', 'started_at', 'finished_at', 'boot_id', 'conmon_start', 'stop_requested', 'run_id', 'pid_start', 'restart_backoff_ms'],
  endpoints: ['container_id', 'network', 'ifname', 'ip', 'static_ip', 'mac', 'aliases'],
  ports: ['container_id', 'host_ip', 'host_port', 'container_port', 'proto'],
  userns_ranges: ['container_id', 'uid_start', 'uid_size', 'gid_start', 'gid_size'],
};

function insert(db: Db, table: string, row: Row): boolean {
  const cols = COLUMNS[table]!.filter((c) => c in row);
  const values = cols.map((c) => {
    const v = row[c];
    return v === undefined || (typeof v === 'object' && v !== null) ? null : v;
  });
  const r = db.prepare(`INSERT OR IGNORE INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
  return r.changes > 0;
}

/** A network's row, for the copy kept in ROOT/networks/ID.json. */
export function readNetworkRow(db: Db, name: string): Row | undefined {
  return db.prepare('SELECT * FROM networks WHERE name = ?').get(name) as Row | undefined;
}

/** Puts a network's row back unless its name, id or bridge is taken; the caller holds the transaction. */
export function restoreNetworkRow(db: Db, row: Row): boolean {
  return insert(db, 'networks', row);
}

export type RestoreOutcome = 'restored' | 'present' | 'name_taken';

/** Puts a record set back; the caller holds the transaction. */
export function restoreRecordSet(db: Db, s: RecordSet): RestoreOutcome {
  const id = String(s.container.id);
  if (db.prepare('SELECT 1 FROM containers WHERE id = ?').get(id)) return 'present';
  if (db.prepare('SELECT 1 FROM containers WHERE name = ?').get(s.container.name)) return 'name_taken';
  for (const i of s.images) insert(db, 'images', i);
  for (const t of s.tags) insert(db, 'tags', t);
  for (const l of s.layers) insert(db, 'layers', l);
  for (const n of s.networks) insert(db, 'networks', n);
  insert(db, 'containers', s.container);
  for (const e of s.endpoints) insert(db, 'endpoints', e);
  for (const p of s.ports) insert(db, 'ports', p);
  for (const u of s.userns ?? []) insert(db, 'userns_ranges', u);
  return 'restored';
}
