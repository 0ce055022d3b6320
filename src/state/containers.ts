// Typed access to the containers table. The engine owns what the spec document holds; this
// module only moves rows in and out.
import type { Db } from './db.js';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'exited';

export interface ContainerRow<Spec = unknown> {
  id: string;
  name: string;
  imageId: string;
  imageRef: string;
  spec: Spec;
  labels: Record<string, string>;
  status: ContainerStatus;
  pid: number | null;
  conmonPid: number | null;
  conmonStart: number | null;
  exitCode: number | null;
  oomKilled: boolean;
  restartCount: number;
  runtime: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  bootId: string | null;
  stopRequested: boolean;
  /** Names the current run; conmon's exit callback carries the id of the run it watched. */
  runId: string | null;
  /** The init's start time in clock ticks, to tell it from a process that reused its pid. */
  pidStart: number | null;
  /** The restart policy's current delay; 0 after a run that lasted. */
  restartBackoffMs: number;
}

interface RawRow {
  id: string;
  name: string;
  image_id: string;
  image_ref: string;
  spec: string;
  labels: string;
  status: string;
  pid: number | null;
  conmon_pid: number | null;
  conmon_start: number | null;
  exit_code: number | null;
  oom_killed: number;
  restart_count: number;
  runtime: string;
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  boot_id: string | null;
  stop_requested: number;
  run_id: string | null;
  pid_start: number | null;
  restart_backoff_ms: number;
}

function fromRaw<S>(r: RawRow): ContainerRow<S> {
  return {
    id: r.id,
    name: r.name,
    imageId: r.image_id,
    imageRef: r.image_ref,
    spec: JSON.parse(r.spec) as S,
    labels: JSON.parse(r.labels) as Record<string, string>,
    status: r.status as ContainerStatus,
    pid: r.pid,
    conmonPid: r.conmon_pid,
    conmonStart: r.conmon_start,
    exitCode: r.exit_code,
    oomKilled: r.oom_killed === 1,
    restartCount: r.restart_count,
    runtime: r.runtime,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    bootId: r.boot_id,
    stopRequested: r.stop_requested === 1,
    runId: r.run_id,
    pidStart: r.pid_start,
    restartBackoffMs: r.restart_backoff_ms,
  };
}

export function insertContainer<S>(db: Db, row: ContainerRow<S>): void {
  db.prepare(`INSERT INTO containers (id, name, image_id, image_ref, spec, labels, status, runtime, created_at)
              VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`)
    .run(row.id, row.name, row.imageId, row.imageRef, JSON.stringify(row.spec), JSON.stringify(row.labels), row.status, row.runtime, row.createdAt);
}

export function getContainer<S>(db: Db, id: string): ContainerRow<S> | undefined {
  const r = db.prepare('SELECT * FROM containers WHERE id = ?').get(id) as RawRow | undefined;
  return r && fromRaw<S>(r);
}

// The columns of RawRow in a fixed order, for reading many rows as arrays: better-sqlite3 builds
// an array per row about twice as fast as an object, which `ps -a` with 1,000 containers notices.
const COLUMNS = ['id', 'name', 'image_id', 'image_ref', 'spec', 'labels', 'status', 'pid', 'conmon_pid', 'conmon_start', 'exit_code', 'oom_killed',
  'restart_count', 'runtime', 'created_at', 'started_at', 'finished_at', 'boot_id', 'stop_requested', 'run_id', 'pid_start',
  'restart_backoff_ms'] as const satisfies readonly (keyof RawRow)[];

export function allContainers<S>(db: Db): ContainerRow<S>[] {
  const rows = db.prepare(`SELECT ${COLUMNS.join(', ')} FROM containers ORDER BY created_at DESC`).raw(true).all() as unknown[][];
  return rows.map((a) => {
    const [id, name, image_id, image_ref, spec, labels, status, pid, conmon_pid, conmon_start, exit_code, oom_killed, restart_count, runtime, created_at,
      started_at, finished_at, boot_id, stop_requested, run_id, pid_start, restart_backoff_ms] = a as unknown as RowTuple;
    return fromRaw<S>({ id, name, image_id, image_ref, spec, labels, status, pid, conmon_pid, conmon_start, exit_code, oom_killed, restart_count, runtime,
      created_at, started_at, finished_at, boot_id, stop_requested, run_id, pid_start, restart_backoff_ms });
  });
}

