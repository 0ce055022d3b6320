// What `up` must do, decided without touching the host: names, the start order, each
// replica's create request, a hash of the service's configuration, and which existing
// containers to keep, recreate or remove. Pure, so every decision is unit-tested.
import { createHash } from 'node:crypto';
import { conflict, invalid, notFound } from '../common/errors.js';
import { parseCpuset } from '../common/units.js';
import { parsePortSpec } from '../engine/index.js';
import type { CreateRequest } from '../engine/types.js';
import {
  LABEL_HASH,
  LABEL_NUMBER,
  LABEL_PROJECT,
  LABEL_SERVICE,
  LABEL_WORKDIR,
  type ComposeProject,
  type ServiceConfig,
} from './model.js';

export const containerName = (project: string, service: string, n: number) => `${project}-${service}-${n}`;

/** Services in an order where each comes after everything it depends on (file order otherwise). */
export function startOrder(services: readonly ServiceConfig[]): ServiceConfig[] {
  const byName = new Map(services.map((s) => [s.name, s]));
  const done = new Set<string>();
  const out: ServiceConfig[] = [];
  const visit = (s: ServiceConfig, path: readonly string[]) => {
    if (done.has(s.name)) return;
    if (path.includes(s.name)) throw new Error(`dependency cycle through ${s.name}: validation should have refused it`);
    for (const d of s.dependsOn) {
      const dep = byName.get(d.service);
      if (dep) visit(dep, [...path, s.name]);
    }
    done.add(s.name);
    out.push(s);
  };
  for (const s of services) visit(s, []);
  return out;
}

/**
 * `restart: true` in depends_on: the services to restart when `names` are, their dependents
 * (transitively) included. All services when `names` is empty, as for `compose restart`.
 */
export function withRestartDependents(services: readonly ServiceConfig[], names: readonly string[]): string[] {
  if (names.length === 0) return [];
  const out = new Set(names);
  for (let grew = true; grew;) {
    grew = false;
    for (const s of services) {
      if (out.has(s.name) || !s.dependsOn.some((d) => d.restart && out.has(d.service))) continue;
      out.add(s.name);
      grew = true;
    }
  }
  return [...out];
}

/** JSON with sorted keys: the same configuration always hashes the same. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Values of keys newer than the hash, as normalize fills them in when the file has none. */
const DEFAULTS: Record<string, unknown> = {
  expose: [],
  annotations: {},
  readOnly: false,
  networkMode: 'bridge',
  secrets: [],
  configs: [],
  reservations: {},
};

/**
 * The hash that decides whether `up` recreates a service's containers. The replica count and
 * the start conditions are left out: scaling must not recreate the replicas that stay.
 * The networks' host names are in, since a renamed network means new attachments.
 */
export function serviceHash(p: ComposeProject, s: ServiceConfig): string {
  // profiles, pull_policy and build decide whether and how, not what, so they are not hashed (a
  // rebuilt image recreates through its id, see project.ts); and a
  // key left at its default is left out, so that containers made before berth knew the key
  // are not recreated by the first `up` after an upgrade.
  // Where a limit was written, whether image: was, and x-* keys are how the file says it, not
  // what runs: left out, so that the model's new knowledge of them recreates nothing.
  const { replicas: _r, dependsOn: _d, profiles: _p, pullPolicy: _pp, build: _b, imageDefaulted: _i, limitsGiven: _l, extensions: _x, ...all } = s;
  const rest: Record<string, unknown> = { ...all };
  for (const [k, v] of Object.entries(DEFAULTS)) if (canonical(rest[k]) === canonical(v)) delete rest[k];
  // Whether up makes a missing bind source is not what the container is: left out, as build is.
  rest.volumes = s.volumes.map(({ createHostPath: _c, ...v }) => v);
  const nets = s.networks.map((n) => p.networks.find((x) => x.key === n.key)?.name ?? n.key);
  const vols = s.volumes.map((v) => (v.type === 'volume' ? p.volumes.find((x) => x.key === v.source)?.name ?? v.source : v.source));
  return createHash('sha256').update(canonical({ service: rest, nets, vols })).digest('hex');
}

