// HostConfig.Init, Ulimits, Devices and Mounts of Docker's create body → the CreateRequest's
// fields. Untrusted: shapes and values checked here; what they name on the host, by the engine.
import type { CreateRequest, DeviceMapping, MountSpec, Resources, Ulimit } from '../engine/types.js';
import { badRequest } from './errors.js';
import { parseExtraHost, parseLogOpts } from '../engine/index.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function objects(v: unknown, what: string): Obj[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every(isObj)) throw badRequest(`${what} must be a list of objects`);
  return v;
}

const ULIMITS = new Set(['as', 'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime',
  'sigpending', 'stack']);
const int = (v: unknown) => typeof v === 'number' && Number.isInteger(v);
const absolute = (p: unknown): p is string => typeof p === 'string' && p.startsWith('/') && !p.split('/').includes('..');

function ulimit(o: Obj): Ulimit {
  if (typeof o.Name !== 'string' || !ULIMITS.has(o.Name)) throw badRequest(`invalid ulimit type: ${String(o.Name)}`);
  if (!int(o.Soft) || !int(o.Hard)) throw badRequest(`HostConfig.Ulimits ${o.Name}: Soft and Hard must be integers`);
  const soft = Math.max(-1, o.Soft as number);
  const hard = Math.max(-1, o.Hard as number);
  if (hard !== -1 && (soft === -1 || soft > hard)) throw badRequest(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { name: o.Name, soft, hard };
}

function device(o: Obj): DeviceMapping {
  const host = o.PathOnHost;
  const ctr = o.PathInContainer === undefined || o.PathInContainer === '' ? host : o.PathInContainer;
  const perms = o.CgroupPermissions === undefined || o.CgroupPermissions === '' ? 'rwm' : o.CgroupPermissions;
  if (!absolute(host) || !absolute(ctr) || ctr === '/' || ctr === '/dev')
    throw badRequest('HostConfig.Devices: PathOnHost and PathInContainer must be absolute paths');
  if (typeof perms !== 'string' || !/^[rwm]{1,3}$/.test(perms) || new Set(perms).size !== perms.length) {
    throw badRequest(`invalid device mode: ${JSON.stringify(perms)}`);
  }
  return { pathOnHost: host, pathInContainer: ctr, permissions: perms };
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;

function mount(o: Obj): MountSpec {
  const type = o.Type;
  if (type !== 'bind' && type !== 'volume' && type !== 'tmpfs')
    throw badRequest(`HostConfig.Mounts: invalid mount type ${JSON.stringify(type)}: berth knows bind, volume and tmpfs`);
  if (!absolute(o.Target)) throw badRequest(`HostConfig.Mounts: invalid mount path: '${String(o.Target)}' mount path must be absolute`);
  if (o.ReadOnly !== undefined && typeof o.ReadOnly !== 'boolean') throw badRequest('HostConfig.Mounts: ReadOnly must be a boolean');
  const m: MountSpec = { type, target: o.Target, readonly: o.ReadOnly === true };
  const source = o.Source === '' ? undefined : o.Source;
  if (type === 'bind') {
    if (!absolute(source)) throw badRequest('invalid mount config for type "bind": Source must be an absolute path');
    m.source = source;
    const p = isObj(o.BindOptions) ? o.BindOptions.Propagation : undefined;
    if (p !== undefined && p !== '') {
      const known = PROPAGATIONS.find((x) => x === p);
      if (known === undefined) throw badRequest(`invalid propagation mode: ${JSON.stringify(p)}`);
      m.bindPropagation = known;
    }
  } else if (type === 'volume') {
    if (source !== undefined) {
      if (typeof source !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(source)) throw badRequest(`invalid volume name ${JSON.stringify(source)}`);
      m.source = source;
    }
    if (isObj(o.VolumeOptions) && o.VolumeOptions.NoCopy === true) m.volumeNoCopy = true;
  } else {
    if (source !== undefined) throw badRequest('invalid mount config for type "tmpfs": Source must not be specified');
    const t = isObj(o.TmpfsOptions) ? o.TmpfsOptions : {};
    if (t.SizeBytes !== undefined && (!int(t.SizeBytes) || (t.SizeBytes as number) < 0)) throw badRequest('TmpfsOptions.SizeBytes must be a positive integer');
    if (t.Mode !== undefined && (!int(t.Mode) || (t.Mode as number) < 0 || (t.Mode as number) > 0o7777))
      throw badRequest('TmpfsOptions.Mode must be a file mode');
    if (typeof t.SizeBytes === 'number' && t.SizeBytes > 0) m.tmpfsSize = t.SizeBytes;
    if (typeof t.Mode === 'number') m.tmpfsMode = t.Mode;
  }
  return m;
}

type Extras = Pick<CreateRequest,
  'init' | 'ulimits' | 'devices' | 'mounts' | 'shmSize' | 'sysctls' | 'stopSignal' | 'extraHosts' | 'oomScoreAdj' | 'dns' | 'logOpts' | 'cgroupns'>;

function strings(v: unknown, what: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`${what} must be a list of strings`);
  return v;
}

/** MemorySwap, MemoryReservation, CpuShares, CpuPeriod, CpuQuota, BlkioWeight: 0 is Docker's "not set"; ranges are the engine's. */
export function hostResources(hc: Obj): Partial<Resources> {
  const out: Partial<Resources> = {};
  const n = (k: string): number | undefined => {
    const v = hc[k];
    if (v === undefined || v === null || v === 0) return undefined;
    if (!int(v)) throw badRequest(`HostConfig.${k} must be an integer`);
    return v as number;
  };
  const swap = n('MemorySwap');
  if (swap !== undefined) {
    if (swap < -1) throw badRequest('HostConfig.MemorySwap must be -1 or a number of bytes');
    out.memorySwap = swap;
  }
  const set = (k: string, f: 'memoryReservation' | 'cpuShares' | 'cpuPeriod' | 'cpuQuota' | 'blkioWeight', min: number) => {
    const v = n(k);
    if (v === undefined) return;
    if (v < min) throw badRequest(`HostConfig.${k} must not be below ${min}`);
    out[f] = v;
  };
  set('MemoryReservation', 'memoryReservation', 0);
  set('CpuShares', 'cpuShares', 0);
  set('CpuPeriod', 'cpuPeriod', 0);
  set('CpuQuota', 'cpuQuota', -1);
  if (out.cpuQuota === -1) delete out.cpuQuota;
  set('BlkioWeight', 'blkioWeight', 0);
  return out;
}

/** `body` for StopSignal, which Docker keeps in Config rather than HostConfig. */
export function hostExtras(hc: Obj, body: Obj): Extras {
  const out: Extras = {};
  if (hc.OomScoreAdj !== undefined && hc.OomScoreAdj !== null && hc.OomScoreAdj !== 0) {
    if (!int(hc.OomScoreAdj)) throw badRequest('HostConfig.OomScoreAdj must be an integer');
    out.oomScoreAdj = hc.OomScoreAdj as number;
  }
  const dns = { servers: strings(hc.Dns, 'HostConfig.Dns'), search: strings(hc.DnsSearch, 'HostConfig.DnsSearch'),
    options: strings(hc.DnsOptions, 'HostConfig.DnsOptions') };
  if (dns.servers.length + dns.search.length + dns.options.length > 0) out.dns = dns;
  const lc = hc.LogConfig;
  if (lc !== undefined && lc !== null) {
    if (!isObj(lc)) throw badRequest('HostConfig.LogConfig must be an object');
    if (lc.Type !== undefined && lc.Type !== '' && lc.Type !== 'json-file' && lc.Type !== 'k8s-file')
      throw badRequest(`HostConfig.LogConfig: berth writes k8s-file logs, not ${JSON.stringify(lc.Type)}`);
    const cfg = lc.Config ?? {};
    if (!isObj(cfg) || !Object.values(cfg).every((v) => typeof v === 'string')) throw badRequest('HostConfig.LogConfig.Config must map names to strings');
    try {
      const logOpts = parseLogOpts(cfg as Record<string, string>);
      if (logOpts) out.logOpts = logOpts;
    } catch (e) {
      throw badRequest((e as Error).message);
    }
  }
  if (body.StopSignal !== undefined && body.StopSignal !== null && body.StopSignal !== '') {
    if (typeof body.StopSignal !== 'string') throw badRequest('StopSignal must be a string');
    out.stopSignal = body.StopSignal;
  }
  if (hc.ShmSize !== undefined && hc.ShmSize !== null && hc.ShmSize !== 0) {
    if (!int(hc.ShmSize) || (hc.ShmSize as number) < 0) throw badRequest('HostConfig.ShmSize must be a positive integer');
    out.shmSize = hc.ShmSize as number;
  }
  if (hc.ExtraHosts !== undefined && hc.ExtraHosts !== null) {
    if (!Array.isArray(hc.ExtraHosts) || !hc.ExtraHosts.every((h) => typeof h === 'string'))
      throw badRequest('HostConfig.ExtraHosts must be a list of strings');
    const hosts = hc.ExtraHosts.map((h) => {
      try {
        return parseExtraHost(h);
      } catch (e) {
        throw badRequest((e as Error).message);
      }
    });
    if (hosts.length > 0) out.extraHosts = hosts;
  }
  // "" is Docker's "the daemon's default".
  if (hc.CgroupnsMode !== undefined && hc.CgroupnsMode !== null && hc.CgroupnsMode !== '') {
    if (hc.CgroupnsMode !== 'host' && hc.CgroupnsMode !== 'private') throw badRequest(`invalid cgroup namespace mode: ${JSON.stringify(hc.CgroupnsMode)}`);
    out.cgroupns = hc.CgroupnsMode;
  }
  if (hc.Sysctls !== undefined && hc.Sysctls !== null) {
    if (!isObj(hc.Sysctls) || !Object.values(hc.Sysctls).every((v) => typeof v === 'string')) throw badRequest('HostConfig.Sysctls must map names to strings');
    if (Object.keys(hc.Sysctls).length > 0) out.sysctls = { ...(hc.Sysctls as Record<string, string>) };
  }
  if (hc.Init !== undefined && hc.Init !== null && typeof hc.Init !== 'boolean') throw badRequest('HostConfig.Init must be a boolean');
  if (hc.Init === true) out.init = true;
  const ulimits = objects(hc.Ulimits, 'HostConfig.Ulimits').map(ulimit);
  if (ulimits.length > 0) out.ulimits = ulimits;
  const devices = objects(hc.Devices, 'HostConfig.Devices').map(device);
  if (devices.length > 0) out.devices = devices;
  const mounts = objects(hc.Mounts, 'HostConfig.Mounts').map(mount);
  if (mounts.length > 0) out.mounts = mounts;
  return out;
}
