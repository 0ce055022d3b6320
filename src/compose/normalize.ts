// From parsed YAML to a ComposeProject: the compose-spec subset berth runs. Every key is
// checked against what berth supports; one it does not know is an error naming its path, never
// silently dropped. Pure: no file system, no host state beyond what the caller passes in.
import { isAbsolute, join, resolve } from 'node:path';
import { invalid, type BerthError } from '../common/errors.js';
import { parseDuration, parseSize } from '../common/units.js';
import { emptyResources, type DeviceRate, type Resources } from '../engine/types.js';
import { parsePortSpec } from '../engine/index.js';
import type {
  ComposeProject, DependsCondition, NetworkConfig, ServiceConfig, ServiceHealthcheck, ServiceNetwork, ServiceVolume, VolumeConfig,
} from './model.js';
import { normalizeProjectName, splitWords } from './text.js';

export interface NormalizeOptions {
  /** Shown in error messages ("compose.yaml"). */
  file: string;
  /** The compose file's directory: relative bind paths start here. */
  workingDir: string;
  /** -p; else the file's `name:`; else the directory's name. */
  projectName?: string;
  /** The environment for variables given without a value; usually process.env. */
  env: Readonly<Record<string, string | undefined>>;
}

type Map_ = Record<string, unknown>;

const SERVICE_KEYS = [
  'image', 'command', 'entrypoint', 'environment', 'working_dir', 'user', 'hostname', 'labels', 'ports', 'networks', 'volumes',
  'restart', 'depends_on', 'deploy', 'mem_limit', 'cpus', 'pids_limit', 'blkio_config', 'healthcheck', 'stop_grace_period',
];

class Reader {
  constructor(readonly file: string) {}

  fail(path: string, msg: string, hint?: string): BerthError {
    return invalid('compose.invalid', `${this.file}: ${path}: ${msg}`, hint);
  }

  mapping(v: unknown, path: string): Map_ {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw this.fail(path, `must be a mapping, not ${describe(v)}`);
    return v as Map_;
  }