function restartPolicy(text: string): CreateRequest['restart'] {
  const [name, n] = text.split(':') as [CreateRequest['restart']['name'], string?];
  return { name, maxRetries: n === undefined ? 0 : Number(n) };
}

/** The engine's create request for one replica of a service; `hash` is serviceHash's. */
export function createRequest(p: ComposeProject, s: ServiceConfig, replica: { number: number; hash: string }): CreateRequest {
  const { number: n, hash } = replica;
  const netName = (key: string) => p.networks.find((x) => x.key === key)?.name ?? key;
  const volName = (key: string) => p.volumes.find((x) => x.key === key)?.name ?? key;
  const name = s.containerName ?? containerName(p.name, s.name, n);
  const req: CreateRequest = {
    image: s.image,
    name,
    env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    readOnly: s.readOnly,
    resources: structuredClone(s.resources),
    volumes: s.volumes.map((v) => (v.type === 'bind'
      ? { source: v.source, destination: v.target, readonly: v.readOnly }
      : { source: volName(v.source), destination: v.target, readonly: v.readOnly, named: true })
    )
      .concat([...s.secrets, ...s.configs].map((f) => {
        if (f.file === undefined) throw new Error(`${s.name}: ${f.source} has no file: secret-files.ts must write it first`);
        return { source: f.file, destination: f.target, readonly: true };
      })),
    networkMode: s.networkMode,
    // Compose makes every replica answer to its service's name on each of its networks; the
    // network of highest priority is attached first.
    networks: [...s.networks].sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0)).map((x) => ({
      network: netName(x.key),
      aliases: [...new Set([s.name, ...x.aliases])],
      ...(x.ipv4Address !== undefined ? { ip: x.ipv4Address } : {}),
    })),
    ports: s.ports,
    publishAll: false,
    restart: restartPolicy(s.restart),
    autoRemove: false,
    labels: {
      ...s.labels,
      [LABEL_PROJECT]: p.name,
      [LABEL_SERVICE]: s.name,
      [LABEL_NUMBER]: String(n),
      [LABEL_HASH]: hash,
      [LABEL_WORKDIR]: p.workingDir,
      // compose ls shows them; the project's first file first.
      'com.docker.compose.project.config_files': p.configFiles.join(','),
    },
  };
  if (s.command) req.cmd = s.command;
  if (s.entrypoint) req.entrypoint = s.entrypoint;
  if (s.workingDir !== undefined) req.workdir = s.workingDir;
  if (s.user !== undefined) req.user = s.user;
  if (s.hostname !== undefined) req.hostname = s.hostname;
  if (s.stopGracePeriodSec !== undefined) req.stopTimeout = s.stopGracePeriodSec;
  if (s.healthcheck) req.healthcheck = { ...s.healthcheck };
  if (s.runtime !== undefined) req.runtime = s.runtime;
  if (s.security) req.security = structuredClone(s.security);
  if (s.userns) req.userns = structuredClone(s.userns);
  if (s.namespaces) {
    // service:NAME is that service's first container, as in Compose.
    const target = (v: string) => {
      const m = /^service:(.+)$/.exec(v);
      if (!m) return v;
      const other = p.services.find((x) => x.name === m[1]);
      return `container:${other?.containerName ?? containerName(p.name, m[1]!, 1)}`;
    };
    const ns = s.namespaces;
    req.namespaces = {
      ...(ns.network !== undefined ? { network: target(ns.network).replace(/^container:/, '') } : {}),
      ...(ns.pid !== undefined ? { pid: target(ns.pid) } : {}),
      ...(ns.ipc !== undefined ? { ipc: target(ns.ipc) } : {}),
    };
  }
  if (s.domainname !== undefined) req.domainname = s.domainname;
  if (Object.keys(s.annotations).length > 0) req.annotations = { ...s.annotations };
  if (s.host) {
    // The driver is shown by compose config; every file driver is the engine's one log file.
    const { logDriver: _d, ...host } = structuredClone(s.host);
    Object.assign(req, host);
  }
  return req;
}

/** A container of the project as `up` sees it. */
export interface Existing {
  id: string;
  name: string;
  number: number;
  hash: string;
  running: boolean;
}

