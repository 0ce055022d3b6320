// Errors of the machine rather than of berth: a read-only or full disk, a damaged instances
// file. They reach a front as SQLite's or Node's errors; this turns them into the one line a
// user can act on (exit 125), so that "internal error" stays for bugs.
import { statfsSync } from 'node:fs';
import { BerthError } from './errors.js';

/**
 * SQLite reports a write to its -wal or -shm that found no room as a plain I/O error
 * (SQLITE_IOERR_WRITE, _SHMSIZE...): on a disk with nothing left, that is the disk being full.
 */
function fullDisk(root: string): boolean {
  try {
    return statfsSync(root).bavail === 0;
  } catch {
    return false;
  }
}

let root = '';
/** The berth root of this command, for the fronts that report a failure per object (cli/each-ref.ts). */
export function setCommandRoot(r: string): void {
  root = r;
}
export const commandRoot = (): string => root;

export function asSystemError(e: unknown, root: string): BerthError | undefined {
  if (!(e instanceof Error)) return undefined;
  const raw = (e as { code?: unknown }).code;
  const code = typeof raw === 'string' ? raw : '';
  const db = `${root}/berth.db`;
  if (code.startsWith('SQLITE_READONLY')) {
    return new BerthError('Unavailable', 'state.read_only', `the instances file ${db} cannot be written (${e.message})`, {
      hint: 'make it and its file system writable (mount options, chattr -i), then try again',
      cause: e,
    });
  }
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT' || (code.startsWith('SQLITE_IOERR') && fullDisk(root))) {
    return new BerthError('Unavailable', 'disk.full', `no space left on the disk holding ${root} (${e.message})`, {
      hint: 'free some space: berth rm unused containers, berth image prune; berth system df shows what is used',
      cause: e,
    });
  }
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    return new BerthError('Corrupt', 'state.corrupt', `the instances file ${db} is damaged (${e.message})`, {
      hint: `move it aside (mv ${db} ${db}.damaged), then run "berth system recover"`,
      cause: e,
    });
  }
  if (code === 'EROFS') {
    return new BerthError('Unavailable', 'disk.read_only', `read-only file system: ${e.message}`, { hint: `berth needs ${root} writable`, cause: e });
  }
  return undefined;
}
