// `compose config`: the project as berth understood it, written back in the canonical form
// `docker compose config` prints (keys sorted, long syntax, names and defaults filled in,
// paths absolute), and that berth reads back to the same project.
import { stringify } from 'yaml';
import { parsePortSpec } from '../engine/index.js';
import type { ComposeProject, ServiceConfig } from './model.js';

const ms = (n: number) => (n % 1000 === 0 ? `${n / 1000}s` : `${n}ms`);
const nonEmpty = (o: Record<string, unknown>) => Object.keys(o).length > 0;

function sorted(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

function port(spec: string): Record<string, unknown> {
  const p = parsePortSpec(spec);
  return {
    mode: 'ingress',
    ...(p.hostIp ? { host_ip: p.hostIp } : {}),
    target: p.containerPort,
    ...(p.hostPort ? { published: String(p.hostPort) } : {}),
    protocol: p.proto,
  };
}

function service(s: ServiceConfig, json: boolean): Record<string, unknown> {
  // compose-go gives a service that builds without image: no image in its model.
  const o: Record<string, unknown> = s.imageDefaulted ? {} : { image: s.image };
  if (s.build) {
    const b = s.build;
    // Docker Compose's model always names the Dockerfile; Dockerfile is its default.
    o.build = {
      context: b.context,
      ...(b.dockerfileInline !== undefined ? { dockerfile_inline: b.dockerfileInline } : { dockerfile: b.dockerfile ?? 'Dockerfile' }),
      ...(nonEmpty(b.args) ? { args: b.args } : {}),
      ...(b.target !== undefined ? { target: b.target } : {}),
      ...(nonEmpty(b.labels) ? { labels: b.labels } : {}),
      ...(b.tags.length > 0 ? { tags: b.tags } : {}),
      ...(b.network !== undefined ? { network: b.network } : {}),
      ...(b.pull ? { pull: true } : {}),
      ...(b.noCache ? { no_cache: true } : {}),
    };
  }
  if (s.containerName !== undefined) o.container_name = s.containerName;
  if (s.entrypoint) o.entrypoint = s.entrypoint;
  if (s.command) o.command = s.command;
  if (nonEmpty(s.environment)) o.environment = s.environment;
  if (s.workingDir !== undefined) o.working_dir = s.workingDir;
  if (s.user !== undefined) o.user = s.user;
  if (s.hostname !== undefined) o.hostname = s.hostname;
  if (s.platform !== undefined) o.platform = s.platform;
  if (nonEmpty(s.labels)) o.labels = s.labels;
  if (nonEmpty(s.annotations)) o.annotations = s.annotations;
  if (s.profiles.length > 0) o.profiles = s.profiles;
  if (s.readOnly) o.read_only = true;
  const sec = s.security;
  if (sec?.capAdd) o.cap_add = sec.capAdd;
  if (sec?.capDrop) o.cap_drop = sec.capDrop;
  if (sec?.privileged) o.privileged = true;
  if (sec?.groupAdd) o.group_add = sec.groupAdd;
  if (sec?.tmpfs) o.tmpfs = sec.tmpfs.map((t) => (t.options.length > 0 ? `${t.destination}:${t.options.join(',')}` : t.destination));
  const opts = [...(sec?.noNewPrivileges ? ['no-new-privileges:true'] : []),
    ...(sec?.seccomp === undefined ? [] : [`seccomp=${typeof sec.seccomp === 'string' ? sec.seccomp : sec.seccomp.source}`])];
  if (opts.length > 0) o.security_opt = opts;
  if (s.userns?.mode !== undefined) o.userns_mode = s.userns.mode;
  Object.assign(o, hostKeys(s));
  if (s.pullPolicy !== 'missing') o.pull_policy = s.pullPolicy;
  if (s.runtime !== undefined) o.runtime = s.runtime;
  if (s.resources.cpusetCpus !== undefined) o.cpuset = s.resources.cpusetCpus;
  if (s.resources.cpuShares !== undefined) o.cpu_shares = s.resources.cpuShares;
  if (s.resources.cpuPeriod !== undefined) o.cpu_period = s.resources.cpuPeriod;
  if (s.resources.cpuQuota !== undefined) o.cpu_quota = s.resources.cpuQuota;
  if (s.resources.memorySwap !== undefined) o.memswap_limit = s.resources.memorySwap === -1 ? -1 : String(s.resources.memorySwap);
  if (s.expose.length > 0) o.expose = s.expose;
  if (s.ports.length > 0) o.ports = s.ports.map(port);
  if (s.namespaces?.pid !== undefined) o.pid = s.namespaces.pid;
  if (s.namespaces?.ipc !== undefined) o.ipc = s.namespaces.ipc;
  if (s.domainname !== undefined) o.domainname = s.domainname;
  if (s.networkMode !== 'bridge') o.network_mode = s.namespaces?.network ?? s.networkMode;
  else {
    o.networks = Object.fromEntries(s.networks.map((n) => {
      const v: Record<string, unknown> = {};
      if (n.aliases.length > 0) v.aliases = n.aliases;
      if (n.ipv4Address !== undefined) v.ipv4_address = n.ipv4Address;
      if (n.priority !== undefined) v.priority = n.priority;
      return [n.key, nonEmpty(v) ? v : null];
    }));
  }
  if (s.volumes.length > 0)
    o.volumes = s.volumes.map((v) => ({
      type: v.type,
      source: v.source,
      target: v.target,
      ...(v.readOnly ? { read_only: true } : {}),
      // Compose's model: the short syntax's bind creates its source; a volume has its (empty) section.
      ...(v.type === 'bind' ? (v.createHostPath ? { bind: { create_host_path: true } } : {}) : { volume: {} }),
    }));
  const files = (fs: ServiceConfig['secrets']) =>
    fs.map((f) => ({
      source: f.source,
      target: f.target,
      ...(f.uid !== undefined ? { uid: String(f.uid) } : {}),
      ...(f.gid !== undefined ? { gid: String(f.gid) } : {}),
      // Octal, as it is written: a number would be read back as octal digits.
      ...(f.mode !== undefined ? { mode: `0${f.mode.toString(8)}` } : {}),
    }));
  if (s.secrets.length > 0) o.secrets = files(s.secrets);
  if (s.configs.length > 0) o.configs = files(s.configs);
  if (s.restart !== 'no') o.restart = s.restart;
  if (s.dependsOn.length > 0) {
    o.depends_on = Object.fromEntries(
      s.dependsOn.map((d) => [d.service, { condition: d.condition, ...(d.restart ? { restart: true } : {}), required: d.required }]),
    );
  }
  // Each limit where the file wrote it, as compose-go keeps it; its UnitBytes print as strings of bytes.
  const given = s.limitsGiven ?? { service: [], deploy: ['memory', 'cpus', 'pids'] };
  const { memory, cpus, pidsLimit } = s.resources;
  if (memory !== undefined && given.service.includes('memory')) o.mem_limit = String(memory);
  if (cpus !== undefined && given.service.includes('cpus')) o.cpus = cpus;
  if (pidsLimit !== undefined && given.service.includes('pids')) o.pids_limit = pidsLimit;
  // compose-go's Resource field order: cpus, memory, pids.
  const limits: Record<string, unknown> = {};
  if (cpus !== undefined && given.deploy.includes('cpus')) limits.cpus = cpus;
  if (memory !== undefined && given.deploy.includes('memory')) limits.memory = String(memory);
  if (pidsLimit !== undefined && given.deploy.includes('pids')) limits.pids = pidsLimit;
  const reservations: Record<string, unknown> = {
    ...(s.reservations.cpus !== undefined ? { cpus: s.reservations.cpus } : {}),
    ...(s.reservations.memory !== undefined ? { memory: String(s.reservations.memory) } : {}),
  };
  const resources = { ...(nonEmpty(limits) ? { limits } : {}), ...(nonEmpty(reservations) ? { reservations } : {}) };
  if (s.replicas !== 1 || nonEmpty(resources))
    o.deploy = { ...(s.replicas !== 1 ? { replicas: s.replicas } : {}), ...(nonEmpty(resources) ? { resources } : {}) };
  const b = s.resources.blkio;
  const blkio: Record<string, unknown> = {};
  if (b.readBps.length > 0) blkio.device_read_bps = b.readBps;
  if (b.writeBps.length > 0) blkio.device_write_bps = b.writeBps;
  if (b.readIops.length > 0) blkio.device_read_iops = b.readIops;
  if (b.writeIops.length > 0) blkio.device_write_iops = b.writeIops;
  if (s.resources.blkioWeight !== undefined) blkio.weight = s.resources.blkioWeight;
  if (nonEmpty(blkio)) o.blkio_config = blkio;
  if (s.healthcheck) {
    const h = s.healthcheck;
    const shell = h.test.length === 3 && h.test[0] === '/bin/sh' && h.test[1] === '-c';
    o.healthcheck = {
      test: shell ? ['CMD-SHELL', h.test[2]] : ['CMD', ...h.test],
      // compose-go's field order.
      timeout: ms(h.timeoutMs),
      interval: ms(h.intervalMs),
      retries: h.retries,
      start_period: ms(h.startPeriodMs),
    };
  }
  if (s.stopGracePeriodSec !== undefined) o.stop_grace_period = `${s.stopGracePeriodSec}s`;
  // x-* keys sort after every key of the spec, where compose-go's inline Extensions print. Its
  // JSON has none: a service's Extensions are json:"-", and only the project's are added back.
  if (s.extensions && !json) Object.assign(o, deepSorted(s.extensions));
  // Go maps, which compose-go prints sorted by key.
  for (const k of ['environment', 'labels', 'annotations', 'depends_on', 'networks', 'sysctls', 'ulimits']) {
    if (o[k] !== null && typeof o[k] === 'object' && !Array.isArray(o[k])) o[k] = sorted(o[k] as Record<string, unknown>);
  }
  return sorted(o);
}

/** The keys of host-keys.ts, as Compose prints them. */
function hostKeys(s: ServiceConfig): Record<string, unknown> {
  const h = s.host;
  if (!h) return {};
  const o: Record<string, unknown> = {};
  if (h.init) o.init = true;
  if (h.tty) o.tty = true;
  if (h.openStdin) o.stdin_open = true;
  if (h.stopSignal !== undefined) o.stop_signal = h.stopSignal;
  if (h.shmSize !== undefined) o.shm_size = String(h.shmSize);
  if (h.sysctls) o.sysctls = h.sysctls;
  if (h.ulimits) o.ulimits = Object.fromEntries(h.ulimits.map((u) => [u.name, u.soft === u.hard ? u.soft : { soft: u.soft, hard: u.hard }]));
  if (h.devices) {
    o.devices = h.devices.map((d) => ({ source: d.pathOnHost, target: d.pathInContainer, permissions: d.permissions }));
  }
  if (h.extraHosts) o.extra_hosts = h.extraHosts.map((x) => `${x.host}=${x.ip}`);
  if (h.dns?.servers.length) o.dns = h.dns.servers;
  if (h.dns?.search.length) o.dns_search = h.dns.search;
  if (h.dns?.options.length) o.dns_opt = h.dns.options;
  if (h.oomScoreAdj !== undefined) o.oom_score_adj = h.oomScoreAdj;
  if (h.logDriver !== undefined) {
    const options: Record<string, string> = {};
    if (h.logOpts?.maxSize !== undefined) options['max-size'] = String(h.logOpts.maxSize);
    if (h.logOpts?.maxFile !== undefined) options['max-file'] = String(h.logOpts.maxFile);
    o.logging = { driver: h.logDriver, ...(nonEmpty(options) ? { options } : {}) };
  }
  return o;
}

export function projectToYaml(p: ComposeProject): string {
  return stringify(projectModel(p, 'yaml'), { lineWidth: 0 });
}

/** The printed model as a tree: what `config` prints as YAML, or as JSON (`--format json`). */
export function projectModel(p: ComposeProject, format: 'yaml' | 'json'): Record<string, unknown> {
  const byKey = <T>(xs: readonly T[], key: (x: T) => string) => [...xs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  // Services, networks, volumes, secrets and configs are Go maps in compose-go: sorted by key.
  const doc: Record<string, unknown> = { name: p.name,
    services: Object.fromEntries(byKey(p.services, (s) => s.name).map((s) => [s.name, service(s, format === 'json')])) };
  if (p.networks.length > 0) {
    doc.networks = Object.fromEntries(byKey(p.networks, (n) => n.key).map((n) => {
      const v: Record<string, unknown> = { name: n.name };
      if (n.external) v.external = true;
      else {
        if (n.driver !== undefined) v.driver = n.driver;
        if (n.internal) v.internal = true;
        if (n.subnet !== undefined) {
          v.ipam = { config: [{ subnet: n.subnet, ...(n.gateway ? { gateway: n.gateway } : {}), ...(n.ipRange ? { ip_range: n.ipRange } : {}) }] };
        }
      }
      if (nonEmpty(n.labels)) v.labels = n.labels;
      return [n.key, v];
    }));
  }
  if (p.volumes.length > 0) {
    doc.volumes = Object.fromEntries(byKey(p.volumes, (v) => v.key).map((v) => [v.key, {
      name: v.name,
      ...(v.external ? { external: true } : {}),
      ...(nonEmpty(v.labels) ? { labels: v.labels } : {}),
    }]));
  }
  for (const kind of ['secrets', 'configs'] as const) {
    if (p[kind].length > 0) {
      doc[kind] = Object.fromEntries(byKey(p[kind], (f) => f.key).map((f) => [f.key, {
        name: `${p.name}_${f.key}`,
        ...(f.file !== undefined ? { file: f.file } : f.environment !== undefined ? { environment: f.environment } : { content: f.content }),
      }]));
    }
  }
  // compose-go's Extensions are inline, after the project's fields, a Go map: sorted.
  if (p.extensions) Object.assign(doc, deepSorted(p.extensions));
  return escapeDollars(doc) as Record<string, unknown>;
}

/** Extension values are Go maps of any in compose-go's model, which its encoder prints sorted by key. */
function deepSorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(deepSorted);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, deepSorted((v as Record<string, unknown>)[k])]));
  return v;
}

/** Values were interpolated once already; $$ keeps a literal $ literal when the output is read again. */
function escapeDollars(v: unknown): unknown {
  if (typeof v === 'string') return v.replaceAll('$', '$$$$');
  if (Array.isArray(v)) return v.map(escapeDollars);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, escapeDollars(x)]));
  return v;
}
