// Lock rows: who holds a named lock (a container's, a network's), as a process identity that
// cannot be mistaken for another: pid, its start time and the boot. Taking a lock is one write
// transaction that checks the holder and replaces it only when it is gone, so two waiters can
// never both take over a dead holder's lock, nor one delete the other's.
import type { Db } from './db.js';
import { tx } from './db.js';

export interface LockOwner {
  pid: number;
  start: number;
  boot: string;
}

/** True when the lock is now ours; `alive` says whether another holder still runs. */
export function tryTakeLock(db: Db, name: string, me: LockOwner, alive: (o: LockOwner) => boolean): boolean {
  return tx(db, () => {
    const row = db.prepare('SELECT pid, start, boot FROM locks WHERE name = ?').get(name) as LockOwner | undefined;
    if (row && !(row.pid === me.pid && row.start === me.start && row.boot === me.boot) && alive(row)) return false;
    db.prepare('INSERT OR REPLACE INTO locks (name, pid, start, boot) VALUES (?, ?, ?, ?)').run(name, me.pid, me.start, me.boot);
    return true;
  });
}

export function releaseLock(db: Db, name: string, me: LockOwner): void {
  tx(db, () => db.prepare('DELETE FROM locks WHERE name = ? AND pid = ? AND start = ? AND boot = ?').run(name, me.pid, me.start, me.boot));
}
