// Named volumes: a directory under the root each, and a row in the volumes table for those
// `volume create` made (engine/volume-manage.ts); a directory without a row is a volume too.
// Their one place, for containers' mounts and for compose down -v.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateName } from '../common/ids.js';
import { deleteVolumeRow, getVolume } from '../state/volumes.js';
import type { EngineContext } from './context.js';

export function volumeRoot(ctx: EngineContext, name: string): string {
  return join(ctx.paths.root, 'volumes', validateName('volume', name));
}

/** The directory a container mounts. */
export function volumeDir(ctx: EngineContext, name: string): string {
  return join(volumeRoot(ctx, name), '_data');
}

export function removeVolume(ctx: EngineContext, name: string): boolean {
  const dir = volumeRoot(ctx, name);
  const recorded = getVolume(ctx.db, name) !== undefined;
  if (recorded) deleteVolumeRow(ctx.db, name);
  if (!existsSync(dir)) return recorded;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
