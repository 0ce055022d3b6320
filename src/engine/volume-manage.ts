// volume create|ls|inspect|rm|prune. A volume is its directory under ROOT/volumes (what
// containers mount); the row in the volumes table adds labels and a creation time. Volumes that
// `run -v NAME:/x` made have only the directory, and are listed all the same.
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, invalid, notFound } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { tx } from '../state/db.js';
import { allVolumes, getVolume, insertVolume } from '../state/volumes.js';
import { dirSize } from '../image/usage.js';
import type { EngineContext } from './context.js';
import { listContainers } from './container-records.js';
import { removeVolume, volumeDir, volumeRoot } from './volumes.js';

export interface VolumeInfo {
  name: string;
  driver: 'local';
  mountpoint: string;
  labels: Record<string, string>;
  createdAt: string;
  /** Names of the containers (running or not) that mount it. */
  usedBy: string[];
}

export function createVolume(ctx: EngineContext, o: { name?: string; labels?: Record<string, string>; driver?: string; options?: string[] }): VolumeInfo {
  if (o.driver !== undefined && o.driver !== 'local')
    throw invalid('volume.driver', `unsupported volume driver "${o.driver}": berth volumes are local directories`);
  if (o.options && o.options.length > 0) throw invalid('volume.options', `unsupported volume option "${o.options[0]}": berth's local volumes take none`);
  const name = o.name ?? newId();
  const root = volumeRoot(ctx, name); // validates the name
  const createdAt = new Date().toISOString();
  tx(ctx.db, () => {
    // As Docker: creating a volume that exists is a success that changes nothing.
    // One that `run -v` made gets its row now, keeping the time its directory was made.
    if (!getVolume(ctx.db, name))
      insertVolume(ctx.db, { name, labels: o.labels ?? {}, createdAt: (dirExists(root) ? createdTime(root) : undefined) ?? createdAt });
  });
  mkdirSync(volumeDir(ctx, name), { recursive: true, mode: 0o755 });
  return inspectVolume(ctx, name);
}

const dirExists = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const createdTime = (p: string) => {
  try {
    return statSync(p).birthtime.toISOString();
  } catch {
    return undefined;
  }
};

export function listVolumes(ctx: EngineContext): VolumeInfo[] {
  const rows = new Map(allVolumes(ctx.db).map((r) => [r.name, r]));
  let dirs: string[] = [];
  try {
    dirs = readdirSync(join(ctx.paths.root, 'volumes'));
  } catch { /* none yet */ }
  const names = [...new Set([...rows.keys(), ...dirs])].sort();
  const used = volumeUsers(ctx);
  return names.map((n) => info(ctx, n, rows.get(n), used));
}

function info(ctx: EngineContext, name: string, row: { labels: Record<string, string>; createdAt: string } | undefined,
  used: Map<string, string[]>): VolumeInfo
{
  return { name, driver: 'local', mountpoint: volumeDir(ctx, name), labels: row?.labels ?? {},
    createdAt: row?.createdAt ?? createdTime(volumeRoot(ctx, name)) ?? '', usedBy: used.get(name) ?? [] };
}

export function inspectVolume(ctx: EngineContext, name: string): VolumeInfo {
  const row = getVolume(ctx.db, name);
  if (!row && !dirExists(volumeRoot(ctx, name))) throw notFound('volume.not_found', `no such volume: ${name}`);
  return info(ctx, name, row, volumeUsers(ctx));
}

/** For each volume some container (running or not) mounts, those containers' names. */
function volumeUsers(ctx: EngineContext): Map<string, string[]> {
  const used = new Map<string, string[]>();
  for (const c of listContainers(ctx)) {
    const names = [...c.spec.volumes.filter((v) => v.named).map((v) => v.source), ...(c.spec.mounts ?? []).filter((m) =>
      m.type === 'volume'
    ).map((m) => m.source!)];
    for (const n of names) used.set(n, [...(used.get(n) ?? []), c.name]);
  }
  return used;
}

/** Docker refuses to remove a volume a container mounts, even with -f; -f only ignores a missing one. */
export function removeVolumeChecked(ctx: EngineContext, name: string, o: { force?: boolean } = {}): void {
  const user = volumeUsers(ctx).get(name)?.[0];
  if (user !== undefined) throw conflict('volume.in_use', `remove ${name}: volume is in use by container ${user}`, 'remove the container first');
  if (!removeVolume(ctx, name) && !o.force) throw notFound('volume.not_found', `no such volume: ${name}`);
}

/** Every volume no container mounts (Podman's rule: berth has no anonymous volumes to single out). */
export function pruneVolumes(ctx: EngineContext, o: { labels?: Record<string, string | undefined> } = {}): { removed: string[]; reclaimed: number } {
  const used = volumeUsers(ctx);
  const removed: string[] = [];
  let reclaimed = 0;
  for (const v of listVolumes(ctx)) {
    if (used.has(v.name)) continue;
    if (o.labels && !Object.entries(o.labels).every(([k, val]) => k in v.labels && (val === undefined || v.labels[k] === val))) continue;
    reclaimed += dirSize(volumeRoot(ctx, v.name));
    removeVolume(ctx, v.name);
    removed.push(v.name);
  }
  return { removed, reclaimed };
}
