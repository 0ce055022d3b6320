// Per-container locks across berth processes. The instances file serialises record changes;
// these serialise the slow parts (mount, runtime, network) of one container, so `stop` and
// conmon's exit callback never tear the same container down at once. A lock whose owner died
// (kill -9) is taken over: the file holds the owner's pid.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { unavailable } from '../common/errors.js';
import { sleepMs } from '../common/sleep.js';
import { pidAlive } from '../sys/proc.js';

function ownerAlive(path: string): boolean {
  try {
    return pidAlive(Number(readFileSync(path, 'utf8')));
  } catch {
    return false;
  }
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
      try { unlinkSync(path); } catch { /* someone else took it over */ }
      continue;
    }
    if (Date.now() > deadline) throw unavailable('container.locked', `container ${id.slice(0, 12)} is busy: another berth command holds its lock`);
    sleepMs(wait);
    wait = Math.min(wait * 2, 50);
  }
}
