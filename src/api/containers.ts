// Container routes that answer at once: create, start, stop, restart, kill, remove, list and
// inspect. The ones that stream (logs, attach, wait) are in container-streams.ts.
import type { Container, EndpointView } from '../engine/index.js';
import { toCreateRequest } from './create-body.js';
import { badRequest } from './errors.js';
import { qBool, qFilters, qInt, qStr, readJson, sendEmpty, sendJson } from './http.js';
import type { Call, Route } from './router.js';

const unix = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);
const hostIp = (ip: string) => (ip === '' ? '0.0.0.0' : ip);

function statusText(c: Container, now = Date.now()): string {
  const ago = (iso: string | null) => humanAgo(now - Date.parse(iso ?? ''));
  if (c.status === 'running' || c.status === 'paused') {
    return `Up ${humanAgo(now - Date.parse(c.startedAt ?? '')).replace(/ ago$/, '')}${c.status === 'paused' ? ' (Paused)' : ''}`;
  }
  if (c.status === 'exited') return `Exited (${c.exitCode ?? 0}) ${ago(c.finishedAt)}`;
  return 'Created';
}

/** Docker's units (go-units HumanDuration): "Less than a second", "5 seconds", "About a minute". */
export function humanAgo(ms: number): string {
  const s = Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : 0;
  const m = Math.round(s / 60);
  const h = Math.round(s / 3600);
  let t: string;
  if (s < 1) t = 'Less than a second';
  else if (s === 1) t = '1 second';
  else if (s < 60) t = `${s} seconds`;
  else if (m === 1) t = 'About a minute';
  else if (s < 3600) t = `${m} minutes`;
  else if (h === 1) t = 'About an hour';
  else if (h < 48) t = `${h} hours`;
  else t = `${Math.round(h / 24)} days`;
  return `${t} ago`;
}

function networksOf(eps: EndpointView[]): Record<string, unknown> {
  return Object.fromEntries(eps.map((e) => [e.network, {
    IPAMConfig: null,
    Links: null,
    Aliases: e.aliases,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: e.ip ?? '',
    IPPrefixLen: 0,
    MacAddress: e.mac ?? '',
  }]));
}

