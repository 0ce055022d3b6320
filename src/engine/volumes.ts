// Named volumes: a directory under the root each (no record keeps them yet, so the directory
// is the volume). Their one place, for containers' mounts and for compose down -v.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { validateName } from '../common/ids.js';
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
  if (!existsSync(dir)) return false;
  rmSync(dir, { recursive: true, force: true });
  return true;
}