export interface ServicePlan {
  /** Same configuration: left alone (started if stopped). */
  keep: Existing[];
  /** Changed configuration: removed, then created again under the same number. */
  recreate: Existing[];
  /** Replica numbers to create. */
  create: number[];
  /** Beyond the wanted count: the highest numbers go. */
  remove: Existing[];
}

/** `hash` null: --no-recreate, every container that stays is kept whatever its configuration. */
export function planService(want: number, hash: string | null, existing: readonly Existing[]): ServicePlan {
  const sorted = [...existing].sort((a, b) => a.number - b.number);
  const stay = sorted.slice(0, want);
  const remove = sorted.slice(want).reverse();
  const used = new Set(stay.map((e) => e.number));
  const create: number[] = [];
  for (let n = 1; create.length < want - stay.length; n++) if (!used.has(n)) create.push(n);
  return {
    keep: stay.filter((e) => hash === null || e.hash === hash),
    recreate: stay.filter((e) => hash !== null && e.hash !== hash),
    create,
    remove,
  };
}

/** `--scale web=5`: replica counts given on the command line, checked against the project. */
export function parseScale(specs: readonly string[], p: ComposeProject): Map<string, number> {
  const out = new Map<string, number>();
  for (const spec of specs) {
    const m = /^([^=]+)=(\d+)$/.exec(spec);
    if (!m) throw invalid('compose.bad_scale', `invalid --scale "${spec}": expected SERVICE=NUMBER`);
    if (!p.services.some((s) => s.name === m[1])) throw notFound('compose.no_such_service', `--scale ${spec}: no such service: ${m[1]}`);
    out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/**
 * What would fail half way through `up` if not refused first: several replicas (or services)
 * asking for one fixed host port or one static address, and more CPUs than the host has.
 * `counts` is the replica count per service after --scale.
 */
export function checkFeasible(p: ComposeProject, counts: ReadonlyMap<string, number>, hostCpus: number): void {
  const hostPorts = new Map<string, string>();
  const statics = new Map<string, string>();
  for (const s of p.services) {
    const n = counts.get(s.name) ?? s.replicas;
    if (n === 0) continue;
    if (s.containerName !== undefined && n > 1) {
      throw conflict('compose.name_per_replica', `service ${s.name}: ${n} replicas cannot all be named ${s.containerName}`,
        'remove container_name, or run one replica');
    }
    if (s.resources.cpusetCpus !== undefined) {
      try {
        parseCpuset(s.resources.cpusetCpus, hostCpus);
      } catch {
        throw invalid('compose.too_many_cpus', `service ${s.name}: cpuset ${s.resources.cpusetCpus} names CPUs this host does not have (it has ${hostCpus})`);
      }
    }
    if (s.resources.cpus !== undefined && s.resources.cpus > hostCpus) {
      throw invalid('compose.too_many_cpus', `service ${s.name}: cpus ${s.resources.cpus} is more than the ${hostCpus} CPUs this host has`);
    }
    for (const spec of s.ports) {
      const ps = parsePortSpec(spec);
      if (ps.hostPort === 0) continue;
      const key = `${ps.hostIp || '0.0.0.0'}:${ps.hostPort}/${ps.proto}`;
      if (n > 1)
        throw conflict('compose.port_per_replica', `service ${s.name}: ${n} replicas cannot all publish host port ${ps.hostPort}`,
          'publish a port range, or only the container port (a free host port is then picked for each)');
      const other = hostPorts.get(key);
      if (other) throw conflict('compose.port_twice', `services ${other} and ${s.name} both publish host port ${ps.hostPort}/${ps.proto}`);
      hostPorts.set(key, s.name);
    }
    for (const net of s.networks) {
      if (net.ipv4Address === undefined) continue;
      if (n > 1) throw conflict('compose.address_per_replica', `service ${s.name}: ${n} replicas cannot all have the address ${net.ipv4Address}`);
      const key = `${net.key}/${net.ipv4Address}`;
      const other = statics.get(key);
      if (other) throw conflict('compose.address_twice', `services ${other} and ${s.name} both ask for ${net.ipv4Address} on network ${net.key}`);
      statics.set(key, s.name);
    }
  }
}