  /** Refuses any key berth does not handle; x-* extension keys are the spec's own comments. */
  keys(o: Map_, path: string, allowed: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (allowed.includes(k) || k.startsWith('x-')) continue;
      throw invalid('compose.unsupported', `${this.file}: ${path ? `${path}.` : ''}${k}: not supported by berth`,
        `berth supports ${allowed.join(', ')} here`);
    }
  }

  str(v: unknown, path: string): string {
    if (typeof v === 'string') return v;
    if (typeof v === 'number') return String(v);
    throw this.fail(path, `must be a string, not ${describe(v)}`);
  }

  int(v: unknown, path: string, min: number): number {
    const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min) throw this.fail(path, `must be an integer of at least ${min}, not ${describe(v)}`);
    return n;
  }

  bool(v: unknown, path: string): boolean {
    if (typeof v !== 'boolean') throw this.fail(path, `must be true or false, not ${describe(v)}`);
    return v;
  }

  list(v: unknown, path: string): unknown[] {
    if (!Array.isArray(v)) throw this.fail(path, `must be a list, not ${describe(v)}`);
    return v;
  }

  strList(v: unknown, path: string): string[] {
    return this.list(v, path).map((x, i) => this.str(x, `${path}[${i}]`));
  }

  /** command, entrypoint: a string is split into words as a shell would, without running one. */
  words(v: unknown, path: string): string[] {
    if (typeof v === 'string') return splitWords(v, `${this.file}: ${path}`);
    return this.strList(v, path);
  }

  /** labels and environment: ["K=V", "K"] or {K: V}; null values stay null. */
  keyValues(v: unknown, path: string): Map<string, string | null> {
    const out = new Map<string, string | null>();
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        const s = this.str(x, `${path}[${i}]`);
        const eq = s.indexOf('=');
        if (eq === 0) throw this.fail(`${path}[${i}]`, `"${s}" has no name before =`);
        out.set(eq < 0 ? s : s.slice(0, eq), eq < 0 ? null : s.slice(eq + 1));
      });
      return out;
    }
    for (const [k, x] of Object.entries(this.mapping(v, path))) {
      if (x === null) out.set(k, null);
      else if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out.set(k, String(x));
      else throw this.fail(`${path}.${k}`, `must be a string, number or boolean, not ${describe(x)}`);
    }
    return out;
  }

  labels(v: unknown, path: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, x] of this.keyValues(v, path)) out[k] = x ?? '';
    return out;
  }

  duration(v: unknown, path: string): number {
    if (typeof v === 'number' && v >= 0) return v * 1000;
    try {
      return parseDuration(this.str(v, path), path);
    } catch {
      throw this.fail(path, `invalid duration ${describe(v)}: expected e.g. 10s, 1m30s or 500ms`);
    }
  }

  size(v: unknown, path: string): number {
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
    try {
      return parseSize(this.str(v, path), path);
    } catch {
      throw this.fail(path, `invalid size ${describe(v)}: expected bytes or a number with a unit b, k, m, g (e.g. 64m)`);
    }
  }

  cpus(v: unknown, path: string): number {
    const n = typeof v === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw this.fail(path, `must be a positive number of CPUs such as 0.5, not ${describe(v)}`);
    return n;
  }
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'empty';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Checks the parsed YAML of a compose file and gives it berth's shape. Throws the first problem found. */
export function normalizeCompose(raw: unknown, opts: NormalizeOptions): ComposeProject {
  const r = new Reader(opts.file);
  if (raw === null || raw === undefined) throw r.fail('(top level)', 'the file is empty');
  const top = r.mapping(raw, '(top level)');
  r.keys(top, '', ['name', 'services', 'networks', 'volumes', 'version']);
  if (top.version !== undefined) r.str(top.version, 'version'); // obsolete in the spec; accepted, has no effect

  const fromFile = top.name === undefined ? undefined : r.str(top.name, 'name');
  const project = normalizeProjectName(opts.projectName ?? fromFile ?? baseName(opts.workingDir));
  if (!project) throw invalid('compose.bad_project_name', `invalid project name "${opts.projectName ?? fromFile ?? opts.workingDir}": it must contain a letter or digit`, 'give one with -p NAME');

  if (top.services === undefined || top.services === null) throw r.fail('services', 'the file defines no services');
  const rawServices = r.mapping(top.services, 'services');
  if (Object.keys(rawServices).length === 0) throw r.fail('services', 'the file defines no services');

  const netDecl = top.networks === undefined || top.networks === null ? {} : r.mapping(top.networks, 'networks');
  const volDecl = top.volumes === undefined || top.volumes === null ? {} : r.mapping(top.volumes, 'volumes');

  const services: ServiceConfig[] = [];
  for (const [name, v] of Object.entries(rawServices)) {
    if (!NAME_RE.test(name)) throw r.fail(`services.${name}`, 'a service name may contain only letters, digits, _, . and -, starting with a letter or digit');
    services.push(normalizeService(r, name, v, { ...opts, netKeys: new Set([...Object.keys(netDecl), 'default']), volKeys: new Set(Object.keys(volDecl)) }));
  }
  checkDependencies(r, services);

  const usedNets = new Set(services.flatMap((s) => s.networks.map((n) => n.key)));
  const networks: NetworkConfig[] = [];
  for (const key of [...Object.keys(netDecl), ...(netDecl.default === undefined ? ['default'] : [])]) {
    const n = normalizeNetwork(r, project, key, netDecl[key]);
    // Every declaration is checked, but Compose creates only the networks some service uses.
    if (usedNets.has(key)) networks.push(n);
  }
  const volumes: VolumeConfig[] = Object.entries(volDecl).map(([key, v]) => normalizeVolume(r, project, key, v));
  return { name: project, workingDir: opts.workingDir, configFile: opts.file, services, networks, volumes };
}

function baseName(dir: string): string {
  return resolve(dir).split('/').filter(Boolean).pop() ?? '';
}

interface ServiceOpts extends NormalizeOptions { netKeys: Set<string>; volKeys: Set<string> }

