// Per-container locks across berth processes. The instances file serialises record changes;
// these serialise the slow parts (mount, runtime, network) of one container, so `stop` and
// conmon's exit callback never tear the same container down at once. A lock whose owner died
// (kill -9) is taken over: the file holds the owner's pid.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { unavailable } from '../common/errors.js';
import { sleepMs } from '../common/sleep.js';

function ownerAlive(path: string): boolean {
  try {
    const pid = Number(readFileSync(path, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a dead owner's lock. Two berths that both saw it dead (conmon's exit callback and the
 * user's next command, after a kill -9) must not both remove it: the second would remove the
 * lock the first has just taken. So the look and the removal are made under a second lock
 * file, and the owner is looked at again there. That one is held for a few system calls; if
 * its own holder died in them, it is removed as stale after a second.
 */
function breakStale(path: string): void {
  const brk = `${path}.break`;
  let fd: number;
  try {
    fd = openSync(brk, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    try {
      if (Date.now() - statSync(brk).mtimeMs > 1000) unlinkSync(brk);
    } catch { /* released meanwhile */ }
    sleepMs(2);
    return;
  }
  try {
    if (isStale(path)) unlinkSync(path);
  } finally {
    closeSync(fd);
    unlinkSync(brk);
  }
}

/**
 * Looked at under the break lock: a lock that is gone has nothing to break (its remover may be
 * taking it anew), and an empty one is being written by an owner between open and write.
 */
function isStale(path: string): boolean {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return false;
  }
  if (text === '') {
    try { return Date.now() - statSync(path).mtimeMs > 1000; } catch { return false; }
  }
  return !ownerAlive(path);
}

export interface Lock { release(): void }

// Locks this process holds, with their depth: a verb that holds a container's lock may call a
// helper that takes it again (reconcile inside stop), which must not wait for itself.
const held = new Map<string, number>();

export function lockContainer(runroot: string, id: string, timeoutMs = 60_000): Lock {
  const dir = join(runroot, 'locks');
  const path = join(dir, `${id}.lock`);
  const depth = held.get(path);
  if (depth !== undefined) {
    held.set(path, depth + 1);
    let once = true;
    return { release() { if (once) { once = false; held.set(path, held.get(path)! - 1); } } };
  }
  mkdirSync(dir, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  for (;;) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      held.set(path, 0);
      let mine = true;
      return {
        release() {
          if (!mine) return;
          mine = false;
          held.delete(path);
          try { unlinkSync(path); } catch { /* already gone */ }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (!ownerAlive(path)) {
      // The owner died mid-operation; its record and kernel objects are reconciled by the caller.
      breakStale(path);
      continue;
    }
    if (Date.now() > deadline) throw unavailable('container.locked', `container ${id.slice(0, 12)} is busy: another berth command holds its lock`);
    sleepMs(wait);
    wait = Math.min(wait * 2, 50);
  }
}
