// Volume routes, over the same volumes as `berth volume`: local directories with labels; driver
// options are refused rather than dropped.
import { randomBytes } from 'node:crypto';
import type { VolumeInfo } from '../engine/index.js';
import { show } from '../common/show.js';
import { badRequest } from './errors.js';
import { qBool, qFilters, readJson, sendEmpty, sendJson } from './http.js';
import type { Call, Route } from './router.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/;

function view(v: VolumeInfo): Record<string, unknown> {
  return { Name: v.name, Driver: v.driver, Mountpoint: v.mountpoint, CreatedAt: v.createdAt, Labels: v.labels, Scope: 'local', Options: {} };
}

async function list(c: Call): Promise<void> {
  const f = qFilters(c.query);
  for (const k of f.keys()) if (!['name', 'dangling'].includes(k)) throw badRequest(`invalid filter '${k}'`);
  const names = f.get('name') ?? [];
  const dangling = f.get('dangling')?.[0];
  const vs = (await c.engine.volumes.list()).filter((v) =>
    (names.length === 0 || names.some((n) => v.name.includes(n)))
    && (dangling === undefined || (dangling === 'true' || dangling === '1') === (v.usedBy.length === 0))
  );
  sendJson(c.res, 200, { Volumes: vs.map(view), Warnings: [] });
}

async function create(c: Call): Promise<void> {
  const body = await readJson(c.req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be an object');
  const o = body as Record<string, unknown>;
  const name = o.Name === undefined || o.Name === null || o.Name === '' ? randomBytes(32).toString('hex') : o.Name;
  if (typeof name !== 'string' || !NAME.test(name)) throw badRequest(`invalid volume name "${show(name)}": letters, digits, "_", "." and "-"`);
  if (o.Driver !== undefined && o.Driver !== null && o.Driver !== '' && o.Driver !== 'local')
    throw badRequest(`volume driver "${show(o.Driver)}" is not supported: berth's volumes are local`);
  const filled = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;
  if (filled(o.DriverOpts)) throw badRequest("volume driver options are not supported: berth's local volumes take none");
  const labels: Record<string, string> = {};
  if (o.Labels !== undefined && o.Labels !== null) {
    if (typeof o.Labels !== 'object' || Array.isArray(o.Labels)) throw badRequest('Labels must be an object');
    for (const [k, v] of Object.entries(o.Labels)) {
      if (typeof v !== 'string') throw badRequest(`label ${k}: the value must be a string`);
      labels[k] = v;
    }
  }
  sendJson(c.res, 201, view(await c.engine.volumes.create({ name, labels })));
}

async function inspect(c: Call): Promise<void> {
  sendJson(c.res, 200, view(await c.engine.volumes.inspect(c.params.name!)));
}

async function remove(c: Call): Promise<void> {
  await c.engine.volumes.removeChecked(c.params.name!, { force: qBool(c.query, 'force') });
  sendEmpty(c.res, 204);
}

/** As Docker from API 1.42: only anonymous volumes, unless the filter all=true asks for every unused one. */
async function prune(c: Call): Promise<void> {
  const f = qFilters(c.query);
  for (const k of f.keys()) if (k !== 'all') throw badRequest(`invalid filter '${k}'`);
  const all = ['true', '1'].includes(f.get('all')?.[0] ?? '');
  const gone: string[] = [];
  for (const v of await c.engine.volumes.list()) {
    if (v.usedBy.length > 0 || (!all && !/^[0-9a-f]{64}$/.test(v.name))) continue;
    await c.engine.volumes.removeChecked(v.name);
    gone.push(v.name);
  }
  sendJson(c.res, 200, { VolumesDeleted: gone.length > 0 ? gone : null, SpaceReclaimed: 0 });
}

export const volumeRoutes: Route[] = [
  ['GET', '/volumes', list],
  ['POST', '/volumes/create', create],
  ['POST', '/volumes/prune', prune],
  ['GET', '/volumes/{name}', inspect],
  ['DELETE', '/volumes/{name}', remove],
];