function normalizeService(r: Reader, name: string, v: unknown, o: ServiceOpts): ServiceConfig {
  const p = `services.${name}`;
  const s = r.mapping(v, p);
  r.keys(s, p, SERVICE_KEYS);
  if (s.image === undefined) throw r.fail(p, 'has no image', 'berth runs images it has imported; `build` is not supported');
  const image = r.str(s.image, `${p}.image`);
  if (!image) throw r.fail(`${p}.image`, 'must not be empty');

  const environment: Record<string, string> = {};
  if (s.environment !== undefined) {
    for (const [k, x] of r.keyValues(s.environment, `${p}.environment`)) {
      const val = x ?? o.env[k];
      if (val !== undefined) environment[k] = val;
    }
  }

  const out: ServiceConfig = {
    name,
    image,
    environment,
    labels: s.labels === undefined ? {} : r.labels(s.labels, `${p}.labels`),
    ports: s.ports === undefined ? [] : r.list(s.ports, `${p}.ports`).map((x, i) => port(r, x, `${p}.ports[${i}]`)),
    networks: serviceNetworks(r, s.networks, p, o.netKeys),
    volumes: s.volumes === undefined ? [] : r.list(s.volumes, `${p}.volumes`).map((x, i) => volume(r, x, `${p}.volumes[${i}]`, o)),
    restart: restart(r, s.restart, `${p}.restart`),
    dependsOn: dependsOn(r, s.depends_on, `${p}.depends_on`),
    replicas: 1,
    resources: emptyResources(),
  };
  if (s.command !== undefined && s.command !== null) out.command = r.words(s.command, `${p}.command`);
  if (s.entrypoint !== undefined && s.entrypoint !== null) out.entrypoint = r.words(s.entrypoint, `${p}.entrypoint`);
  if (s.working_dir !== undefined) out.workingDir = r.str(s.working_dir, `${p}.working_dir`);
  if (out.workingDir !== undefined && !out.workingDir.startsWith('/')) throw r.fail(`${p}.working_dir`, `"${out.workingDir}" must be an absolute path`);
  if (s.user !== undefined) out.user = r.str(s.user, `${p}.user`);
  if (s.hostname !== undefined) out.hostname = r.str(s.hostname, `${p}.hostname`);
  if (s.stop_grace_period !== undefined) out.stopGracePeriodSec = Math.ceil(r.duration(s.stop_grace_period, `${p}.stop_grace_period`) / 1000);
  if (s.healthcheck !== undefined) {
    const h = healthcheck(r, s.healthcheck, `${p}.healthcheck`);
    if (h) out.healthcheck = h;
  }
  applyResources(r, s, p, out);
  return out;
}

