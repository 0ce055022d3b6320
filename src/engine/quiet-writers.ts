// On a disk with no room, a running container's log writer (its conmon) takes whatever space is
// freed within milliseconds: the reserve that the instances file's open and the commands that
// free space (stop, kill, rm, ps) give up to commit (state/reserve.ts) would be gone before
// their first write. So while the instances file is opened, and for the length of such a
// command, the conmons of this root are stopped (SIGSTOP: the container blocks on its output
// pipe and loses nothing that the full disk was not losing already), the reserve is made again
// from what was left, and they are let go (SIGCONT). The container a command stops is let go as
// soon as its process is gone, so that its conmon reaps it and records the exit. On a disk with
// room all this is one statfs.
import { join } from 'node:path';
import { noRoom, onSpend, refillReserve } from '../state/reserve.js';
import { listProcesses } from '../sys/proc.js';
import { sendSignal } from '../sys/signal.js';

interface Hold {
  depth: number;
  /** The writers are held: the disk was full at the start, or the reserve was spent since. */
  active: boolean;
  /** container id → its conmon's pid, stopped by us. */
  stopped: Map<string, number>;
}

/**
 * By root: the open inside a command shares the command's hold. Each berth process lets go only
 * the conmons it stopped itself, so that one ending early does not undo another's hold.
 */
const holds = new Map<string, Hold>();

/**
 * Runs fn with the log writers of `root` held still when its disk is full; nested calls share one
 * hold. `settle` gives back what fn's work no longer needs (the WAL) before the reserve is made.
 */
export function withWritersHeld<T>(root: string, fn: () => T, settle?: () => void): T {
  const held = holds.get(root);
  if (held !== undefined) {
    held.depth++;
    try {
      return fn();
    } finally {
      held.depth--;
    }
  }
  const full = noRoom(root);
  const h: Hold = { depth: 1, active: full, stopped: full ? stopWriters(root) : new Map<string, number>() };
  holds.set(root, h);
  try {
    return fn();
  } finally {
    holds.delete(root);
    if (h.active) {
      settle?.();
      // Before anyone can take it again: what was not used becomes the next command's reserve.
      refillReserve(root);
      for (const pid of h.stopped.values()) sendSignal(pid, 'SIGCONT');
    }
  }
}

// The disk filled while fn ran (a wait for a lock, a log writing meanwhile): the writers are held
// from the moment the reserve is given up, or they would take it before the retry commits.
// Held already or not, they are looked for again: another berth that held some may have let them go.
onSpend((root) => {
  const h = holds.get(root);
  if (h === undefined) return;
  h.active = true;
  for (const [id, pid] of stopWriters(root)) h.stopped.set(id, pid);
});

/** The container's process is gone: its conmon must run again to reap it and write the exit file. */
export function letGo(root: string, id: string): void {
  const h = holds.get(root);
  const pid = h?.stopped.get(id);
  if (h === undefined || pid === undefined) return;
  h.stopped.delete(id);
  sendSignal(pid, 'SIGCONT');
}

function stopWriters(root: string): Map<string, number> {
  const stopped = new Map<string, number>();
  for (const p of listProcesses()) {
    // conmon -b ROOT/containers/ID (runtime/oci.ts): only this root's.
    if (!p.cmdline[0]?.endsWith('conmon')) continue;
    const b = p.cmdline.indexOf('-b');
    const bundle = b >= 0 ? p.cmdline[b + 1] : undefined;
    const id = bundle?.split('/').pop();
    if (bundle === undefined || id === undefined || bundle !== join(root, 'containers', id)) continue;
    // Stopped already: another berth holds it and lets it go when done (system check finds one
    // whose holder died, see check-procs.ts).
    if (p.state === 'T') continue;
    if (sendSignal(p.pid, 'SIGSTOP')) stopped.set(id, p.pid);
  }
  return stopped;
}
