// `run` and `create` flags, Docker's names and syntax, turned into a CreateRequest. Pure, but
// for reading a --security-opt seccomp=FILE profile, which Docker's client sends as text too.
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import type { OptionDef, ParsedArgs } from '../args.js';
import { bool, list, str } from '../args.js';
import { invalid } from '../../common/errors.js';
import { parseCpus, parseCpuset, parseDeviceRate, parseSize } from '../../common/units.js';
import { emptyResources, type CreateRequest, type NetworkAttachment, type NetworkMode, type RestartPolicy, type SecurityRequest,
  type VolumeMount } from '../../engine/types.js';
import { parseRestartPolicy, parseSecurityOpts, parseTmpfs } from '../../engine/index.js';
import { parseDevice, parseHealthFlags, parseMount, parseUlimit } from './run-host-flags.js';
import { EXTRA_RUN_FLAGS, extraRequest } from './run-extra-flags.js';
import { DNS_RUN_FLAGS, RESOURCE_RUN_FLAGS, resourceRequest } from './run-resource-flags.js';

export const RUN_FLAGS: OptionDef[] = [
  { long: 'detach', short: 'd', type: 'boolean', description: 'run in the background and print the container id' },
  { long: 'rm', type: 'boolean', description: 'remove the container when it exits' },
  { long: 'name', type: 'string', description: 'name the container' },
  { long: 'env', short: 'e', type: 'string', multiple: true, description: 'set an environment variable (K=V, or K to copy it)' },
  { long: 'workdir', short: 'w', type: 'string', description: 'working directory inside the container' },
  { long: 'user', short: 'u', type: 'string', description: 'USER[:GROUP] to run as' },
  { long: 'entrypoint', type: 'string', description: 'override the image entrypoint' },
  { long: 'memory', short: 'm', type: 'string', description: 'memory limit (e.g. 64m)' },
  { long: 'cpus', type: 'string', description: 'number of CPUs (e.g. 1.5)' },
  { long: 'cpuset-cpus', type: 'string', description: 'CPUs allowed (e.g. 0-1)' },
  { long: 'pids-limit', type: 'string', description: 'maximum number of processes' },
  { long: 'device-read-bps', type: 'string', multiple: true, description: 'read rate limit PATH:RATE' },
  { long: 'device-write-bps', type: 'string', multiple: true, description: 'write rate limit PATH:RATE' },
  { long: 'device-read-iops', type: 'string', multiple: true, description: 'read IO/s limit PATH:N' },
  { long: 'device-write-iops', type: 'string', multiple: true, description: 'write IO/s limit PATH:N' },
  { long: 'volume', short: 'v', type: 'string', multiple: true, description: 'bind mount HOST:CTR[:ro] or named volume NAME:CTR' },
  { long: 'hostname', short: 'h', type: 'string', description: 'container host name' },
  { long: 'read-only', type: 'boolean', description: 'mount the root filesystem read-only' },
  { long: 'tmpfs', type: 'string', multiple: true, description: 'mount a tmpfs PATH[:OPTIONS] (size=64m,mode=1777,...)' },
  { long: 'cap-add', type: 'string', multiple: true, description: 'add a Linux capability (NET_ADMIN, CAP_SYS_TIME, ALL)' },
  { long: 'cap-drop', type: 'string', multiple: true, description: 'drop a Linux capability (or ALL)' },
  { long: 'privileged', type: 'boolean', description: 'every capability and device, no seccomp, no masked paths' },
  { long: 'security-opt', type: 'string', multiple: true, description: 'no-new-privileges[=true], seccomp=unconfined or seccomp=PROFILE.json' },
  { long: 'group-add', type: 'string', multiple: true, description: 'add a supplementary group (name or GID)' },
  { long: 'userns', type: 'string', description: 'user namespace: host, or auto[:size=N] (a range of the "containers" subordinate ids)' },
  { long: 'uidmap', type: 'string', multiple: true, description: 'map uids CONTAINER_ID:HOST_ID:SIZE in a user namespace' },
  { long: 'gidmap', type: 'string', multiple: true, description: 'map gids CONTAINER_ID:HOST_ID:SIZE in a user namespace' },
  { long: 'restart', type: 'string', description: 'no, on-failure[:N], always, unless-stopped' },
  { long: 'network', type: 'string', multiple: true, aliases: ['net'], description: 'none, host, container:NAME, or NET[:ip=ADDR][,alias=A] (repeatable)' },
  { long: 'ip', type: 'string', description: 'static address on the single network' },
  { long: 'network-alias', type: 'string', multiple: true, description: 'alias on the single network' },
  { long: 'publish', short: 'p', type: 'string', multiple: true, description: 'publish [HOSTIP:]HOSTPORT:CTRPORT[/proto]' },
  { long: 'publish-all', short: 'P', type: 'boolean', description: 'publish every exposed port to a random host port' },
  { long: 'runtime', type: 'string', description: 'runc or crun (default: the one that works here)' },
  { long: 'label', short: 'l', type: 'string', multiple: true, description: 'set a label K=V' },
  { long: 'stop-timeout', type: 'string', description: 'seconds to wait before SIGKILL on stop' },
  { long: 'init', type: 'boolean', description: 'run an init (tini) as pid 1 that forwards signals and reaps zombies' },
  { long: 'init-path', type: 'string', description: 'path of the init binary on the host (default: /usr/bin/tini-static)' },
  { long: 'ulimit', type: 'string', multiple: true, description: 'set a resource limit NAME=SOFT[:HARD] (e.g. nofile=1024:2048)' },
  { long: 'device', type: 'string', multiple: true, description: 'add a host device HOST[:CONTAINER[:rwm]]' },
  { long: 'mount', type: 'string', multiple: true, description: 'attach a mount type=bind|volume|tmpfs,source=,target=[,readonly][,...]' },
  { long: 'health-cmd', type: 'string', description: 'command to run to check health' },
  { long: 'health-interval', type: 'string', description: 'time between running the check (ms|s|m|h) (default 30s)' },
  { long: 'health-timeout', type: 'string', description: 'maximum time to allow one check to run (ms|s|m|h) (default 30s)' },
  { long: 'health-retries', type: 'string', description: 'consecutive failures needed to report unhealthy (default 3)' },
  { long: 'health-start-period', type: 'string', description: 'start period for the container to initialize before counting retries (default 0s)' },
  { long: 'no-healthcheck', type: 'boolean', description: 'disable any container-specified HEALTHCHECK' },
  ...EXTRA_RUN_FLAGS,
  ...RESOURCE_RUN_FLAGS,
  ...DNS_RUN_FLAGS,
  { long: 'attach', short: 'a', type: 'string', multiple: true, description: 'attach to STDIN, STDOUT or STDERR (default: STDOUT and STDERR)' },
  { long: 'interactive', short: 'i', type: 'boolean', description: 'keep stdin open' },
  { long: 'tty', short: 't', type: 'boolean', description: 'allocate a terminal' },
  { long: 'detach-keys', type: 'string', description: 'override the key sequence for detaching a container (default ctrl-p,ctrl-q)' },
  { long: 'sig-proxy', type: 'boolean', description: 'proxy received signals to the process (default true)' },
];

