// A little space kept back on the disk that holds the instances file (ROOT/berth.db.reserve),
// so that on a full disk the commands that free space or finish work (stop, kill, rm, ps's
// reconcile) can still commit: when SQLite answers "database or disk is full" to one of them,
// the reserve is given up and the transaction tried again. Commands that would use space
// (run, create, pull, build) never take it, so they fail with the disk full and change nothing.
// The reserve is made again at the next open once there is room.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.js';

const RESERVE_BYTES = 2 * 1024 * 1024;
const file = (root: string) => join(root, 'berth.db.reserve');

/** One stat on the normal path; the write happens once per root, or after a full disk. */
export function keepReserve(root: string): void {
  const path = file(root);
  if (existsSync(path)) return;
  const tmp = `${path}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      // A nearly full disk takes part of it and writeSync returns short rather than failing: a
      // reserve smaller than promised is none (the next open tries again).
      if (writeSync(fd, Buffer.alloc(RESERVE_BYTES)) !== RESERVE_BYTES) throw new Error('short write');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch {
    // No room for it yet: the next open tries again.
    rmSync(tmp, { force: true });
  }
}

function noRoom(root: string): boolean {
  try {
    return statfsSync(root).bavail === 0;
  } catch {
    return false;
  }
}

const allowed = new WeakSet<Db>();
const roots = new WeakMap<Db, string>();

export function registerRoot(db: Db, root: string): void {
  roots.set(db, root);
}

/** The operation on this connection frees space or finishes work: it may spend the reserve. */
export function mayUseReserve(db: Db): void {
  allowed.add(db);
}

/**
 * Opening needs room too: SQLite makes its -shm (32 KiB) and -wal again after the last
 * connection closed. On a disk with none, every command, ps included, would fail at open; the
 * reserve is given up for it, as for the commands that free space. True when there was one.
 */
export function spendReserveToOpen(root: string, e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !(code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) || !noRoom(root)) return false;
  try {
    unlinkSync(file(root));
    return true;
  } catch {
    return false;
  }
}

/** Gives up the reserve for a write that found the disk full; true when there was one. */
export function spendReserve(db: Db, e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !allowed.has(db)) return false;
  const root = roots.get(db);
  if (root === undefined) return false;
  // A -wal or -shm write that found no room is answered as an I/O error, not as SQLITE_FULL.
  if (code !== 'SQLITE_FULL' && !(code.startsWith('SQLITE_IOERR') && noRoom(root))) return false;
  try {
    unlinkSync(file(root));
    return true;
  } catch {
    return false;
  }
}