function port(r: Reader, v: unknown, path: string): string {
  let text: string;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const m = v as Map_;
    r.keys(m, path, ['target', 'published', 'host_ip', 'protocol', 'mode']);
    if (m.mode !== undefined && r.str(m.mode, `${path}.mode`) !== 'ingress' && m.mode !== 'host') throw r.fail(`${path}.mode`, 'must be ingress or host');
    if (m.target === undefined) throw r.fail(path, 'has no target port');
    const target = r.str(m.target, `${path}.target`);
    const published = m.published === undefined ? '' : r.str(m.published, `${path}.published`);
    const hostIp = m.host_ip === undefined ? '' : r.str(m.host_ip, `${path}.host_ip`);
    const proto = m.protocol === undefined ? 'tcp' : r.str(m.protocol, `${path}.protocol`);
    text = `${hostIp ? `${hostIp}:${published}:` : published ? `${published}:` : ''}${target}/${proto}`;
  } else {
    text = r.str(v, path);
  }
  try {
    parsePortSpec(text);
  } catch (e) {
    throw r.fail(path, (e as Error).message.replace(/^invalid port mapping -p /, 'invalid port mapping '), 'use [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  }
  return text;
}

function serviceNetworks(r: Reader, v: unknown, p: string, declared: Set<string>): ServiceNetwork[] {
  if (v === undefined || v === null) return [{ key: 'default', aliases: [] }];
  const path = `${p}.networks`;
  const check = (key: string) => {
    if (!declared.has(key)) throw r.fail(`${path}.${key}`, `network ${key} is not declared under the top-level networks`);
  };
  if (Array.isArray(v)) {
    return v.map((x, i) => {
      const key = r.str(x, `${path}[${i}]`);
      check(key);
      return { key, aliases: [] };
    });
  }
  return Object.entries(r.mapping(v, path)).map(([key, x]) => {
    check(key);
    const n: ServiceNetwork = { key, aliases: [] };
    if (x === null || x === undefined) return n;
    const m = r.mapping(x, `${path}.${key}`);
    r.keys(m, `${path}.${key}`, ['aliases', 'ipv4_address']);
    if (m.aliases !== undefined) n.aliases = r.strList(m.aliases, `${path}.${key}.aliases`);
    if (m.ipv4_address !== undefined) n.ipv4Address = r.str(m.ipv4_address, `${path}.${key}.ipv4_address`);
    return n;
  });
}

function volume(r: Reader, v: unknown, path: string, o: ServiceOpts): ServiceVolume {
  let type: 'bind' | 'volume';
  let source: string;
  let target: string;
  let readOnly = false;
  if (typeof v === 'string') {
    const parts = v.split(':');
    if (parts.length === 1) throw invalid('compose.unsupported', `${r.file}: ${path}: anonymous volume "${v}": not supported by berth`, 'name it: NAME:/path, with NAME under the top-level volumes');
    if (parts.length > 3 || !parts[0] || !parts[1]) throw r.fail(path, `invalid volume "${v}": expected SOURCE:TARGET[:ro|rw]`);
    const mode = parts[2] ?? 'rw';
    if (mode !== 'ro' && mode !== 'rw') throw r.fail(path, `invalid mode "${mode}" in "${v}": expected ro or rw`);
    source = parts[0];
    target = parts[1];
    readOnly = mode === 'ro';
    type = /^[./~]/.test(source) ? 'bind' : 'volume';
  } else {
    const m = r.mapping(v, path);
    r.keys(m, path, ['type', 'source', 'target', 'read_only']);
    const t = m.type === undefined ? undefined : r.str(m.type, `${path}.type`);
    if (t !== 'bind' && t !== 'volume') throw r.fail(`${path}.type`, 'must be bind or volume');
    type = t;
    if (m.source === undefined || m.target === undefined) throw r.fail(path, 'needs a source and a target');
    source = r.str(m.source, `${path}.source`);
    target = r.str(m.target, `${path}.target`);
    if (m.read_only !== undefined) readOnly = r.bool(m.read_only, `${path}.read_only`);
  }
  if (!target.startsWith('/')) throw r.fail(path, `target "${target}" must be an absolute path`);
  if (type === 'bind') {
    const home = o.env.HOME ?? '/root';
    source = source.startsWith('~') ? join(home, source.slice(1)) : isAbsolute(source) ? source : resolve(o.workingDir, source);
  } else if (!o.volKeys.has(source)) {
    throw r.fail(path, `volume ${source} is not declared under the top-level volumes`);
  }
  return { type, source, target, readOnly };
}

function restart(r: Reader, v: unknown, path: string): string {
  if (v === undefined || v === false) return 'no';
  const s = r.str(v, path);
  if (!/^(no|always|unless-stopped|on-failure(:\d+)?)$/.test(s)) throw r.fail(path, `"${s}" is not one of no, always, on-failure[:N], unless-stopped`);
  return s;
}

const CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

function dependsOn(r: Reader, v: unknown, path: string): ServiceConfig['dependsOn'] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v.map((x, i) => ({ service: r.str(x, `${path}[${i}]`), condition: 'service_started' as const }));
  return Object.entries(r.mapping(v, path)).map(([service, x]) => {
    if (x === null) return { service, condition: 'service_started' as const };
    const m = r.mapping(x, `${path}.${service}`);
    r.keys(m, `${path}.${service}`, ['condition']);
    const c = m.condition === undefined ? 'service_started' : r.str(m.condition, `${path}.${service}.condition`);
    if (!(CONDITIONS as readonly string[]).includes(c)) throw r.fail(`${path}.${service}.condition`, `"${c}" is not one of ${CONDITIONS.join(', ')}`);
    return { service, condition: c as DependsCondition };
  });
}

function healthcheck(r: Reader, v: unknown, path: string): ServiceHealthcheck | undefined {
  const m = r.mapping(v, path);
  r.keys(m, path, ['test', 'interval', 'timeout', 'retries', 'start_period', 'disable']);
  if (m.disable !== undefined && r.bool(m.disable, `${path}.disable`)) return undefined;
  if (m.test === undefined) throw r.fail(path, 'has no test');
  let test: string[];
  if (typeof m.test === 'string') test = ['/bin/sh', '-c', m.test];
  else {
    const t = r.strList(m.test, `${path}.test`);
    const [kind, ...rest] = t;
    if (kind === 'NONE') return undefined;
    if (kind === 'CMD' && rest.length > 0) test = rest;
    else if (kind === 'CMD-SHELL' && rest.length === 1) test = ['/bin/sh', '-c', rest[0]!];
    else throw r.fail(`${path}.test`, 'must be a string, ["CMD", args...], ["CMD-SHELL", "command"] or ["NONE"]');
  }
  return {
    test,
    intervalMs: m.interval === undefined ? 30_000 : r.duration(m.interval, `${path}.interval`),
    timeoutMs: m.timeout === undefined ? 30_000 : r.duration(m.timeout, `${path}.timeout`),
    retries: m.retries === undefined ? 3 : r.int(m.retries, `${path}.retries`, 1),
    startPeriodMs: m.start_period === undefined ? 0 : r.duration(m.start_period, `${path}.start_period`),
  };
}

