// A little space kept back on the disk that holds the instances file (ROOT/berth.db.reserve),
// so that on a full disk the commands that free space or finish work (stop, kill, rm, ps's
// reconcile) can still commit: when SQLite answers "database or disk is full" to one of them,
// the reserve is given up and the transaction tried again. Commands that would use space
// (run, create, pull, build) never take it, so they fail with the disk full and change nothing.
// The reserve is made again at the next open once there is room.
import { closeSync, fsyncSync, ftruncateSync, openSync, renameSync, rmSync, statfsSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from './db.js';

const RESERVE_BYTES = 2 * 1024 * 1024;
const file = (root: string) => join(root, 'berth.db.reserve');

/** One stat on the normal path; the write happens once per root, or after a full disk. */
export function keepReserve(root: string): void {
  const path = file(root);
  let have = -1;
  try {
    have = statSync(path).size;
  } catch { /* none yet */ }
  if (have >= RESERVE_BYTES) return;
  // A short reserve (made again on a full disk, see refillReserve) is kept until a whole one fits.
  writeReserve(path, RESERVE_BYTES, RESERVE_BYTES);
}

/**
 * On a disk that stays full, makes the reserve again from whatever room is left, down to what
 * one more command needs to open and commit (SQLite's -shm and a few WAL frames): called by a
 * command that spent it while nothing else could take the room (engine/quiet-writers.ts).
 */
export function refillReserve(root: string): void {
  const path = file(root);
  let have = 0;
  try {
    have = statSync(path).size;
  } catch { /* spent */ }
  if (have >= RESERVE_BYTES) return;
  let room = 0;
  try {
    const st = statfsSync(root);
    room = st.bavail * st.bsize;
  } catch { /* no answer: nothing to take */ }
  const want = Math.min(RESERVE_BYTES, room + have);
  if (want > have && want >= MIN_RESERVE_BYTES) writeReserve(path, want, MIN_RESERVE_BYTES);
}

const MIN_RESERVE_BYTES = 256 * 1024;

/** Writes a reserve of `size` bytes (temporary file, fsync, rename), kept if at least `least` fitted. */
function writeReserve(path: string, size: number, least: number): void {
  const tmp = `${path}.tmp`;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    let wrote = 0;
    try {
      // A nearly full disk takes part of it and writeSync returns short (or fails) rather than
      // writing it all: a reserve smaller than `least` is none (the next open tries again).
      try {
        wrote = writeSync(fd, Buffer.alloc(size));
      } catch { /* ENOSPC at the first byte */ }
      if (wrote < least) throw new Error('short write');
      if (wrote < size) ftruncateSync(fd, wrote);
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

/** The disk holding `root` has no room left for an unprivileged writer. */
export function noRoom(root: string): boolean {
  try {
    return statfsSync(root).bavail === 0;
  } catch {
    return false;
  }
}

const allowed = new WeakSet<Db>();

let beforeSpend: ((root: string) => void) | undefined;
/** Called just before the reserve is given up (engine/quiet-writers.ts holds the logs still then). */
export function onSpend(fn: (root: string) => void): void {
  beforeSpend = fn;
}
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
  return giveUp(root);
}

/** Holds the log writers still (beforeSpend), then deletes the reserve; true when there was one. */
function giveUp(root: string): boolean {
  beforeSpend?.(root);
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
  return giveUp(root);
}
