// From parsed YAML to a ComposeProject: the compose-spec subset berth runs. Every key is
// checked against what berth supports; one it does not know is an error naming its path, never
// silently dropped. Pure: no file system, no host state beyond what the caller passes in.
import { resolve } from 'node:path';
import { invalid } from '../common/errors.js';
import { NETWORK_KEYS, TOP_KEYS, VOLUME_KEYS } from './keys.js';
import type { ComposeProject, NetworkConfig, ServiceConfig, VolumeConfig } from './model.js';
import { extensionsOf, NAME_RE, Reader } from './reader.js';
import { fileObjects } from './secrets.js';
import { hostPlatform, normalizeService } from './service.js';
import { normalizeProjectName } from './text.js';
import { show } from '../common/show.js';

export interface NormalizeOptions {
  /** Shown in error messages ("compose.yaml"). */
  file: string;
  /** The compose file's directory: relative bind paths start here. */
  workingDir: string;
  /** -p; else the file's `name:`; else the directory's name. */
  projectName?: string;
  /** The environment for variables given without a value; usually process.env. */
  env: Readonly<Record<string, string | undefined>>;
  /** "linux/amd64": the only platform a service may ask for. Default: this machine's. */
  hostPlatform?: string;
  /** Non-fatal findings, one line each (uid and gid of secrets). */
  warn?: (line: string) => void;
  /** Absolute paths of every file read; default: none. */
  configFiles?: string[];
}

/** Checks the parsed YAML of a compose file and gives it berth's shape. Throws the first problem found. */
export function normalizeCompose(raw: unknown, opts: NormalizeOptions): ComposeProject {
  const r = new Reader(opts.file);
  if (raw === null || raw === undefined) throw r.fail('(top level)', 'the file is empty');
  const top = r.mapping(raw, '(top level)');
  r.keys(top, '', TOP_KEYS);
  if (top.include !== undefined) throw new Error('include reached normalize: load.ts must apply it');
  if (top.version !== undefined) r.str(top.version, 'version'); // obsolete in the spec; accepted, has no effect

  const fromFile = top.name === undefined ? undefined : r.str(top.name, 'name');
  const project = normalizeProjectName(opts.projectName ?? fromFile ?? baseName(opts.workingDir));
  if (!project)
    throw invalid('compose.bad_project_name', `invalid project name "${opts.projectName ?? fromFile ?? opts.workingDir}": it must contain a letter or digit`,
      'give one with -p NAME');

  if (top.services === undefined || top.services === null) throw r.fail('services', 'the file defines no services');
  const rawServices = r.mapping(top.services, 'services');
  if (Object.keys(rawServices).length === 0) throw r.fail('services', 'the file defines no services');

  const netDecl = top.networks === undefined || top.networks === null ? {} : r.mapping(top.networks, 'networks');
  const volDecl = top.volumes === undefined || top.volumes === null ? {} : r.mapping(top.volumes, 'volumes');

  const secrets = fileObjects(r, 'secrets', top.secrets, opts.env);
  const configs = fileObjects(r, 'configs', top.configs, opts.env);
  const services: ServiceConfig[] = [];
  for (const [name, v] of Object.entries(rawServices)) {
    if (!NAME_RE.test(name)) throw r.fail(`services.${name}`, 'a service name may contain only letters, digits, _, . and -, starting with a letter or digit');
    services.push(
      normalizeService(r, name, v, { ...opts, project, secrets, configs, hostPlatform: opts.hostPlatform ?? hostPlatform(),
        netKeys: new Set([...Object.keys(netDecl), 'default']), volKeys: new Set(Object.keys(volDecl)) }),
    );
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
  const extensions = extensionsOf(top);
  return { name: project, workingDir: opts.workingDir, configFile: opts.file, configFiles: opts.configFiles ?? [], services, networks, volumes, secrets,
    configs, ...(extensions ? { extensions } : {}) };
}

function baseName(dir: string): string {
  return resolve(dir).split('/').filter(Boolean).pop() ?? '';
}

function checkDependencies(r: Reader, services: readonly ServiceConfig[]): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    // A dependency that is not required may be absent (its profile is off): it is skipped.
    s.dependsOn = s.dependsOn.filter((d) => d.required || byName.has(d.service));
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
  r.keys(m, p, [...NETWORK_KEYS, 'attachable']);
  if (m.enable_ipv4 !== undefined && !r.bool(m.enable_ipv4, `${p}.enable_ipv4`))
    throw invalid('compose.unsupported', `${r.file}: ${p}.enable_ipv4: false: not supported by berth`);
  if (m.driver !== undefined && r.str(m.driver, `${p}.driver`) !== 'bridge')
    throw invalid('compose.unsupported', `${r.file}: ${p}.driver: ${show(m.driver)}: not supported by berth`, 'berth networks are bridges: use driver: bridge');
  if (m.driver !== undefined) n.driver = 'bridge';
  if (m.enable_ipv6 !== undefined && r.bool(m.enable_ipv6, `${p}.enable_ipv6`))
    throw invalid('compose.unsupported', `${r.file}: ${p}.enable_ipv6: true: not supported by berth`);
  if (m.internal !== undefined) n.internal = r.bool(m.internal, `${p}.internal`);
  if (m.labels !== undefined) n.labels = r.labels(m.labels, `${p}.labels`);
  if (m.name !== undefined) n.name = r.str(m.name, `${p}.name`);
  if (m.external !== undefined) n.external = r.bool(m.external, `${p}.external`);
  if (n.external && m.name === undefined) n.name = key;
  if (m.ipam !== undefined) {
    const ip = r.mapping(m.ipam, `${p}.ipam`);
    r.keys(ip, `${p}.ipam`, ['driver', 'config']);
    if (ip.driver !== undefined && r.str(ip.driver, `${p}.ipam.driver`) !== 'default')
      throw invalid('compose.unsupported', `${r.file}: ${p}.ipam.driver: ${ip.driver as string}: not supported by berth`);
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
  r.keys(m, p, VOLUME_KEYS);
  if (m.driver !== undefined && r.str(m.driver, `${p}.driver`) !== 'local')
    throw invalid('compose.unsupported', `${r.file}: ${p}.driver: ${show(m.driver)}: not supported by berth`);
  if (m.labels !== undefined) vol.labels = r.labels(m.labels, `${p}.labels`);
  if (m.name !== undefined) vol.name = r.str(m.name, `${p}.name`);
  if (m.external !== undefined) vol.external = r.bool(m.external, `${p}.external`);
  if (vol.external && m.name === undefined) vol.name = key;
  if (!NAME_RE.test(vol.name)) throw r.fail(`${p}.name`, `invalid volume name "${vol.name}"`);
  return vol;
}
