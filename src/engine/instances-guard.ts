// The instances file's guard: a missing or empty berth.db in a root that holds containers is
// refused (engine/record-file.ts keeps what rebuilds it). Apart from the context that calls it,
// so that it imports nothing of the engine.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { corrupt } from '../common/errors.js';

const isId = (s: string) => /^[0-9a-f]{64}$/.test(s);

/** Containers that have a directory in this root (their records may be lost). */
export function containersOnDisk(root: string): string[] {
  const dir = join(root, 'containers');
  try {
    return readdirSync(dir).filter(isId);
  } catch {
    return [];
  }
}

function networksOnDisk(root: string): number {
  try {
    return readdirSync(join(root, 'networks')).filter((f) => /^[0-9a-f]{64}\.json$/.test(f)).length;
  } catch {
    return 0;
  }
}

/** A missing or empty instances file in a root that holds containers or networks: what is lost, or undefined. */
export function instancesLoss(root: string): { file: string; problem: string } | undefined {
  const file = join(root, 'berth.db');
  let size = -1;
  try {
    size = statSync(file).size;
  } catch { /* missing */ }
  if (size > 0) return undefined;
  const ids = containersOnDisk(root);
  const nets = ids.length > 0 ? 0 : networksOnDisk(root);
  if (ids.length === 0 && nets === 0) return undefined;
  const holds = ids.length > 0 ? `${ids.length} container${ids.length === 1 ? '' : 's'}` : `${nets} network${nets === 1 ? '' : 's'}`;
  return { file, problem: `the instances file ${file} is ${size < 0 ? 'missing' : 'empty'}, but ${root} holds ${holds}` };
}

/**
 * A missing or empty instances file in a root that holds containers: SQLite would make a new,
 * empty one, orphaning every container and freeing their names. Refused, with what to do.
 * One stat on the normal path.
 */
export function guardInstancesFile(root: string): void {
  const lost = instancesLoss(root);
  if (!lost) return;
  throw corrupt('state.instances_lost', lost.problem, 'run "berth system recover" to rebuild the records from the copies kept beside them (berth.json)');
}
