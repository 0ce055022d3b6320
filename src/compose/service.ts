// One service of a compose file, checked and given berth's shape (model.ts).
import { isAbsolute, join, resolve } from 'node:path';
import { invalid } from '../common/errors.js';
import { emptyResources } from '../engine/types.js';
import { parsePortSpec, parseRestartPolicy } from '../engine/index.js';
import type { DependsCondition, FileObject, ServiceConfig, ServiceHealthcheck, ServiceNetwork, ServiceVolume } from './model.js';
import type { NormalizeOptions } from './normalize.js';
import { SERVICE_KEYS } from './keys.js';
import { extensionsOf, NAME_RE, Reader, type Map_ } from './reader.js';
import { applyResources } from './resources.js';
import { buildConfig } from './build-config.js';
import { serviceFiles } from './secrets.js';
import { serviceSecurity } from './security.js';
import { hostKeys } from './host-keys.js';
import { show } from '../common/show.js';

export interface ServiceOpts extends NormalizeOptions {
  /** The project's name: an image built without image: is PROJECT-SERVICE. */
  project: string;
  hostPlatform: string;
  netKeys: Set<string>;
  volKeys: Set<string>;
  secrets: readonly FileObject[];
  configs: readonly FileObject[];
}

const NETWORK_MODES = ['bridge', 'none', 'host'] as const;