export function parseVolume(spec: string): VolumeMount {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || !parts[0] || !parts[1]) {
    throw invalid('volume.bad', `invalid volume "${spec}": expected HOST:CONTAINER[:ro|rw]`);
  }
  const [src, dst, mode = 'rw'] = parts as [string, string, string?];
  if (mode !== 'ro' && mode !== 'rw') throw invalid('volume.bad', `invalid volume "${spec}": mode must be ro or rw`);
  const named = !src.startsWith('/') && !src.startsWith('.');
  return { source: named ? src : resolve(src), destination: dst, readonly: mode === 'ro', ...(named ? { named: true } : {}) };
}

export function parseRestart(text: string | undefined): RestartPolicy {
  return parseRestartPolicy(text, '--restart');
}

/** "--network a:ip=10.1.0.5,alias=web" → attachment; Podman's syntax for several networks. */
export function parseNetworkFlag(text: string): NetworkAttachment {
  const i = text.indexOf(':');
  const network = i < 0 ? text : text.slice(0, i);
  const att: NetworkAttachment = { network };
  if (i >= 0) {
    for (const kv of text.slice(i + 1).split(',')) {
      const [k, v] = kv.split('=');
      if (!v) throw invalid('network.bad_option', `invalid --network option "${kv}" in "${text}": expected ip=ADDR or alias=NAME`);
      if (k === 'ip') att.ip = v;
      else if (k === 'alias') att.aliases = [...(att.aliases ?? []), v];
      else throw invalid('network.bad_option', `unknown --network option "${k}" in "${text}": expected ip or alias`);
    }
  }
  return att;
}

