// `berth system df`: what the root's images, containers and volumes take on disk, and what a
// prune could give back. Sizes are apparent bytes of regular files, each inode counted once.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageContext } from './types.js';

export interface UsageLine {
  type: 'Images' | 'Containers' | 'Local Volumes' | 'Build Cache';
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

/** Bytes of regular files under dir (hard links once, symlinks not followed); 0 when absent. */
export function dirSize(dir: string, seen = new Set<string>()): number {
  let total = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const n of names) {
    const p = join(dir, n);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) total += dirSize(p, seen);
    else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      if (seen.has(key)) continue;
      seen.add(key);
      total += st.size;
    }
  }
  return total;
}

export function diskUsage(ctx: ImageContext): UsageLine[] {
  const images = ctx.store.allImages();
  const users = new Set(ctx.store.imagesInUse());
  const layerSize = new Map(ctx.store.allLayers().map((l) => [l.diffId, l.size]));
  const activeLayers = new Set<string>();
  const allLayers = new Set<string>();
  for (const i of images) {
    for (const l of i.layers) {
      allLayers.add(l);
      if (users.has(i.id)) activeLayers.add(l);
    }
  }
  const sum = (s: Iterable<string>) => [...s].reduce((a, l) => a + (layerSize.get(l) ?? 0), 0);
  const imageSize = sum(allLayers);
  const containers = ctx.store.containers();
  let ctrSize = 0;
  let ctrReclaim = 0;
  for (const c of containers) {
    const s = dirSize(join(ctx.root, 'containers', c.id, 'diff'));
    ctrSize += s;
    if (c.status !== 'running') ctrReclaim += s;
  }
  const volRoot = join(ctx.root, 'volumes');
  let volumes: string[] = [];
  try {
    volumes = readdirSync(volRoot);
  } catch {
    // no volume yet
  }
  const volSizes = new Map(volumes.map((v) => [v, dirSize(join(volRoot, v))]));
  const volSize = [...volSizes.values()].reduce((a, b) => a + b, 0);
  // The engine owns the spec's shape; only its named volumes matter here.
  const usedVols = new Set<string>();
  for (const c of containers) {
    const vols = (c.spec as { volumes?: Array<{ source: string; named?: boolean }> } | null)?.volumes ?? [];
    for (const v of vols) if (v.named) usedVols.add(v.source);
  }
  const activeVols = volumes.filter((v) => usedVols.has(v));
  const volReclaim = volumes.filter((v) => !usedVols.has(v)).reduce((a, v) => a + (volSizes.get(v) ?? 0), 0);
  // Build cache: the untagged step images the builder keeps; their size is what only they hold.
  const cacheIds = new Set(ctx.store.untaggedBuildCacheImages());
  const otherLayers = new Set<string>();
  const cacheLayers = new Set<string>();
  for (const i of images) for (const l of i.layers) (cacheIds.has(i.id) ? cacheLayers : otherLayers).add(l);
  const cacheOnly = [...cacheLayers].filter((l) => !otherLayers.has(l));
  const cacheSize = sum(cacheOnly);
  return [
    { type: 'Images', total: images.length, active: images.filter((i) => users.has(i.id)).length, size: imageSize, reclaimable: imageSize - sum(activeLayers) },
    { type: 'Containers', total: containers.length, active: containers.filter((c) => c.status === 'running').length, size: ctrSize, reclaimable: ctrReclaim },
    { type: 'Local Volumes', total: volumes.length, active: activeVols.length, size: volSize, reclaimable: volReclaim },
    { type: 'Build Cache', total: cacheIds.size, active: 0, size: cacheSize, reclaimable: cacheSize },
  ];
}

/** Each object's own bytes, for the API's /system/df, which lists them one by one. */
export interface UsageDetail {
  layersSize: number;
  /** sharedSize: the bytes of its layers that another image has too. */
  images: { id: string; size: number; sharedSize: number }[];
  containers: { id: string; sizeRw: number }[];
  volumes: { name: string; size: number }[];
}

export function diskUsageDetail(ctx: ImageContext): UsageDetail {
  const layerSize = new Map(ctx.store.allLayers().map((l) => [l.diffId, l.size]));
  const images = ctx.store.allImages();
  const all = new Set(images.flatMap((i) => i.layers));
  const holders = new Map<string, number>();
  for (const i of images) for (const l of new Set(i.layers)) holders.set(l, (holders.get(l) ?? 0) + 1);
  const bytes = (ls: string[]) => ls.reduce((a, l) => a + (layerSize.get(l) ?? 0), 0);
  const volRoot = join(ctx.root, 'volumes');
  let volumes: string[] = [];
  try {
    volumes = readdirSync(volRoot);
  } catch {
    // no volume yet
  }
  return {
    layersSize: bytes([...all]),
    images: images.map((i) => ({ id: i.id, size: bytes(i.layers), sharedSize: bytes([...new Set(i.layers)].filter((l) => (holders.get(l) ?? 0) > 1)) })),
    containers: ctx.store.containers().map((c) => ({ id: c.id, sizeRw: dirSize(join(ctx.root, 'containers', c.id, 'diff')) })),
    volumes: volumes.map((v) => ({ name: v, size: dirSize(join(volRoot, v)) })),
  };
}
