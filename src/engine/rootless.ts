// Rootless berth: a command run by an ordinary user is run again inside that user's namespaces
// (sys/rootless.ts), where it is root over the user's own ids and files only. Inside, the
// command's berth sees uid 0 and goes on as root's would; the parts that differ ask
// sys/rootless.ts's inUserNamespace().
import { lstatSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { BerthError } from '../common/errors.js';
import type { BerthPaths } from '../common/types.js';
import { ensurePause, runJoined } from '../sys/rootless.js';

/**
 * A runroot in /tmp could have been made by another user to catch ours: it must be a directory
 * of ours, not a link (Podman checks the same of its /tmp fallback).
 */
function ownRunroot(runroot: string, uid: number): void {
  try {
    mkdirSync(dirname(runroot), { recursive: true, mode: 0o700 });
    mkdirSync(runroot, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new BerthError('Unavailable', 'rootless.runroot', `cannot make the runroot ${runroot}: ${(e as Error).message}`, {
        hint: 'set XDG_RUNTIME_DIR to a directory of yours (or unset it for /tmp/berth-UID), or give --runroot',
      });
    }
  }
  const st = lstatSync(runroot);
  if (!st.isDirectory() || st.uid !== uid) {
    throw new BerthError('Conflict', 'rootless.runroot_not_ours', `runroot ${runroot} is not a directory of uid ${uid}`, {
      hint: 'remove it, or set XDG_RUNTIME_DIR or --runroot to a directory of yours',
    });
  }
}

/** Runs `berth ARGS` (script, with the roots first) in the user's namespaces; its exit code. */
export async function joinRootless(o: { uid: number; paths: BerthPaths; node: string; script: string; argv: readonly string[] }): Promise<number> {
  ownRunroot(o.paths.runroot, o.uid);
  try {
    mkdirSync(o.paths.root, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new BerthError('Unavailable', 'rootless.root', `cannot make the root ${o.paths.root}: ${(e as Error).message}`, {
      hint: 'give --root a directory of yours',
    });
  }
  const pause = ensurePause(o.paths.runroot, o.uid);
  return runJoined(pause, o.node, [o.script, '--root', o.paths.root, '--runroot', o.paths.runroot, ...o.argv]);
}
