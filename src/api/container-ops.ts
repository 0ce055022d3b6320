// Container routes over the engine's single operations that the CLI has too: top, rename,
// pause, unpause, update, changes and export. Each is one engine call; the request is checked
// here and refused with 400 rather than guessed at.
import type { UpdateRequest } from '../engine/index.js';
import { badRequest } from './errors.js';
import { qStr, readJson, sendEmpty, sendJson } from './http.js';
import type { Call, Route } from './router.js';

async function top(c: Call): Promise<void> {
  const ps = qStr(c.query, 'ps_args', 1024) ?? '';
  // ps's own arguments, an array (never a shell line), as `docker top CONTAINER -o pid,args`.
  const args = ps.trim() === '' ? [] : ps.trim().split(/\s+/);
  const t = await c.engine.containers.top(c.params.id!, args);
  sendJson(c.res, 200, { Titles: t.titles, Processes: t.processes });
}

async function rename(c: Call): Promise<void> {
  const name = qStr(c.query, 'name', 256);
  if (name === undefined || name === '') throw badRequest('rename: the new name is missing (?name=)');
  await c.engine.containers.rename(c.params.id!, name.replace(/^\//, ''));
  sendEmpty(c.res, 204);
}

async function pause(c: Call): Promise<void> {
  await c.engine.containers.pause(c.params.id!);
  sendEmpty(c.res, 204);
}

async function unpause(c: Call): Promise<void> {
  await c.engine.containers.unpause(c.params.id!);
  sendEmpty(c.res, 204);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function int(o: Obj, key: string): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw badRequest(`${key} must be a whole number`);
  return v;
}

// Go's clients send every field of Resources, zero meaning "not given"; these are the ones berth
// applies. Any other one set to a value is refused rather than dropped.
const APPLIED = new Set(['Memory', 'NanoCpus', 'NanoCPUs', 'CpusetCpus', 'PidsLimit', 'RestartPolicy', 'MemorySwap', 'CpuPeriod', 'CpuQuota',
  'MemoryReservation', 'CpuShares', 'BlkioWeight']);
const isZero = (v: unknown) =>
  v === undefined || v === null || v === 0 || v === '' || v === false || (Array.isArray(v) && v.length === 0) || (isObj(v) && Object.keys(v).length === 0);

/** Docker's POST /containers/{id}/update body → the engine's UpdateRequest. */
export function toUpdateRequest(body: unknown): UpdateRequest {
  if (!isObj(body)) throw badRequest('the update body must be an object');
  for (const [k, v] of Object.entries(body)) if (!APPLIED.has(k) && !isZero(v)) throw badRequest(`update: ${k} is not supported by berth`);
  const u: UpdateRequest = {};
  const mem = int(body, 'Memory');
  if (mem !== undefined && mem !== 0) {
    if (mem < 6 * 1024 * 1024) throw badRequest('Minimum memory limit allowed is 6MB');
    u.memory = mem;
  }
  const swap = int(body, 'MemorySwap');
  if (swap !== undefined && swap !== 0 && (mem === undefined || swap !== mem * 2)) u.memorySwap = swap;
  const reservation = int(body, 'MemoryReservation');
  if (reservation !== undefined && reservation !== 0) u.memoryReservation = reservation;
  const shares = int(body, 'CpuShares');
  if (shares !== undefined && shares !== 0) u.cpuShares = shares;
  const weight = int(body, 'BlkioWeight');
  if (weight !== undefined && weight !== 0) u.blkioWeight = weight;
  const nano = int(body, 'NanoCpus') ?? int(body, 'NanoCPUs');
  const quota = int(body, 'CpuQuota');
  const period = int(body, 'CpuPeriod');
  if (nano !== undefined && nano !== 0) {
    if (nano < 0) throw badRequest('NanoCpus must not be negative');
    u.cpus = nano / 1e9;
  } else if (quota !== undefined && quota > 0) u.cpus = quota / (period && period > 0 ? period : 100_000);
  const cpuset = body.CpusetCpus;
  if (cpuset !== undefined && cpuset !== null && cpuset !== '') {
    if (typeof cpuset !== 'string' || !/^[0-9,-]{1,256}$/.test(cpuset)) throw badRequest('CpusetCpus must be a list such as 0-2,4');
    u.cpusetCpus = cpuset;
  }
  const pids = int(body, 'PidsLimit');
  if (pids !== undefined && pids !== 0) u.pidsLimit = pids;
  const rp = body.RestartPolicy;
  if (isObj(rp) && rp.Name !== undefined && rp.Name !== '') {
    const name = rp.Name;
    const max = rp.MaximumRetryCount ?? 0;
    if (name !== 'no' && name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure')
      throw badRequest(`invalid restart policy ${JSON.stringify(name)}`);
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 0) throw badRequest('RestartPolicy.MaximumRetryCount must be a whole number');
    u.restart = { name, maxRetries: name === 'on-failure' ? max : 0 };
  } else if (rp !== undefined && rp !== null && !isObj(rp)) throw badRequest('RestartPolicy must be an object');
  return u;
}

async function update(c: Call): Promise<void> {
  const u = toUpdateRequest(await readJson(c.req));
  await c.engine.containers.update(c.params.id!, u);
  sendJson(c.res, 200, { Warnings: [] });
}

const KIND = { C: 0, A: 1, D: 2 } as const;

async function changes(c: Call): Promise<void> {
  const list = await c.engine.containers.diff(c.params.id!);
  // Docker answers null, not [], for a container with no changes; its clients expect either.
  sendJson(c.res, 200, list.map((x) => ({ Path: x.path, Kind: KIND[x.kind] })));
}

async function exportCtr(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  c.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await c.engine.containers.export(x.id, c.res);
  if (!c.res.writableEnded) c.res.end();
}

export const containerOpRoutes: Route[] = [
  ['GET', '/containers/{id}/top', top],
  ['POST', '/containers/{id}/rename', rename],
  ['POST', '/containers/{id}/pause', pause],
  ['POST', '/containers/{id}/unpause', unpause],
  ['POST', '/containers/{id}/update', update],
  ['GET', '/containers/{id}/changes', changes],
  ['GET', '/containers/{id}/export', exportCtr],
];
