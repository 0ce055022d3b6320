// container prune and system prune: what nothing uses any more, removed. Each part is removed
// by its own verb's code (rm, network rm, image prune, volume rm), so a prune never leaves what
// those would not.
import { dirSize } from '../image/usage.js';
import { pruneImages } from '../image/manage.js';
import { pruneNetworks } from '../network/networks.js';
import { containerDir, type EngineContext } from './context.js';
import { listContainers } from './container-records.js';
import { reconcileAll } from './container-finalize.js';
import { removeContainer } from './container-remove.js';
import { isLive } from './lifecycle.js';
import { pruneVolumes } from './volume-manage.js';
import { imageContext, networkContext } from './parts.js';

export interface ContainerPruneResult {
  deleted: string[];
  reclaimed: number;
}

export interface SystemPruneResult {
  containers: string[];
  networks: string[];
  images: { untagged: string[]; deleted: string[] };
  volumes: string[];
  reclaimed: number;
}

/** Labels a container must have (KEY or KEY=VALUE), as --filter label=… says. */
export type LabelFilter = Record<string, string | undefined>;

const hasLabels = (labels: Record<string, string>, want: LabelFilter | undefined) =>
  !want || Object.entries(want).every(([k, v]) => k in labels && (v === undefined || labels[k] === v));

export function pruneContainers(ctx: EngineContext, o: { labels?: LabelFilter; until?: Date } = {}): ContainerPruneResult {
  reconcileAll(ctx);
  const deleted: string[] = [];
  let reclaimed = 0;
  for (const c of listContainers(ctx)) {
    if (isLive(c.status) || !hasLabels(c.labels, o.labels)) continue;
    if (o.until && Date.parse(c.createdAt) >= o.until.getTime()) continue;
    const size = dirSize(containerDir(ctx, c.id));
    try {
      removeContainer(ctx, c.id, { force: false });
    } catch (e) {
      // Started by someone else in between: no longer prunable; the others are.
      if (e instanceof Error && 'kind' in e && (e as { kind: string }).kind === 'Conflict') continue;
      throw e;
    }
    deleted.push(c.id);
    reclaimed += size;
  }
  return { deleted, reclaimed };
}

export function pruneSystem(ctx: EngineContext, o: { all?: boolean; volumes?: boolean }): SystemPruneResult {
  const containers = pruneContainers(ctx);
  const networks = pruneNetworks(networkContext(ctx));
  const volumes = o.volumes ? pruneVolumes(ctx) : { removed: [], reclaimed: 0 };
  const images = pruneImages(imageContext(ctx), { all: o.all === true });
  return {
    containers: containers.deleted,
    networks,
    volumes: volumes.removed,
    images: { untagged: images.untagged, deleted: images.deleted },
    reclaimed: containers.reclaimed + volumes.reclaimed + images.reclaimed,
  };
}