function applyResources(r: Reader, s: Map_, p: string, out: ServiceConfig): void {
  const res: Resources = out.resources;
  if (s.mem_limit !== undefined) res.memory = r.size(s.mem_limit, `${p}.mem_limit`);
  if (s.cpus !== undefined) res.cpus = r.cpus(s.cpus, `${p}.cpus`);
  if (s.pids_limit !== undefined) res.pidsLimit = r.int(s.pids_limit, `${p}.pids_limit`, 1);
  if (s.deploy !== undefined && s.deploy !== null) {
    const d = r.mapping(s.deploy, `${p}.deploy`);
    r.keys(d, `${p}.deploy`, ['replicas', 'resources']);
    if (d.replicas !== undefined) out.replicas = r.int(d.replicas, `${p}.deploy.replicas`, 0);
    if (d.resources !== undefined) {
      const rr = r.mapping(d.resources, `${p}.deploy.resources`);
      r.keys(rr, `${p}.deploy.resources`, ['limits']);
      if (rr.limits !== undefined) {
        const lp = `${p}.deploy.resources.limits`;
        const l = r.mapping(rr.limits, lp);
        r.keys(l, lp, ['memory', 'cpus', 'pids']);
        const same = (key: string, a: number | undefined, b: number) => {
          if (a !== undefined && a !== b) throw r.fail(`${lp}.${key}`, `disagrees with the service's own ${key === 'memory' ? 'mem_limit' : key === 'pids' ? 'pids_limit' : key}`);
          return b;
        };
        if (l.memory !== undefined) res.memory = same('memory', res.memory, r.size(l.memory, `${lp}.memory`));
        if (l.cpus !== undefined) res.cpus = same('cpus', res.cpus, r.cpus(l.cpus, `${lp}.cpus`));
        if (l.pids !== undefined) res.pidsLimit = same('pids', res.pidsLimit, r.int(l.pids, `${lp}.pids`, 1));
      }
    }
  }
  if (s.blkio_config !== undefined) {
    const bp = `${p}.blkio_config`;
    const b = r.mapping(s.blkio_config, bp);
    r.keys(b, bp, ['device_read_bps', 'device_write_bps', 'device_read_iops', 'device_write_iops']);
    const rates = (key: string, iops: boolean): DeviceRate[] => {
      if (b[key] === undefined) return [];
      return r.list(b[key], `${bp}.${key}`).map((x, i) => {
        const ip = `${bp}.${key}[${i}]`;
        const m = r.mapping(x, ip);
        r.keys(m, ip, ['path', 'rate']);
        if (m.path === undefined || m.rate === undefined) throw r.fail(ip, 'needs a path and a rate');
        const path = r.str(m.path, `${ip}.path`);
        if (!path.startsWith('/')) throw r.fail(`${ip}.path`, `"${path}" must be an absolute device path`);
        return { path, rate: iops ? r.int(m.rate, `${ip}.rate`, 1) : r.size(m.rate, `${ip}.rate`) };
      });
    };
    res.blkio = {
      readBps: rates('device_read_bps', false), writeBps: rates('device_write_bps', false),
      readIops: rates('device_read_iops', true), writeIops: rates('device_write_iops', true),
    };
  }
}

function checkDependencies(r: Reader, services: readonly ServiceConfig[]): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    for (const d of s.dependsOn) {
      if (d.service === s.name) throw r.fail(`services.${s.name}.depends_on`, 'a service cannot depend on itself');
      const dep = byName.get(d.service);
      if (!dep) throw r.fail(`services.${s.name}.depends_on`, `depends on undefined service ${d.service}`);
      if (d.condition === 'service_healthy' && !dep.healthcheck) {
        throw r.fail(`services.${s.name}.depends_on.${d.service}`, `condition service_healthy needs a healthcheck on service ${d.service}`);
      }
    }
  }
  // Depth-first search with colours; the grey path is the cycle.
  const state = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const visit = (name: string) => {
    if (state.get(name) === 'black') return;
    if (state.get(name) === 'grey') {
      const cycle = [...stack.slice(stack.indexOf(name)), name];
      throw r.fail('services', `dependency cycle: ${cycle.join(' -> ')}`);
    }
    state.set(name, 'grey');
    stack.push(name);
    for (const d of byName.get(name)!.dependsOn) visit(d.service);
    stack.pop();
    state.set(name, 'black');
  };
  for (const s of services) visit(s.name);
}