export { parseSecurityOpts, parseTmpfs } from '../../engine/index.js';

function securityRequest(v: ParsedArgs['values']): SecurityRequest | undefined {
  const sec: SecurityRequest = { ...parseSecurityOpts(list(v['security-opt'])) };
  const capAdd = list(v['cap-add']);
  const capDrop = list(v['cap-drop']);
  const groupAdd = list(v['group-add']);
  const tmpfs = list(v.tmpfs).map(parseTmpfs);
  for (const g of groupAdd)
    if (!/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/.test(g)) throw invalid('group_add.bad', `invalid --group-add "${g}": expected a group name or GID`);
  if (capAdd.length > 0) sec.capAdd = capAdd;
  if (capDrop.length > 0) sec.capDrop = capDrop;
  if (groupAdd.length > 0) sec.groupAdd = groupAdd;
  if (tmpfs.length > 0) sec.tmpfs = tmpfs;
  if (bool(v.privileged)) sec.privileged = true;
  return Object.keys(sec).length > 0 ? sec : undefined;
}

export function toCreateRequest(p: ParsedArgs): CreateRequest {
  const [image, ...cmd] = p.positionals;
  if (!image) throw invalid('cli.missing_image', 'an image name is required', 'usage: berth run [OPTIONS] IMAGE [COMMAND] [ARG...]');
  const v = p.values;
  const hostCpus = cpus().length;
  const r = emptyResources();
  const mem = str(v.memory);
  if (mem !== undefined) r.memory = parseSize(mem, '--memory');
  const c = str(v.cpus);
  if (c !== undefined) r.cpus = parseCpus(c, hostCpus);
  const cs = str(v['cpuset-cpus']);
  if (cs !== undefined) r.cpusetCpus = parseCpuset(cs, hostCpus);
  const pl = str(v['pids-limit']);
  if (pl !== undefined) {
    if (!/^-?\d+$/.test(pl)) throw invalid('pids.bad', `invalid --pids-limit "${pl}": expected an integer`);
    if (Number(pl) > 0) r.pidsLimit = Number(pl);
  }
  r.blkio.readBps = list(v['device-read-bps']).map((s) => parseDeviceRate(s, '--device-read-bps', false));
  r.blkio.writeBps = list(v['device-write-bps']).map((s) => parseDeviceRate(s, '--device-write-bps', false));
  r.blkio.readIops = list(v['device-read-iops']).map((s) => parseDeviceRate(s, '--device-read-iops', true));
  r.blkio.writeIops = list(v['device-write-iops']).map((s) => parseDeviceRate(s, '--device-write-iops', true));

  let networkMode: NetworkMode = 'bridge';
  let networks: NetworkAttachment[] = [];
  let joinNetwork: string | undefined;
  for (const n of list(v.network)) {
    if (n === 'none' || n === 'host' || n.startsWith('container:')) {
      if (list(v.network).length > 1) throw invalid('network.bad', `--network ${n} cannot be combined with other networks`);
      if (n.startsWith('container:')) {
        joinNetwork = n.slice('container:'.length);
        if (!joinNetwork) throw invalid('network.bad', '--network container: needs a container name or id');
        networkMode = 'container';
      } else networkMode = n as 'none' | 'host';
    } else {
      networks.push(parseNetworkFlag(n === 'bridge' || n === 'default' ? 'berth' : n));
    }
  }
  const ip = str(v.ip);
  const aliases = list(v['network-alias']);
  if (ip !== undefined || aliases.length > 0) {
    if (networkMode !== 'bridge') throw invalid('network.bad', `--ip and --network-alias need a bridge network, not --network ${networkMode}`);
    if (networks.length > 1) throw invalid('network.bad', '--ip and --network-alias apply to a single network: use --network NET:ip=ADDR,alias=A for several');
    if (networks.length === 0) networks = [{ network: 'berth' }];
    const first = networks[0]!;
    if (ip !== undefined) first.ip = ip;
    if (aliases.length > 0) first.aliases = [...(first.aliases ?? []), ...aliases];
  }
  const labels: Record<string, string> = {};
  for (const l of list(v.label)) {
    const i = l.indexOf('=');
    labels[i < 0 ? l : l.slice(0, i)] = i < 0 ? '' : l.slice(i + 1);
  }
  const runtime = str(v.runtime);
  if (runtime !== undefined && runtime !== 'runc' && runtime !== 'crun')
    throw invalid('runtime.bad', `unknown --runtime "${runtime}": berth supports runc and crun`);
  const st = str(v['stop-timeout']);
  if (st !== undefined && !/^\d+$/.test(st)) throw invalid('stop_timeout.bad', `invalid --stop-timeout "${st}": expected whole seconds`);
  const ep = str(v.entrypoint);
  const restart = parseRestart(str(v.restart));
  if (bool(v.rm) && restart.name !== 'no') throw invalid('restart.conflict', '--rm and --restart cannot be used together');
  const req: CreateRequest = {
    image,
    env: list(v.env),
    readOnly: bool(v['read-only']),
    resources: r,
    volumes: list(v.volume).map(parseVolume),
    networkMode,
    networks,
    ...(joinNetwork !== undefined ? { namespaces: { network: joinNetwork } } : {}),
    ports: list(v.publish),
    publishAll: bool(v['publish-all']),
    restart,
    autoRemove: bool(v.rm),
    labels,
  };
  if (cmd.length > 0) req.cmd = cmd;
  if (bool(v.tty)) req.tty = true;
  if (bool(v.interactive)) req.openStdin = true;
  if (ep !== undefined) req.entrypoint = ep === '' ? [] : [ep];
  const name = str(v.name);
  if (name !== undefined) req.name = name;
  const wd = str(v.workdir);
  if (wd !== undefined) req.workdir = wd;
  const user = str(v.user);
  if (user !== undefined) req.user = user;
  const hn = str(v.hostname);
  if (hn !== undefined) req.hostname = hn;
  if (runtime !== undefined) req.runtime = runtime;
  if (st !== undefined) req.stopTimeout = Number(st);
  const security = securityRequest(v);
  if (security !== undefined) req.security = security;
  hostRequest(v, req);
  extraRequest(v, req);
  resourceRequest(v, req);
  const userns = str(v.userns);
  const uidmap = list(v.uidmap);
  const gidmap = list(v.gidmap);
  if (userns !== undefined || uidmap.length + gidmap.length > 0) req.userns = { ...(userns !== undefined ? { mode: userns } : {}), uidmap, gidmap };
  return req;
}