type Cells<T extends readonly (keyof RawRow)[]> = { -readonly [K in keyof T]: RawRow[T[K] & keyof RawRow] };
type RowTuple = Cells<typeof COLUMNS>;

/** Candidates for a user's reference: exact name, exact id, or id prefix. */
export function findContainers<S>(db: Db, ref: string): ContainerRow<S>[] {
  const exact = db.prepare('SELECT * FROM containers WHERE name = ? OR id = ?').all(ref, ref) as RawRow[];
  if (exact.length > 0) return exact.map((r) => fromRaw<S>(r));
  if (!/^[0-9a-f]{1,64}$/.test(ref)) return [];
  return (db.prepare('SELECT * FROM containers WHERE substr(id, 1, ?) = ?').all(ref.length, ref) as RawRow[]).map((r) => fromRaw<S>(r));
}

export interface StatusUpdate {
  status?: ContainerStatus;
  pid?: number | null;
  conmonPid?: number | null;
  conmonStart?: number | null;
  exitCode?: number | null;
  oomKilled?: boolean;
  restartCount?: number;
  startedAt?: string | null;
  finishedAt?: string | null;
  bootId?: string | null;
  stopRequested?: boolean;
  runId?: string | null;
  pidStart?: number | null;
  restartBackoffMs?: number;
}

const COLUMN: Record<keyof StatusUpdate, string> = {
  status: 'status',
  pid: 'pid',
  conmonPid: 'conmon_pid',
  conmonStart: 'conmon_start',
  exitCode: 'exit_code',
  oomKilled: 'oom_killed',
  restartCount: 'restart_count',
  startedAt: 'started_at',
  finishedAt: 'finished_at',
  bootId: 'boot_id',
  stopRequested: 'stop_requested',
  runId: 'run_id',
  pidStart: 'pid_start',
  restartBackoffMs: 'restart_backoff_ms',
};

/** The cells an update writes, by column, as the row holds them: for a copy of the row made before the update commits. */
export function statusCells(u: StatusUpdate): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(u) as (keyof StatusUpdate)[]) {
    const v = u[k];
    out[COLUMN[k]] = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  }
  return out;
}

export function updateContainer(db: Db, id: string, u: StatusUpdate): void {
  const cells = statusCells(u);
  const cols = Object.keys(cells);
  if (cols.length === 0) return;
  db.prepare(`UPDATE containers SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...Object.values(cells), id);
}

export function deleteContainerRow(db: Db, id: string): void {
  db.prepare('DELETE FROM containers WHERE id = ?').run(id);
}

export function nameTaken(db: Db, name: string): boolean {
  return db.prepare('SELECT 1 FROM containers WHERE name = ?').get(name) !== undefined;
}

export function containerNameOf(db: Db, id: string): string | undefined {
  return (db.prepare('SELECT name FROM containers WHERE id = ?').get(id) as { name: string } | undefined)?.name;
}

/** The name of some container made from the image, if any. */
export function containerUsingImage(db: Db, imageId: string): string | undefined {
  return (db.prepare('SELECT name FROM containers WHERE image_id = ? LIMIT 1').get(imageId) as { name: string } | undefined)?.name;
}

/** Ids of the images containers were made from. */
export function imagesInUse(db: Db): string[] {
  return (db.prepare('SELECT DISTINCT image_id FROM containers').all() as Array<{ image_id: string }>).map((r) => r.image_id);
}

/** id, status and characteristics of every container, for disk usage (the engine owns the spec's shape). */
export function containerSpecs(db: Db): Array<{ id: string; status: string; spec: unknown }> {
  return (db.prepare('SELECT id, status, spec FROM containers').all() as Array<{ id: string; status: string; spec: string }>)
    .map((r) => ({ id: r.id, status: r.status, spec: JSON.parse(r.spec) as unknown }));
}
