// --network container:, --pid and --ipc: a container that shares the host's or another
// container's namespace. Resolved at create (the other container must exist; what cannot go
// together is refused in Docker's words), and joined at each start through the other
// container's init process, which must be running then, as Docker requires.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, invalid } from '../common/errors.js';
import { containerRunDir, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { lookup, reload, type Container } from './container-records.js';
import type { CreateRequest, SharedNamespaces } from './types.js';

type Kind = 'network' | 'pid' | 'ipc';
const WORD: Record<Kind, string> = { network: 'network', pid: 'PID', ipc: 'IPC' };

function mode(kind: 'pid' | 'ipc', text: string | undefined): { host: true } | { ref: string } | undefined {
  if (text === undefined || text === '' || (kind === 'ipc' && (text === 'private' || text === 'shareable'))) return undefined;
  if (text === 'host') return { host: true };
  const m = /^container:(.+)$/.exec(text);
  if (m) return { ref: m[1]! };
  if (kind === 'ipc' && text === 'none') {
    throw invalid('ipc.none', '--ipc none: not supported by berth', 'give private (the default), shareable, host or container:NAME');
  }
  throw invalid(`${kind}.bad`, `--${kind}: invalid ${WORD[kind]} mode "${text}"`,
    `give host or container:NAME${kind === 'ipc' ? ', private or shareable' : ''}`);
}

/** What create keeps, and the hostname a container in another's network takes (Docker's). */
export function resolveNamespaces(ctx: EngineContext, req: CreateRequest): { shared?: SharedNamespaces; hostname?: string } {
  const shared: SharedNamespaces = {};
  let hostname: string | undefined;
  if (req.networkMode === 'container') {
    const ref = req.namespaces?.network;
    if (!ref) throw new Error('networkMode container without namespaces.network: the front must name the container');
    if (req.hostname !== undefined) throw invalid('network.conflict', 'conflicting options: hostname and the network mode');
    if (req.dns) throw invalid('network.conflict', 'conflicting options: dns and the network mode');
    if (req.extraHosts && req.extraHosts.length > 0) throw invalid('network.conflict', 'conflicting options: custom host-to-IP mapping and the network mode');
    if (req.networks.length > 0) throw invalid('network.conflict', 'conflicting options: networks and the container network mode');
    const other = lookup(ctx, ref);
    shared.network = other.id;
    hostname = other.spec.hostname;
  } else if (req.namespaces?.network !== undefined) {
    throw new Error('namespaces.network without networkMode container');
  }
  for (const kind of ['pid', 'ipc'] as const) {
    const m = mode(kind, req.namespaces?.[kind]);
    if (m) shared[kind] = 'host' in m ? 'host' : lookup(ctx, m.ref).id;
  }
  if (Object.keys(shared).length === 0) return {};
  if (req.userns !== undefined && (req.userns.mode !== undefined && req.userns.mode !== 'host' || req.userns.uidmap.length > 0)) {
    throw invalid('userns.shared_namespace', 'a user namespace cannot be combined with --network container:, --pid or --ipc: not supported by berth');
  }
  return { shared, ...(hostname !== undefined ? { hostname } : {}) };
}

/** An OCI namespace: the host's (left out of the spec), or a path to join. */
export type Join = { mode: 'host' } | { mode: 'path'; path: string };

function runningPid(ctx: EngineContext, kind: Kind, id: string): { pid: number; other: Container } {
  const other = reload(ctx, id);
  const alive = other.status === 'running' && other.pid !== null && hostOf(ctx).processAlive(other.pid, other.pidStart);
  if (!alive || other.pid === null) {
    throw conflict('container.join_not_running', `cannot join the ${WORD[kind]} namespace of container ${other.name}: it is not running`,
      `start ${other.name} first`);
  }
  return { pid: other.pid, other };
}

const FILES = 'netfiles.json';

/** Kept in the run directory at each start: a container in this one's network binds the same files. */
export function recordNetFiles(runDir: string, files: { hosts: string; resolv: string }): void {
  writeFileSync(join(runDir, FILES), JSON.stringify({ hosts: files.hosts, resolv: files.resolv }));
}

export interface Joined {
  network?: { path: string; hosts: string; resolv: string };
  pid?: Join;
  ipc?: Join;
}

/** At start: the paths of the namespaces to join, through each other container's running init. */
export function joinAtStart(ctx: EngineContext, shared: SharedNamespaces | undefined): Joined {
  const out: Joined = {};
  if (!shared) return out;
  if (shared.network !== undefined) {
    const { pid, other } = runningPid(ctx, 'network', shared.network);
    let files: { hosts: string; resolv: string };
    try {
      files = JSON.parse(readFileSync(join(containerRunDir(ctx, other.id), FILES), 'utf8')) as typeof files;
    } catch {
      throw conflict('container.join_not_running', `cannot join the network namespace of container ${other.name}: its start is not complete`,
        `restart ${other.name}`);
    }
    out.network = { path: `/proc/${pid}/ns/net`, ...files };
  }
  for (const kind of ['pid', 'ipc'] as const) {
    const v = shared[kind];
    if (v === undefined) continue;
    out[kind] = v === 'host' ? { mode: 'host' } : { mode: 'path', path: `/proc/${runningPid(ctx, kind, v).pid}/ns/${kind}` };
  }
  return out;
}

/** Docker's inspect words: "container:ID", "host", or the default. */
export function namespaceModes(shared: SharedNamespaces | undefined): { network?: string; pid: string; ipc: string } {
  const word = (v: string | undefined, none: string) => (v === undefined ? none : v === 'host' ? 'host' : `container:${v}`);
  return {
    ...(shared?.network !== undefined ? { network: `container:${shared.network}` } : {}),
    pid: word(shared?.pid, ''),
    ipc: word(shared?.ipc, 'private'),
  };
}
