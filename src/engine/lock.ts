// Locks across berth processes: they serialise the slow parts (mount, runtime, network) of one
// container or network, so that `stop` and conmon's exit callback never tear the same container
// down at once. A lock is a row of the instances file naming its holder by pid, start time and
// boot (state/locks.ts): a holder killed with -9 is seen to be gone, a reused pid is not taken
// for it, and taking over a dead holder's lock is one transaction, so no two waiters can both
// take it, or one delete the other's.
import { isBerthError, unavailable } from '../common/errors.js';
import { sleepMs } from '../common/sleep.js';
import { releaseLock, tryTakeLock, type LockOwner } from '../state/locks.js';
import { bootId, processStartTime, sameProcessAlive } from '../sys/proc.js';
import type { EngineContext } from './context.js';

export interface Lock {
  release(): void;
}

let self: LockOwner | undefined;
function me(): LockOwner {
  self ??= { pid: process.pid, start: processStartTime(process.pid) ?? 0, boot: bootId() };
  return self;
}

const alive = (o: LockOwner) => o.boot === me().boot && sameProcessAlive(o.pid, o.start);

// Locks this process holds, with their depth: a verb that holds a container's lock may call a
// helper that takes it again (reconcile inside stop), which must not wait for itself. In a
// long-lived process (berth serve) the holder may instead be another request's operation, paused
// at an await: see lockContainerIfFree.
const held = new Map<string, number>();

function lockNamed(ctx: EngineContext, name: string, what: string, timeoutMs: number): Lock {
  const key = `${ctx.paths.root}\0${name}`;
  const depth = held.get(key);
  if (depth !== undefined) {
    held.set(key, depth + 1);
    let once = true;
    return { release() {
      if (once) {
        once = false;
        held.set(key, held.get(key)! - 1);
      }
    } };
  }
  const deadline = Date.now() + timeoutMs;
  let wait = 2;
  while (!tryTakeLock(ctx.db, name, me(), alive)) {
    if (Date.now() > deadline) throw unavailable('lock.busy', `${what} is busy: another berth command holds its lock`);
    sleepMs(wait);
    wait = Math.min(wait * 2, 50);
  }
  held.set(key, 0);
  let mine = true;
  return {
    release() {
      if (!mine) return;
      mine = false;
      held.delete(key);
      releaseLock(ctx.db, name, me());
    },
  };
}

export function lockContainer(ctx: EngineContext, id: string, timeoutMs = 60_000): Lock {
  return lockNamed(ctx, `container:${id}`, `container ${id.slice(0, 12)}`, timeoutMs);
}

/**
 * The container's lock only if nobody holds it, this process included, else undefined: for
 * mending what a berth that died left (a run directory without a run). A holder in this very
 * process is an operation still going on, e.g. a start that berth serve paused at an await to
 * answer a `ps`; taking its lock again as a helper would, as the mender did, tear down the rootfs
 * and runtime state under it ("command not found in image", runc's "unable to store init state").
 */
export function lockContainerIfFree(ctx: EngineContext, id: string): Lock | undefined {
  if (held.has(`${ctx.paths.root}\0container:${id}`)) return undefined;
  try {
    return lockNamed(ctx, `container:${id}`, `container ${id.slice(0, 12)}`, 0);
  } catch (e) {
    if (isBerthError(e) && e.code === 'lock.busy') return undefined;
    throw e;
  }
}

export function lockNetwork(ctx: EngineContext, name: string, timeoutMs = 60_000): Lock {
  return lockNamed(ctx, `network:${name}`, `network ${name}`, timeoutMs);
}