export function normalizeService(r: Reader, name: string, v: unknown, o: ServiceOpts): ServiceConfig {
  const p = `services.${name}`;
  const s = r.mapping(v, p);
  r.keys(s, p, SERVICE_KEYS);
  // load.ts reads env files into environment; a caller that skipped it would lose variables.
  if (s.env_file !== undefined) throw new Error(`${p}.env_file reached normalize: load.ts must apply it`);
  if (s.image === undefined && s.build === undefined) throw r.fail(p, 'has no image and no build', 'give image: NAME or build: DIRECTORY');
  const image = s.image === undefined ? `${o.project}-${name}` : r.str(s.image, `${p}.image`);
  if (!image) throw r.fail(`${p}.image`, 'must not be empty');

  const environment: Record<string, string> = {};
  if (s.environment !== undefined) {
    for (const [k, x] of r.keyValues(s.environment, `${p}.environment`)) {
      const val = x ?? o.env[k];
      if (val !== undefined) environment[k] = val;
    }
  }
  const ns = serviceNamespaces(r, s, p);
  const networkMode = ns.network !== undefined ? 'container' : s.network_mode === undefined ? 'bridge' : networkModeOf(r, s.network_mode, `${p}.network_mode`);
  if (networkMode !== 'bridge' && s.networks !== undefined) throw r.fail(`${p}.network_mode`, 'cannot be combined with networks');

  const out: ServiceConfig = {
    name,
    image,
    environment,
    labels: s.labels === undefined ? {} : r.labels(s.labels, `${p}.labels`),
    annotations: s.annotations === undefined ? {} : r.labels(s.annotations, `${p}.annotations`),
    ports: s.ports === undefined ? [] : r.list(s.ports, `${p}.ports`).map((x, i) => port(r, x, `${p}.ports[${i}]`)),
    expose: s.expose === undefined ? [] : r.list(s.expose, `${p}.expose`).map((x, i) => expose(r, x, `${p}.expose[${i}]`)),
    networkMode,
    networks: networkMode === 'bridge' ? serviceNetworks(r, s.networks, p, o.netKeys) : [],
    volumes: s.volumes === undefined ? [] : r.list(s.volumes, `${p}.volumes`).map((x, i) => volume(r, x, `${p}.volumes[${i}]`, o)),
    secrets: serviceFiles(r, 'secrets', s.secrets, p, o.secrets),
    configs: serviceFiles(r, 'configs', s.configs, p, o.configs),
    restart: restart(r, s.restart, `${p}.restart`),
    dependsOn: dependsOn(r, s.depends_on, `${p}.depends_on`),
    profiles: s.profiles === undefined ? [] : r.strList(s.profiles, `${p}.profiles`),
    readOnly: s.read_only === undefined ? false : r.bool(s.read_only, `${p}.read_only`),
    pullPolicy: 'missing',
    replicas: 1,
    resources: emptyResources(),
    reservations: {},
  };
  if (s.image === undefined) out.imageDefaulted = true;
  const ext = extensionsOf(s);
  if (ext) out.extensions = ext;
  if (Object.keys(ns).length > 0) {
    out.namespaces = ns;
    // As compose-go does: sharing a service's namespace starts it first, and restarts with it.
    for (const v of Object.values(ns)) {
      const dep = /^service:(.+)$/.exec(v)?.[1];
      if (dep === name) throw r.fail(p, `cannot share the namespaces of its own containers (${v})`);
      if (dep !== undefined && !out.dependsOn.some((d) => d.service === dep)) {
        out.dependsOn.push({ service: dep, condition: 'service_started', restart: true, required: true });
      }
    }
  }
  if (s.domainname !== undefined) out.domainname = r.str(s.domainname, `${p}.domainname`);
  if (networkMode !== 'bridge' && out.ports.length > 0) throw r.fail(`${p}.ports`, `publishing ports needs a bridge network, not network_mode ${networkMode}`);
  if (s.command !== undefined && s.command !== null) out.command = r.words(s.command, `${p}.command`);
  if (s.entrypoint !== undefined && s.entrypoint !== null) out.entrypoint = r.words(s.entrypoint, `${p}.entrypoint`);
  if (s.working_dir !== undefined) out.workingDir = r.str(s.working_dir, `${p}.working_dir`);
  if (out.workingDir !== undefined && !out.workingDir.startsWith('/')) throw r.fail(`${p}.working_dir`, `"${out.workingDir}" must be an absolute path`);
  if (s.user !== undefined) out.user = r.str(s.user, `${p}.user`);
  if (s.hostname !== undefined) out.hostname = r.str(s.hostname, `${p}.hostname`);
  if (s.container_name !== undefined) {
    const cn = r.str(s.container_name, `${p}.container_name`);
    if (!NAME_RE.test(cn))
      throw r.fail(`${p}.container_name`, `invalid container name "${cn}": only letters, digits, _, . and -, starting with a letter or digit`);
    out.containerName = cn;
  }
  if (s.build !== undefined && s.build !== null) out.build = buildConfig(r, s.build, p, { env: o.env, warn: o.warn ?? (() => {}) });
  if (s.platform !== undefined) out.platform = platform(r, s.platform, `${p}.platform`, o.hostPlatform);
  if (s.pull_policy !== undefined) {
    const pp = r.str(s.pull_policy, `${p}.pull_policy`);
    if (pp === 'always' || pp === 'never' || pp === 'missing') out.pullPolicy = pp;
    else if (pp === 'build') {
      if (s.build === undefined) throw r.fail(`${p}.pull_policy`, 'build needs a build section');
      out.pullPolicy = pp;
    } else if (pp === 'if_not_present') out.pullPolicy = 'missing';
    else throw invalid('compose.unsupported', `${r.file}: ${p}.pull_policy: ${pp}: not supported by berth`,
        'berth pulls with always, missing (if_not_present) or never');
  }
  if (s.runtime !== undefined) {
    const rt = r.str(s.runtime, `${p}.runtime`);
    if (rt !== 'runc' && rt !== 'crun')
      throw invalid('compose.unsupported', `${r.file}: ${p}.runtime: ${rt}: not supported by berth`, 'berth runs runc or crun');
    out.runtime = rt;
  }
  if (s.stop_grace_period !== undefined) out.stopGracePeriodSec = Math.ceil(r.duration(s.stop_grace_period, `${p}.stop_grace_period`) / 1000);
  if (s.healthcheck !== undefined) {
    const h = healthcheck(r, s.healthcheck, `${p}.healthcheck`);
    if (h) out.healthcheck = h;
  }
  Object.assign(out, serviceSecurity(r, s, p, o.workingDir));
  const host = hostKeys(r, s, p, { warn: o.warn ?? (() => {}), networkMode: networkMode });
  if (Object.keys(host).length > 0) out.host = host;
  applyResources(r, s, p, out);
  if (s.scale !== undefined) {
    const n = r.int(s.scale, `${p}.scale`, 0);
    const d = s.deploy as Map_ | undefined;
    if (d?.replicas !== undefined && out.replicas !== n) throw r.fail(`${p}.scale`, `disagrees with deploy.replicas (${out.replicas})`);
    out.replicas = n;
  }
  if (out.containerName !== undefined && out.replicas > 1) {
    throw r.fail(`${p}.container_name`, `"${out.containerName}" cannot name ${out.replicas} replicas`, 'remove container_name, or run one replica');
  }
  return out;
}

