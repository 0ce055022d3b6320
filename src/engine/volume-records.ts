// Named volumes as the API lists them. A volume is its directory under the root (volumes.ts):
// listing reads the directories, creating makes one, and "in use" is asked of the containers.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, notFound } from '../common/errors.js';
import type { EngineContext } from './context.js';
import { listContainers } from './containers.js';
import { removeVolume, volumeDir, volumeRoot } from './volumes.js';

export interface VolumeRecord { name: string; mountpoint: string; createdAt: string; usedBy: string[] }

function usage(ctx: EngineContext): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const c of listContainers(ctx)) {
    for (const v of c.spec.volumes) if (v.named) m.set(v.source, [...(m.get(v.source) ?? []), c.id]);
  }
  return m;
}

function record(ctx: EngineContext, name: string, used: Map<string, string[]>): VolumeRecord | undefined {
  try {
    const st = statSync(volumeRoot(ctx, name));
    return st.isDirectory() ? { name, mountpoint: volumeDir(ctx, name), createdAt: st.birthtime.toISOString(), usedBy: used.get(name) ?? [] } : undefined;
  } catch {
    return undefined;
  }
}

export function listVolumes(ctx: EngineContext): VolumeRecord[] {
  let names: string[];
  try { names = readdirSync(join(ctx.paths.root, 'volumes')).sort(); } catch { return []; }
  const used = usage(ctx);
  return names.flatMap((n) => record(ctx, n, used) ?? []);
}

export function getVolume(ctx: EngineContext, name: string): VolumeRecord {
  const r = record(ctx, name, usage(ctx));
  if (!r) throw notFound('volume.not_found', `no such volume: ${name}`);
  return r;
}

/** Creates the volume, or returns it when it exists already (as Docker does). */
export function createVolume(ctx: EngineContext, name: string): VolumeRecord {
  mkdirSync(volumeDir(ctx, name), { recursive: true });
  return getVolume(ctx, name);
}

/** Refused while a container (running or not) mounts it, unless force. */
export function removeVolumeChecked(ctx: EngineContext, name: string, opts: { force?: boolean } = {}): void {
  const v = getVolume(ctx, name);
  if (v.usedBy.length > 0 && !opts.force) throw conflict('volume.in_use', `volume ${name} is in use by ${v.usedBy.map((id) => id.slice(0, 12)).join(', ')}`, 'remove the containers first');
  removeVolume(ctx, name);
}
