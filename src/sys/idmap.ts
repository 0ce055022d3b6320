// Idmapped bind mounts (open_tree + mount_setattr + move_mount) through berth's own helper,
// helpers/idmap-mount.c, built into build/helpers by `make build`: runc 1.1 and util-linux 2.38
// cannot make them, and Node has no binding for these system calls.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unavailable } from '../common/errors.js';
import { run } from './exec.js';

export interface IdMap {
  containerID: number;
  hostID: number;
  size: number;
}

const HELPER = 'berth-idmap-mount';

function helperPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  // build/bundle/berth.cjs and build/src/sys/idmap.js both sit under build/.
  const found = [join(here, '..', 'helpers', HELPER), join(here, '..', '..', 'helpers', HELPER)].find((p) => existsSync(p));
  if (found === undefined) throw unavailable('userns.no_helper', `${HELPER} is not built`, 'run make build (it needs gcc)');
  return found;
}

const mapArg = (maps: readonly IdMap[]) => maps.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',');

/** Mounts each source at its target, seen through the maps (a file of host uid 0 shows as hostID). */
export function idmapMount(maps: { uid: readonly IdMap[]; gid: readonly IdMap[] }, pairs: readonly { source: string; target: string }[]): void {
  if (pairs.length === 0) return;
  run(helperPath(), [mapArg(maps.uid), mapArg(maps.gid), ...pairs.flatMap((p) => [p.source, p.target])]);
}
