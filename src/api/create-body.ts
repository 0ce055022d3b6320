// Docker's POST /containers/create body → the engine's CreateRequest. The body is untrusted:
// every field is type-checked, unknown values are refused with 400 rather than guessed at, and
// nothing here becomes a shell word (the engine passes argument arrays to the runtime).
import { emptyResources, type CreateRequest } from '../engine/index.js';
import type { Healthcheck, NetworkAttachment, RestartPolicy, SecurityRequest, VolumeMount } from '../engine/types.js';
import { badRequest } from './errors.js';
import { hostExtras, hostResources } from './create-host.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: unknown, what: string): Obj {
  if (v === undefined || v === null) return {};
  if (!isObj(v)) throw badRequest(`${what} must be an object`);
  return v;
}

function str(v: unknown, what: string): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${what} must be a string`);
  return v;
}

/** Docker's StrSlice: a list of strings, or one string. */
function strList(v: unknown, what: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw badRequest(`${what} must be a list of strings`);
  return v;
}

function num(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw badRequest(`${what} must be a number`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v !== 'boolean') throw badRequest(`${what} must be a boolean`);
  return v;
}

function strMap(v: unknown, what: string): Record<string, string> {
  const o = obj(v, what);
  for (const [k, x] of Object.entries(o)) if (typeof x !== 'string') throw badRequest(`${what}.${k} must be a string`);
  return o as Record<string, string>;
}

const VOLUME_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** "SRC:DST[:ro|rw]": SRC an absolute host path or a volume's name (the API has no working directory). */
export function parseBind(spec: string): VolumeMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3) throw badRequest(`invalid bind "${spec}": expected SRC:DST[:ro|rw]`);
  const [src, dst, mode = 'rw'] = parts as [string, string, string?];
  const opts = mode.split(',');
  if (!opts.every((o) => ['ro', 'rw', 'z', 'Z'].includes(o))) throw badRequest(`invalid bind "${spec}": mode must be ro or rw`);
  if (!dst.startsWith('/')) throw badRequest(`invalid bind "${spec}": the destination must be an absolute path`);
  const named = !src.startsWith('/');
  if (named && !VOLUME_NAME.test(src)) throw badRequest(`invalid bind "${spec}": the source must be an absolute path or a volume name`);
  return { source: src, destination: dst, readonly: opts.includes('ro'), ...(named ? { named: true } : {}) };
}

/** PortBindings {"80/tcp": [{HostIp, HostPort}]} → berth's -p specs; an empty HostPort is a random one. */
export function portSpecs(v: unknown): string[] {
  const out: string[] = [];
  for (const [key, list] of Object.entries(obj(v, 'HostConfig.PortBindings'))) {
    if (!/^\d{1,5}(\/(tcp|udp))?$/.test(key)) throw badRequest(`invalid port "${key}" in HostConfig.PortBindings`);
    const bindings = list === null ? [{}] : list;
    if (!Array.isArray(bindings)) throw badRequest(`HostConfig.PortBindings.${key} must be a list`);
    for (const b of bindings.length === 0 ? [{}] : bindings) {
      const o = obj(b, `HostConfig.PortBindings.${key}[]`);
      const ip = str(o.HostIp, 'HostIp') ?? '';
      const port = str(o.HostPort, 'HostPort') ?? '';
      if (ip !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw badRequest(`invalid HostIp "${ip}": berth publishes on IPv4 addresses`);
      if (port !== '' && !/^\d{1,5}$/.test(port)) throw badRequest(`invalid HostPort "${port}"`);
      out.push(ip !== '' ? `${ip}:${port}:${key}` : port !== '' ? `${port}:${key}` : key);
    }
  }
  return out;
}

function restartPolicy(v: unknown): RestartPolicy {
  const o = obj(v, 'HostConfig.RestartPolicy');
  const name = str(o.Name, 'RestartPolicy.Name') ?? '';
  const max = num(o.MaximumRetryCount, 'RestartPolicy.MaximumRetryCount') ?? 0;
  if (name === '' || name === 'no') return { name: 'no', maxRetries: 0 };
  if (name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure') throw badRequest(`invalid restart policy "${name}"`);
  if (!Number.isInteger(max) || max < 0) throw badRequest('RestartPolicy.MaximumRetryCount must be a whole number');
  return { name, maxRetries: name === 'on-failure' ? max : 0 };
}

function security(hc: Obj): SecurityRequest | undefined {
  const sec: SecurityRequest = {};
  const capAdd = strList(hc.CapAdd, 'HostConfig.CapAdd');
  const capDrop = strList(hc.CapDrop, 'HostConfig.CapDrop');
  if (capAdd?.length) sec.capAdd = capAdd;
  if (capDrop?.length) sec.capDrop = capDrop;
  if (bool(hc.Privileged, 'HostConfig.Privileged')) sec.privileged = true;
  for (const opt of strList(hc.SecurityOpt, 'HostConfig.SecurityOpt') ?? []) {
    const i = opt.search(/[=:]/);
    const key = i < 0 ? opt : opt.slice(0, i);
    const value = i < 0 ? '' : opt.slice(i + 1);
    if (key === 'no-new-privileges') {
      if (!['', 'true', 'false'].includes(value)) throw badRequest(`invalid security option "${opt}"`);
      sec.noNewPrivileges = value !== 'false';
    } else if (key === 'seccomp' && value === 'unconfined') {
      sec.seccomp = 'unconfined';
    } else if (key === 'seccomp' && value.startsWith('{')) {
      // The docker CLI sends the profile's text; the engine parses and checks it.
      sec.seccomp = { source: 'api', text: value };
    } else if ((key === 'apparmor' || key === 'label') && value !== '') {
      // Not applied on this host, as the CLI's --security-opt (docs/security.md).
    } else {
      throw badRequest(`invalid security option "${opt}": berth knows no-new-privileges, seccomp=unconfined and seccomp=<profile JSON>`);
    }
  }
  return Object.keys(sec).length > 0 ? sec : undefined;
}

/** NetworkMode plus EndpointsConfig → the engine's network mode and attachments. */
function networks(hc: Obj, body: Obj): Pick<CreateRequest, 'networkMode' | 'networks'> {
  const mode = str(hc.NetworkMode, 'HostConfig.NetworkMode') ?? '';
  const eps = obj(obj(body.NetworkingConfig, 'NetworkingConfig').EndpointsConfig, 'NetworkingConfig.EndpointsConfig');
  if (mode === 'none' || mode === 'host') return { networkMode: mode, networks: [] };
  if (mode.startsWith('container:')) throw badRequest('NetworkMode container:<name> is not supported by berth');
  const atts = new Map<string, NetworkAttachment>();
  const named = (n: string) => (n === '' || n === 'default' || n === 'bridge' ? 'berth' : n);
  atts.set(named(mode), { network: named(mode) });
  for (const [net, ep0] of Object.entries(eps)) {
    const ep = obj(ep0, `EndpointsConfig.${net}`);
    const att: NetworkAttachment = atts.get(named(net)) ?? { network: named(net) };
    const ip = str(obj(ep.IPAMConfig, 'IPAMConfig').IPv4Address, 'IPAMConfig.IPv4Address');
    if (ip) att.ip = ip;
    const aliases = strList(ep.Aliases, 'Aliases');
    if (aliases?.length) att.aliases = aliases;
    atts.set(named(net), att);
  }
  // The docker CLI names the mode's network again in EndpointsConfig; "default" alone means berth's.
  if (mode === '' && atts.size > 1) atts.delete('berth');
  return { networkMode: 'bridge', networks: [...atts.values()] };
}

/** Docker's Healthcheck (durations in nanoseconds; Test ["CMD", …], ["CMD-SHELL", cmd] or ["NONE"]). */
export function healthcheck(v: unknown): Healthcheck | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, 'Healthcheck');
  const t = strList(o.Test, 'Healthcheck.Test') ?? [];
  if (t.length === 0 || t[0] === 'NONE') return undefined;
  let test: string[];
  if (t[0] === 'CMD' && t.length > 1) test = t.slice(1);
  else if (t[0] === 'CMD-SHELL' && t.length === 2) test = ['/bin/sh', '-c', t[1]!];
  else throw badRequest('Healthcheck.Test must be ["CMD", args...], ["CMD-SHELL", command] or ["NONE"]');
  const ms = (k: string, dflt: number) => {
    const n = num(o[k], `Healthcheck.${k}`);
    if (n !== undefined && n < 0) throw badRequest(`Healthcheck.${k} must not be negative`);
    return n ? Math.round(n / 1e6) : dflt;
  };
  const retries = num(o.Retries, 'Healthcheck.Retries');
  return { test, intervalMs: ms('Interval', 30_000), timeoutMs: ms('Timeout', 30_000), retries: retries && retries > 0 ? Math.floor(retries) : 3,
    startPeriodMs: ms('StartPeriod', 0) };
}

export function toCreateRequest(body0: unknown, name: string | undefined): CreateRequest {
  const body = obj(body0, 'the request body');
  const image = str(body.Image, 'Image');
  if (!image) throw badRequest('Image is required');
  const tty = bool(body.Tty, 'Tty');
  const openStdin = bool(body.OpenStdin, 'OpenStdin');
  const hc = obj(body.HostConfig, 'HostConfig');
  const r = emptyResources();
  const mem = num(hc.Memory, 'HostConfig.Memory');
  if (mem !== undefined && mem < 0) throw badRequest('HostConfig.Memory must not be negative');
  if (mem) r.memory = mem;
  const nano = num(hc.NanoCpus, 'HostConfig.NanoCpus');
  if (nano !== undefined && nano < 0) throw badRequest('HostConfig.NanoCpus must not be negative');
  if (nano) r.cpus = nano / 1e9;
  const cpuset = str(hc.CpusetCpus, 'HostConfig.CpusetCpus');
  if (cpuset) {
    if (!/^[0-9,-]{1,256}$/.test(cpuset)) throw badRequest(`invalid CpusetCpus "${cpuset}"`);
    r.cpusetCpus = cpuset;
  }
  const pids = num(hc.PidsLimit, 'HostConfig.PidsLimit');
  if (pids !== undefined && pids > 0) r.pidsLimit = Math.floor(pids);
  Object.assign(r, hostResources(hc));
  const restart = restartPolicy(hc.RestartPolicy);
  const autoRemove = bool(hc.AutoRemove, 'HostConfig.AutoRemove');
  if (autoRemove && restart.name !== 'no') throw badRequest('conflicting options: AutoRemove and a RestartPolicy');
  const req: CreateRequest = {
    image,
    env: strList(body.Env, 'Env') ?? [],
    readOnly: bool(hc.ReadonlyRootfs, 'HostConfig.ReadonlyRootfs'),
    resources: r,
    volumes: (strList(hc.Binds, 'HostConfig.Binds') ?? []).map(parseBind),
    ...networks(hc, body),
    ports: portSpecs(hc.PortBindings),
    publishAll: bool(hc.PublishAllPorts, 'HostConfig.PublishAllPorts'),
    restart,
    autoRemove,
    labels: strMap(body.Labels, 'Labels'),
  };
  if (name !== undefined && name !== '') req.name = name.replace(/^\//, '');
  const cmd = strList(body.Cmd, 'Cmd');
  if (cmd?.length) req.cmd = cmd;
  const ep = strList(body.Entrypoint, 'Entrypoint');
  // `--entrypoint ""` arrives as [""]: no entrypoint at all, not the image's.
  if (ep !== undefined && ep.length > 0) req.entrypoint = ep.length === 1 && ep[0] === '' ? [] : ep;
  const wd = str(body.WorkingDir, 'WorkingDir');
  if (wd) req.workdir = wd;
  const user = str(body.User, 'User');
  if (user) req.user = user;
  const hn = str(body.Hostname, 'Hostname');
  if (hn) req.hostname = hn;
  const st = num(body.StopTimeout, 'StopTimeout');
  if (st !== undefined && st >= 0) req.stopTimeout = Math.floor(st);
  const hcheck = healthcheck(body.Healthcheck);
  if (hcheck) req.healthcheck = hcheck;
  else if (isObj(body.Healthcheck) && strList(body.Healthcheck.Test, 'Healthcheck.Test')?.[0] === 'NONE') req.noHealthcheck = true;
  Object.assign(req, hostExtras(hc, body));
  const sec = security(hc);
  if (sec) req.security = sec;
  if (tty) req.tty = true;
  if (openStdin) req.openStdin = true;
  const attach = { stdin: bool(body.AttachStdin, 'AttachStdin'), stdout: bool(body.AttachStdout, 'AttachStdout'),
    stderr: bool(body.AttachStderr, 'AttachStderr') };
  if (attach.stdin || attach.stdout || attach.stderr) req.attach = attach;
  // Docker's UsernsMode is "" or "host"; Podman's API adds auto[:size=N].
  const userns = str(hc.UsernsMode, 'HostConfig.UsernsMode');
  if (userns) req.userns = { mode: userns, uidmap: [], gidmap: [] };
  return req;
}
