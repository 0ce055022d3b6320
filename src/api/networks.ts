// Network routes. Docker's default network is "bridge"; berth's is "berth", so "bridge" names it.
import type { CreateNetworkOptions } from '../engine/index.js';
import { badRequest } from './errors.js';
import { qFilters, readJson, sendEmpty, sendJson } from './http.js';
import type { Call, Route } from './router.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const netName = (n: string) => (n === 'bridge' ? 'berth' : n);

function optStr(o: Obj, k: string): string | undefined {
  const v = o[k];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw badRequest(`${k} must be a string`);
  return v;
}

/**
 * Docker's driver options are the ones the client gave; berth's own (the bridge's name) are
 * shown only for the default network, as dockerd shows them for its "bridge". docker-compose
 * compares every option of the network it finds with its file's and recreates it on a difference.
 */
async function dockerNetwork(c: Call, name: string): Promise<Record<string, unknown>> {
  const doc = await c.engine.networks.inspect(name);
  return name === 'berth' ? doc : { ...doc, Options: {} };
}

async function list(c: Call): Promise<void> {
  const f = qFilters(c.query);
  for (const k of f.keys()) if (!['name', 'id', 'label'].includes(k)) throw badRequest(`invalid filter '${k}'`);
  const nets = await c.engine.networks.list();
  const out = [];
  for (const n of nets) {
    const names = f.get('name');
    if (names?.length && !names.some((v) => n.name.includes(v))) continue;
    const ids = f.get('id');
    if (ids?.length && !ids.some((v) => n.id.startsWith(v))) continue;
    const labels = f.get('label') ?? [];
    if (!labels.every((l) => {
      const i = l.indexOf('=');
      return i < 0 ? l in n.labels : n.labels[l.slice(0, i)] === l.slice(i + 1);
    })) continue;
    out.push(await dockerNetwork(c, n.name));
  }
  sendJson(c.res, 200, out);
}

async function inspect(c: Call): Promise<void> {
  const name = netName(c.params.id!);
  const net = name === 'berth' ? await c.engine.networks.ensureDefault() : await c.engine.networks.get(name);
  sendJson(c.res, 200, await dockerNetwork(c, net.name));
}

async function create(c: Call): Promise<void> {
  const body = await readJson(c.req);
  if (!isObj(body)) throw badRequest('the request body must be an object');
  const name = optStr(body, 'Name');
  if (!name) throw badRequest('Name is required');
  const driver = optStr(body, 'Driver') ?? 'bridge';
  if (driver !== 'bridge') throw badRequest(`network driver "${driver}" is not supported: berth makes bridge networks`);
  const opts: CreateNetworkOptions = { name };
  if (body.Internal !== undefined && body.Internal !== null) {
    if (typeof body.Internal !== 'boolean') throw badRequest('Internal must be a boolean');
    opts.internal = body.Internal;
  }
  if (isObj(body.Labels)) {
    for (const [k, v] of Object.entries(body.Labels)) if (typeof v !== 'string') throw badRequest(`Labels.${k} must be a string`);
    opts.labels = body.Labels as Record<string, string>;
  }
  const ipam = isObj(body.IPAM) ? body.IPAM : {};
  const configs: unknown[] = Array.isArray(ipam.Config) ? (ipam.Config as unknown[]) : [];
  if (configs.length > 1) throw badRequest('berth networks take one IPAM config (one IPv4 subnet)');
  const cfg = configs[0];
  if (cfg !== undefined) {
    if (!isObj(cfg)) throw badRequest('IPAM.Config entries must be objects');
    const subnet = optStr(cfg, 'Subnet');
    if (subnet) opts.subnet = subnet;
    const gw = optStr(cfg, 'Gateway');
    if (gw) opts.gateway = gw;
    const range = optStr(cfg, 'IPRange');
    if (range) opts.ipRange = range;
  }
  const net = await c.engine.networks.create(opts);
  sendJson(c.res, 201, { Id: net.id, Warning: '' });
}

async function remove(c: Call): Promise<void> {
  await c.engine.networks.remove(netName(c.params.id!));
  sendEmpty(c.res, 204);
}

async function connect(c: Call): Promise<void> {
  const body = await readJson(c.req);
  if (!isObj(body)) throw badRequest('the request body must be an object');
  const ctr = optStr(body, 'Container');
  if (!ctr) throw badRequest('Container is required');
  const ep = isObj(body.EndpointConfig) ? body.EndpointConfig : {};
  const ip = isObj(ep.IPAMConfig) ? optStr(ep.IPAMConfig, 'IPv4Address') : undefined;
  const aliases = ep.Aliases;
  if (aliases !== undefined && aliases !== null && !(Array.isArray(aliases) && aliases.every((a) => typeof a === 'string')))
    throw badRequest('Aliases must be a list of strings');
  await c.engine.networks.connect(netName(c.params.id!), ctr, { ...(ip ? { ip } : {}),
    ...(Array.isArray(aliases) && aliases.length ? { aliases: aliases } : {}) });
  sendEmpty(c.res, 200);
}

async function disconnect(c: Call): Promise<void> {
  const body = await readJson(c.req);
  if (!isObj(body)) throw badRequest('the request body must be an object');
  const ctr = optStr(body, 'Container');
  if (!ctr) throw badRequest('Container is required');
  await c.engine.networks.disconnect(netName(c.params.id!), ctr);
  sendEmpty(c.res, 200);
}

export const networkRoutes: Route[] = [
  ['GET', '/networks', list],
  ['POST', '/networks/create', create],
  ['GET', '/networks/{id}', inspect],
  ['DELETE', '/networks/{id}', remove],
  ['POST', '/networks/{id}/connect', connect],
  ['POST', '/networks/{id}/disconnect', disconnect],
];