function matches(c: Container, f: Map<string, string[]>): boolean {
  const any = (key: string, pred: (v: string) => boolean) => {
    const vs = f.get(key);
    return !vs || vs.length === 0 || vs.some(pred);
  };
  const all = (key: string, pred: (v: string) => boolean) => (f.get(key) ?? []).every(pred);
  return any('id', (v) => c.id.startsWith(v))
    // Docker takes a regular expression; a substring is what clients use it for, and a
    // client's pattern is never compiled here.
    && any('name', (v) => c.name.includes(v.replace(/^\//, '').replace(/^\^|\$$/g, '')))
    && any('status', (v) => v === c.status)
    && all('label', (v) => {
      const i = v.indexOf('=');
      return i < 0 ? v in c.labels : c.labels[v.slice(0, i)] === v.slice(i + 1);
    });
}

async function list(c: Call): Promise<void> {
  const all = qBool(c.query, 'all');
  const limit = qInt(c.query, 'limit');
  const f = qFilters(c.query);
  for (const k of f.keys()) if (!['id', 'name', 'status', 'label'].includes(k)) throw badRequest(`invalid filter '${k}'`);
  let cs = (await c.engine.containers.list({ reconcile: true })).filter((x) =>
    (all || f.has('status') || x.status === 'running' || x.status === 'paused') && matches(x, f)
  );
  if (limit !== undefined && limit > 0) cs = cs.slice(0, limit);
  const eps = await c.engine.containers.endpoints(cs.map((x) => x.id));
  const out = [];
  for (const x of cs) {
    const ports = await c.engine.containers.ports(x.id);
    out.push({
      Id: x.id,
      Names: [`/${x.name}`],
      Image: x.imageRef,
      ImageID: x.imageId,
      Command: x.spec.args.join(' '),
      Created: unix(x.createdAt),
      Ports: ports.map((p) => ({ IP: hostIp(p.hostIp), PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto })),
      Labels: x.labels ?? {},
      State: x.status,
      Status: statusText(x),
      HostConfig: { NetworkMode: x.spec.networkMode === 'bridge' ? (x.spec.networks[0]?.network ?? 'berth') : x.spec.networkMode },
      NetworkSettings: { Networks: networksOf(eps.get(x.id) ?? []) },
      Mounts: mounts(x),
    });
  }
  sendJson(c.res, 200, out);
}

function mounts(x: Container): Record<string, unknown>[] {
  return x.spec.volumes.map((v) => ({
    Type: v.named ? 'volume' : 'bind',
    // Docker's clients count a container's local volumes by this Driver (ps's LocalVolumes).
    ...(v.named ? { Name: v.source, Driver: 'local' } : {}),
    Source: v.source,
    Destination: v.destination,
    Mode: v.readonly ? 'ro' : '',
    RW: !v.readonly,
    Propagation: v.named ? '' : 'rprivate',
  }));
}

async function inspect(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  const doc = await c.engine.containers.inspect(x.id);
  sendJson(c.res, 200, dockerInspect(doc, x));
}

/** The engine's inspect document completed with the fields Docker's clients read unconditionally. */
export function dockerInspect(doc: Record<string, unknown>, x: Container): Record<string, unknown> {
  const state = doc.State as Record<string, unknown>;
  const config = doc.Config as Record<string, unknown>;
  const hostConfig = doc.HostConfig as Record<string, unknown>;
  const ns = doc.NetworkSettings as { Ports: Record<string, { HostIp: string; HostPort: string }[]>; Networks: Record<string, Record<string, unknown>> };
  const fixPorts = (p: Record<string, { HostIp: string; HostPort: string }[]>) =>
    Object.fromEntries(Object.entries(p).map(([k, v]) => [k, v.map((b) => ({ HostIp: hostIp(b.HostIp), HostPort: b.HostPort }))]));
  const first = Object.values(ns.Networks)[0] ?? {};
  return {
    ...doc,
    Name: `/${x.name}`,
    Driver: 'overlay',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    State: { ...state, Paused: x.status === 'paused', Restarting: false, Dead: false, Error: '' },
    Config: {
      ...config,
      Image: x.imageRef,
      Labels: x.labels ?? {},
      Tty: x.spec.tty === true,
      OpenStdin: x.spec.openStdin === true,
      StdinOnce: x.spec.openStdin === true && x.spec.tty !== true,
      AttachStdin: x.spec.attach?.stdin === true,
      AttachStdout: x.spec.attach?.stdout === true,
      AttachStderr: x.spec.attach?.stderr === true,
      Domainname: '',
      ExposedPorts: Object.fromEntries(Object.keys(ns.Ports).map((k) => [k, {}])),
      Volumes: null,
    },
    HostConfig: { ...hostConfig, PortBindings: fixPorts(hostConfig.PortBindings as Record<string, { HostIp: string; HostPort: string }[]>) },
    Mounts: mounts(x),
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      SandboxKey: '',
      Ports: fixPorts(ns.Ports),
      IPAddress: first.IPAddress ?? '',
      IPPrefixLen: first.IPPrefixLen ?? 0,
      Gateway: first.Gateway ?? '',
      MacAddress: first.MacAddress ?? '',
      Networks: Object.fromEntries(
        Object.entries(ns.Networks).map((
          [k, v],
        ) => [k, { IPAMConfig: null, Links: null, NetworkID: '', EndpointID: '', ...v, Aliases: aliases(k, v.Aliases, x.id) }]),
      ),
    },
  };
}

/**
 * API 1.44 and earlier list the container's short id among its aliases on a network of the
 * user's (docker-compose 1.29 reads it there); the default network has no name service.
 */
function aliases(net: string, given: unknown, id: string): string[] | null {
  const list = Array.isArray(given) ? (given as string[]) : [];
  if (net === 'berth') return list.length > 0 ? list : null;
  return list.includes(id.slice(0, 12)) ? list : [...list, id.slice(0, 12)];
}

async function create(c: Call): Promise<void> {
  const name = qStr(c.query, 'name', 256);
  const req = toCreateRequest(await readJson(c.req), name);
  const ctr = await c.engine.containers.create(req);
  sendJson(c.res, 201, { Id: ctr.id, Warnings: [] });
}

async function start(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  if (x.status === 'running') return sendEmpty(c.res, 304);
  await c.fg.start(c.engine, x.id);
  sendEmpty(c.res, 204);
}

function timeout(c: Call): { timeoutSec?: number } {
  const t = qInt(c.query, 't') ?? qInt(c.query, 'timeout');
  if (t === undefined) return {};
  if (t < 0) throw badRequest('the timeout must not be negative');
  return { timeoutSec: t };
}

async function stop(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  if (x.status !== 'running') return sendEmpty(c.res, 304);
  await c.engine.containers.stop(x.id, timeout(c));
  sendEmpty(c.res, 204);
}

async function restart(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  if (x.status === 'running') await c.engine.containers.stop(x.id, timeout(c));
  await c.fg.start(c.engine, x.id);
  sendEmpty(c.res, 204);
}

async function kill(c: Call): Promise<void> {
  const sig = qStr(c.query, 'signal', 16);
  if (sig !== undefined && sig !== '' && !/^(SIG)?[A-Z0-9+-]{1,12}$|^\d{1,2}$/i.test(sig)) throw badRequest(`invalid signal "${sig}"`);
  await c.engine.containers.kill(c.params.id!, sig || undefined);
  sendEmpty(c.res, 204);
}

async function remove(c: Call): Promise<void> {
  await c.engine.containers.remove(c.params.id!, { force: qBool(c.query, 'force'), volumes: qBool(c.query, 'v') });
  sendEmpty(c.res, 204);
}

export const containerRoutes: Route[] = [
  ['GET', '/containers/json', list],
  ['POST', '/containers/create', create],
  ['GET', '/containers/{id}/json', inspect],
  ['POST', '/containers/{id}/start', start],
  ['POST', '/containers/{id}/stop', stop],
  ['POST', '/containers/{id}/restart', restart],
  ['POST', '/containers/{id}/kill', kill],
  ['DELETE', '/containers/{id}', remove],
];