function normalizeNetwork(r: Reader, project: string, key: string, v: unknown): NetworkConfig {
  const p = `networks.${key}`;
  const n: NetworkConfig = { key, name: `${project}_${key}`, external: false, internal: false, labels: {} };
  if (v === undefined || v === null) return n;
  const m = r.mapping(v, p);
  r.keys(m, p, ['driver', 'ipam', 'internal', 'labels', 'name', 'external', 'enable_ipv6']);
  if (m.driver !== undefined && r.str(m.driver, `${p}.driver`) !== 'bridge') throw invalid('compose.unsupported', `${r.file}: ${p}.driver: ${m.driver as string}: not supported by berth`, 'berth networks are bridges: use driver: bridge');
  if (m.enable_ipv6 !== undefined && r.bool(m.enable_ipv6, `${p}.enable_ipv6`)) throw invalid('compose.unsupported', `${r.file}: ${p}.enable_ipv6: true: not supported by berth`);
  if (m.internal !== undefined) n.internal = r.bool(m.internal, `${p}.internal`);
  if (m.labels !== undefined) n.labels = r.labels(m.labels, `${p}.labels`);
  if (m.name !== undefined) n.name = r.str(m.name, `${p}.name`);
  if (m.external !== undefined) n.external = r.bool(m.external, `${p}.external`);
  if (n.external && m.name === undefined) n.name = key;
  if (m.ipam !== undefined) {
    const ip = r.mapping(m.ipam, `${p}.ipam`);
    r.keys(ip, `${p}.ipam`, ['driver', 'config']);
    if (ip.driver !== undefined && r.str(ip.driver, `${p}.ipam.driver`) !== 'default') throw invalid('compose.unsupported', `${r.file}: ${p}.ipam.driver: ${ip.driver as string}: not supported by berth`);
    if (ip.config !== undefined) {
      const cfg = r.list(ip.config, `${p}.ipam.config`);
      if (cfg.length > 1) throw invalid('compose.unsupported', `${r.file}: ${p}.ipam.config: more than one subnet: not supported by berth`);
      if (cfg.length === 1) {
        const cp = `${p}.ipam.config[0]`;
        const c = r.mapping(cfg[0], cp);
        r.keys(c, cp, ['subnet', 'gateway', 'ip_range']);
        if (c.subnet !== undefined) n.subnet = r.str(c.subnet, `${cp}.subnet`);
        if (c.gateway !== undefined) n.gateway = r.str(c.gateway, `${cp}.gateway`);
        if (c.ip_range !== undefined) n.ipRange = r.str(c.ip_range, `${cp}.ip_range`);
        if (n.subnet === undefined && (n.gateway !== undefined || n.ipRange !== undefined)) throw r.fail(cp, 'gateway and ip_range need a subnet');
      }
    }
  }
  if (n.external && (n.subnet !== undefined || n.internal)) throw r.fail(p, 'an external network is not configured here');
  return n;
}

function normalizeVolume(r: Reader, project: string, key: string, v: unknown): VolumeConfig {
  const p = `volumes.${key}`;
  if (!NAME_RE.test(key)) throw r.fail(p, 'a volume name may contain only letters, digits, _, . and -');
  const vol: VolumeConfig = { key, name: `${project}_${key}`, external: false, labels: {} };
  if (v === undefined || v === null) return vol;
  const m = r.mapping(v, p);
  r.keys(m, p, ['driver', 'labels', 'name', 'external']);
  if (m.driver !== undefined && r.str(m.driver, `${p}.driver`) !== 'local') throw invalid('compose.unsupported', `${r.file}: ${p}.driver: ${m.driver as string}: not supported by berth`);
  if (m.labels !== undefined) vol.labels = r.labels(m.labels, `${p}.labels`);
  if (m.name !== undefined) vol.name = r.str(m.name, `${p}.name`);
  if (m.external !== undefined) vol.external = r.bool(m.external, `${p}.external`);
  if (vol.external && m.name === undefined) vol.name = key;
  if (!NAME_RE.test(vol.name)) throw r.fail(`${p}.name`, `invalid volume name "${vol.name}"`);
  return vol;
}