function networkModeOf(r: Reader, v: unknown, path: string): ServiceConfig['networkMode'] {
  const m = r.str(v, path);
  if (m === 'default') return 'bridge';
  if ((NETWORK_MODES as readonly string[]).includes(m)) return m as ServiceConfig['networkMode'];
  throw r.fail(path, `"${m}" is not one of none, host, bridge, service:NAME, container:NAME`);
}

/** network_mode service:/container:, pid and ipc: the namespaces shared with other containers or the host. */
function serviceNamespaces(r: Reader, s: Map_, p: string): NonNullable<ServiceConfig['namespaces']> {
  const out: NonNullable<ServiceConfig['namespaces']> = {};
  const other = (t: string) => /^(service|container):[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(t);
  if (s.network_mode !== undefined) {
    const m = r.str(s.network_mode, `${p}.network_mode`);
    if (other(m)) out.network = m;
  }
  for (const kind of ['pid', 'ipc'] as const) {
    if (s[kind] === undefined) continue;
    const m = r.str(s[kind], `${p}.${kind}`);
    if (m === 'host' || other(m)) out[kind] = m;
    else if (kind === 'ipc' && (m === 'private' || m === 'shareable')) continue;
    else throw r.fail(`${p}.${kind}`, `"${m}" is not one of host, service:NAME, container:NAME${kind === 'ipc' ? ', private, shareable' : ''}`);
  }
  return out;
}

/** Docker's names for the machine's architecture, from Node's. */
export function hostPlatform(arch: string = process.arch): string {
  const a = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' }[arch] ?? arch;
  return `linux/${a}`;
}

const ARCH_ALIASES: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', 'arm64/v8': 'arm64' };

/** Accepts the host's own platform only: berth runs no emulator. */
function platform(r: Reader, v: unknown, path: string, host: string): string {
  const text = r.str(v, path);
  const [os, ...rest] = text.toLowerCase().split('/');
  const arch = rest.join('/');
  const norm = `${os}/${ARCH_ALIASES[arch] ?? arch}`;
  if (norm !== host) {
    throw invalid('compose.unsupported',
      `${r.file}: ${path}: ${text}: not supported by berth: this host runs ${host}, and berth does not emulate other platforms`);
  }
  return text;
}

function expose(r: Reader, v: unknown, path: string): string {
  const t = r.str(v, path);
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/.exec(t);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > 65535 || (m[2] !== undefined && (Number(m[2]) < Number(m[1]) || Number(m[2]) > 65535))) {
    throw r.fail(path, `invalid port "${t}": expected PORT[-PORT][/tcp|/udp]`);
  }
  return t;
}