/** --init, --ulimit, --device, --mount and the healthcheck: set on `req` only when given. */
function hostRequest(v: ParsedArgs['values'], req: CreateRequest): void {
  const initPath = str(v['init-path']);
  if (initPath !== undefined && !initPath.startsWith('/')) throw invalid('init.bad', `invalid --init-path "${initPath}": expected an absolute path`);
  if (bool(v.init)) req.init = initPath ?? true;
  const ulimits = list(v.ulimit).map(parseUlimit);
  if (ulimits.length > 0) req.ulimits = ulimits;
  const devices = list(v.device).map(parseDevice);
  if (devices.length > 0) req.devices = devices;
  const mounts = list(v.mount).map(parseMount);
  if (mounts.length > 0) req.mounts = mounts;
  const opt = (k: string) => str(v[k]);
  const h = parseHealthFlags({
    ...(opt('health-cmd') !== undefined ? { cmd: opt('health-cmd')! } : {}),
    ...(opt('health-interval') !== undefined ? { interval: opt('health-interval')! } : {}),
    ...(opt('health-timeout') !== undefined ? { timeout: opt('health-timeout')! } : {}),
    ...(opt('health-retries') !== undefined ? { retries: opt('health-retries')! } : {}),
    ...(opt('health-start-period') !== undefined ? { startPeriod: opt('health-start-period')! } : {}),
    none: bool(v['no-healthcheck']),
  });
  if (h.none) req.noHealthcheck = true;
  if (h.healthcheck) req.healthcheck = h.healthcheck;
}
