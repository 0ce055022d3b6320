// The prune and history routes: whole engine operations, answered in Docker's shapes.
import { badRequest } from './errors.js';
import { qFilters, sendJson } from './http.js';
import type { Call, Route } from './router.js';

const unix = (iso: string) => Math.floor(Date.parse(iso) / 1000) || 0;

function onlyFilters(c: Call, allowed: string[]): Map<string, string[]> {
  const f = qFilters(c.query);
  for (const k of f.keys()) if (!allowed.includes(k)) throw badRequest(`invalid filter '${k}'`);
  return f;
}

/** Removes every container that is not running (label filters narrow it), as `docker container prune`. */
async function pruneContainers(c: Call): Promise<void> {
  const labels = onlyFilters(c, ['label']).get('label') ?? [];
  const gone: string[] = [];
  for (const x of await c.engine.containers.list({ reconcile: true })) {
    if (x.status === 'running') continue;
    if (!labels.every((l) => {
      const i = l.indexOf('=');
      return i < 0 ? l in x.labels : x.labels[l.slice(0, i)] === l.slice(i + 1);
    })) continue;
    try {
      gone.push(await c.engine.containers.remove(x.id));
    } catch {
      // Started or removed by someone else meanwhile: not ours to prune any more.
    }
  }
  sendJson(c.res, 200, { ContainersDeleted: gone.length > 0 ? gone : null, SpaceReclaimed: 0 });
}

async function pruneImages(c: Call): Promise<void> {
  const f = onlyFilters(c, ['dangling']);
  const dangling = f.get('dangling')?.[0];
  const r = await c.engine.images.prune({ all: dangling === 'false' || dangling === '0' });
  const list = [...r.untagged.map((u) => ({ Untagged: u })), ...r.deleted.map((d) => ({ Deleted: d }))];
  sendJson(c.res, 200, { ImagesDeleted: list.length > 0 ? list : null, SpaceReclaimed: r.reclaimed });
}

async function pruneNetworks(c: Call): Promise<void> {
  onlyFilters(c, []);
  const gone = await c.engine.networks.prune();
  sendJson(c.res, 200, { NetworksDeleted: gone.length > 0 ? gone : null });
}

async function history(c: Call): Promise<void> {
  const h = await c.engine.images.history(c.params.name!);
  sendJson(c.res, 200, h.map((e) => ({ Id: e.id, Created: unix(e.created), CreatedBy: e.createdBy, Tags: null, Size: e.size, Comment: e.comment })));
}

export const pruneRoutes: Route[] = [
  ['POST', '/containers/prune', pruneContainers],
  ['POST', '/images/prune', pruneImages],
  ['POST', '/networks/prune', pruneNetworks],
  ['GET', '/images/{name*}/history', history],
];