function port(r: Reader, v: unknown, path: string): string {
  let text: string;
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const m = v as Map_;
    // name and app_protocol are metadata for tools; they change nothing on the host.
    r.keys(m, path, ['target', 'published', 'host_ip', 'protocol', 'mode', 'name', 'app_protocol']);
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
  let ps: ReturnType<typeof parsePortSpec>;
  try {
    ps = parsePortSpec(text);
  } catch (e) {
    throw r.fail(path, (e as Error).message.replace(/^invalid port mapping -p /, 'invalid port mapping '), 'use [HOSTIP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp]');
  }
  // One spelling per mapping, so that the short and the long syntax hash the same; tcp is
  // implied, as in the short syntax most files use (their hash stays what it was).
  return `${ps.hostIp ? `${ps.hostIp}:${ps.hostPort || ''}:` : ps.hostPort ? `${ps.hostPort}:` : ''}${ps.containerPort}${
    ps.proto === 'tcp' ? '' : `/${ps.proto}`
  }`;
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
    r.keys(m, `${path}.${key}`, ['aliases', 'ipv4_address', 'priority']);
    if (m.priority !== undefined) n.priority = r.int(m.priority, `${path}.${key}.priority`, 0);
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
  // Compose's: the short syntax creates a missing bind source; the long one when bind says so.
  let create = false;
  if (typeof v === 'string') {
    create = true;
    const parts = v.split(':');
    if (parts.length === 1)
      throw invalid('compose.unsupported', `${r.file}: ${path}: anonymous volume "${v}": not supported by berth`,
        'name it: NAME:/path, with NAME under the top-level volumes');
    if (parts.length > 3 || !parts[0] || !parts[1]) throw r.fail(path, `invalid volume "${v}": expected SOURCE:TARGET[:ro|rw]`);
    for (const opt of (parts[2] ?? 'rw').split(',')) {
      if (opt === 'ro') readOnly = true;
      else if (opt === 'z' || opt === 'Z') throw invalid('compose.unsupported', `${r.file}: ${path}: SELinux relabelling :${opt}: not supported by berth`);
      // cached, delegated and consistent are macOS file-sharing hints: no effect on Linux.
      else if (!['rw', 'cached', 'delegated', 'consistent', 'nocopy'].includes(opt)) throw r.fail(path, `invalid mode "${opt}" in "${v}": expected ro or rw`);
    }
    source = parts[0];
    target = parts[1];
    type = /^[./~]/.test(source) ? 'bind' : 'volume';
  } else {
    const m = r.mapping(v, path);
    r.keys(m, path, ['type', 'source', 'target', 'read_only', 'bind', 'volume', 'consistency']);
    const t = m.type === undefined ? undefined : r.str(m.type, `${path}.type`);
    if (t === 'tmpfs' || t === 'npipe' || t === 'cluster' || t === 'image')
      throw invalid('compose.unsupported', `${r.file}: ${path}.type: ${t}: not supported by berth`);
    if (t !== 'bind' && t !== 'volume') throw r.fail(`${path}.type`, 'must be bind or volume');
    create = volumeOptions(r, m, path, t);
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
  return { type, source, target, readOnly, ...(type === 'bind' && create ? { createHostPath: true } : {}) };
}

/** Checks the long syntax's options; returns whether a missing bind source is to be created. */
function volumeOptions(r: Reader, m: Map_, path: string, type: 'bind' | 'volume'): boolean {
  let create = false;
  if (m.bind !== undefined) {
    if (type !== 'bind') throw r.fail(`${path}.bind`, 'is for type: bind');
    const b = r.mapping(m.bind, `${path}.bind`);
    r.keys(b, `${path}.bind`, ['propagation', 'create_host_path']);
    // Compose's default once a bind section is given.
    create = b.create_host_path === undefined ? true : r.bool(b.create_host_path, `${path}.bind.create_host_path`);
    if (b.propagation !== undefined && r.str(b.propagation, `${path}.bind.propagation`) !== 'rprivate') {
      throw invalid('compose.unsupported', `${r.file}: ${path}.bind.propagation: ${show(b.propagation)}: not supported by berth`, 'berth binds are rprivate');
    }
  }
  if (m.volume !== undefined) {
    if (type !== 'volume') throw r.fail(`${path}.volume`, 'is for type: volume');
    const vo = r.mapping(m.volume, `${path}.volume`);
    // nocopy: berth's named volumes start empty, which is what nocopy asks for.
    r.keys(vo, `${path}.volume`, ['nocopy']);
    if (vo.nocopy !== undefined) r.bool(vo.nocopy, `${path}.volume.nocopy`);
  }
  return create;
}

function restart(r: Reader, v: unknown, path: string): string {
  if (v === undefined || v === false) return 'no';
  const s = r.str(v, path);
  // The engine's one parser decides what a policy is; compose keeps its own words for the error.
  try {
    parseRestartPolicy(s);
  } catch {
    throw r.fail(path, `"${s}" is not one of no, always, on-failure[:N], unless-stopped`);
  }
  return s;
}

const CONDITIONS: readonly DependsCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully'];

function dependsOn(r: Reader, v: unknown, path: string): ServiceConfig['dependsOn'] {
  if (v === undefined || v === null) return [];
  const started = (service: string) => ({ service, condition: 'service_started' as const, restart: false, required: true });
  if (Array.isArray(v)) return v.map((x, i) => started(r.str(x, `${path}[${i}]`)));
  return Object.entries(r.mapping(v, path)).map(([service, x]) => {
    if (x === null) return started(service);
    const p = `${path}.${service}`;
    const m = r.mapping(x, p);
    r.keys(m, p, ['condition', 'restart', 'required']);
    const c = m.condition === undefined ? 'service_started' : r.str(m.condition, `${p}.condition`);
    if (!(CONDITIONS as readonly string[]).includes(c)) throw r.fail(`${p}.condition`, `"${c}" is not one of ${CONDITIONS.join(', ')}`);
    return {
      service,
      condition: c as DependsCondition,
      restart: m.restart === undefined ? false : r.bool(m.restart, `${p}.restart`),
      required: m.required === undefined ? true : r.bool(m.required, `${p}.required`),
    };
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
