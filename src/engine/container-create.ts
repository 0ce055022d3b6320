// create: checks the request, fixes the container's characteristics and records it with its
// endpoints and ports in one transaction. Nothing on the host is made until start.
import { checkDns, checkOomScoreAdj, checkResources, checkRootlessResources, clampShares } from './resource-options.js';
import { mkdirSync, existsSync, rmSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { exists, invalid } from '../common/errors.js';
import { parsePortSpec } from '../network/portspec.js';
import { newId, randomName, validateName } from '../common/ids.js';
import { tx } from '../state/db.js';
import { allocateUserns, planUserns, subordinateRanges } from './userns.js';
import { deleteContainerRow, insertContainer, nameTaken } from '../state/containers.js';
import { resolveImage, imageConfig } from '../image/images.js';
import { mark } from '../common/timing.js';
import { step } from '../common/fault.js';
import { containerDir, type EngineContext } from './context.js';
import type { ContainerSpec, CreateRequest } from './types.js';
import { hostOf } from './host.js';
import { withSecurity } from './security.js';
import { takenTargets, withHostOptions } from './host-options.js';
import { healthcheckOf } from './health-spec.js';
import { normalizeSignal } from '../sys/signal.js';
import { checkSysctl } from './sysctl.js';
import { parseExtraHost } from './extra-hosts.js';
import { resolveNamespaces } from './namespaces.js';
import type { Container } from './container-records.js';
import { networkFile, saveNetworkFile, saveRecordFile } from './record-file.js';

/** Docker's floor for -m: below it the kernel's own use of the cgroup leaves the process nothing. */
const MIN_MEMORY = 6 * 1024 * 1024;
import { imageContext, networkContext } from './parts.js';
import { recordContainerEvent } from './events.js';

function blockDevice(path: string, flag: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw invalid('device.not_found', `${flag}: no such device ${path}`);
  }
  if (!st.isBlockDevice()) throw invalid('device.not_block', `${flag}: ${path} is not a block device`);
}

export function createContainer(ctx: EngineContext, req: CreateRequest): Container {
  const image = resolveImage(imageContext(ctx).store, req.image);
  const cfg = imageConfig(image);
  const name = req.name === undefined ? randomName() : validateName('container', req.name);
  // Docker's checks and words: runc would refuse these later, at start, in its own terms.
  if (req.workdir !== undefined && !req.workdir.startsWith('/')) {
    throw invalid('workdir.relative', `the working directory '${req.workdir}' is invalid, it needs to be an absolute path`);
  }
  if (hostOf(ctx).rootless()) checkRootlessResources(req.resources);
  if (req.resources.memory !== undefined && req.resources.memory < MIN_MEMORY) {
    throw invalid('memory.too_small', 'Minimum memory limit allowed is 6MB', 'give -m 6m or more');
  }
  if (req.resources.cpus !== undefined && req.resources.cpus > cpus().length) {
    throw invalid('cpus.too_many', `--cpus ${req.resources.cpus} is more than the ${cpus().length} CPUs this host has`);
  }
  // Only what a limit needs is read from the host, so a plain create costs nothing more.
  const needsHost = req.resources.blkioWeight !== undefined || req.oomScoreAdj !== undefined;
  const rhost = needsHost ? hostOf(ctx).resourceHost() : { blkioWeight: true, oomScoreAdj: -1000, capSysResource: true };
  checkResources(req.resources, rhost);
  if (req.oomScoreAdj !== undefined) checkOomScoreAdj(req.oomScoreAdj, rhost);
  const dns = req.dns ? checkDns(req.dns) : undefined;
  if (dns && req.networkMode === 'host') throw invalid('dns.network_mode', 'conflicting options: dns and the network mode');
  const b = req.resources.blkio;
  for (const d of b.readBps) blockDevice(d.path, '--device-read-bps');
  for (const d of b.writeBps) blockDevice(d.path, '--device-write-bps');
  for (const d of b.readIops) blockDevice(d.path, '--device-read-iops');
  for (const d of b.writeIops) blockDevice(d.path, '--device-write-iops');
  for (const v of req.volumes) {
    if (!v.destination.startsWith('/')) throw invalid('volume.bad', `invalid volume destination "${v.destination}": must be an absolute path`);
    if (!v.named && !existsSync(v.source)) throw invalid('volume.source_missing', `bind source path does not exist: ${v.source}`);
  }
  if (req.runtime) hostOf(ctx).chooseRuntime(req.runtime);
  const ns = resolveNamespaces(ctx, req);
  if (req.domainname !== undefined && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(req.domainname)) {
    throw invalid('domainname.bad', `invalid domainname "${req.domainname}": expected a DNS name`);
  }
  mark('create: image resolved');

  const entrypoint = req.entrypoint ?? cfg.Entrypoint ?? [];
  // Docker: a new entrypoint clears the image's CMD unless a command is given.
  const cmd = req.cmd && req.cmd.length > 0 ? req.cmd : req.entrypoint !== undefined ? [] : cfg.Cmd ?? [];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw invalid('container.no_command', `no command specified for image ${req.image}`, 'give a command after the image name');
  const id = newId();
  const spec: ContainerSpec = {
    version: 1,
    entrypoint,
    cmd,
    args,
    env: mergeEnv(cfg.Env ?? [], req.env),
    workdir: req.workdir ?? (cfg.WorkingDir || '/'),
    user: req.user ?? (cfg.User || '0'),
    hostname: req.hostname ?? ns.hostname ?? id.slice(0, 12),
    readOnly: req.readOnly,
    resources: clampShares(req.resources),
    volumes: req.volumes,
    networkMode: req.networkMode,
    networks: req.networkMode === 'bridge' && req.networks.length === 0 ? [{ network: 'berth' }] : req.networks,
    ports: req.ports,
    restart: req.restart,
    autoRemove: req.autoRemove,
    ...(req.runtime ? { runtime: req.runtime } : {}),
    stopSignal: normalizeSignal(req.stopSignal ?? (cfg.StopSignal || 'SIGTERM')),
    stopTimeout: req.stopTimeout ?? 10,
    ...healthcheckOf(req, cfg.Healthcheck),
    ...(req.tty ? { tty: true } : {}),
    ...(req.openStdin ? { openStdin: true } : {}),
    ...(req.attach ? { attach: { stdin: req.attach.stdin, stdout: req.attach.stdout, stderr: req.attach.stderr } } : {}),
    ...withSecurity(req),
    ...withHostOptions(req, hostOf(ctx).allHardRlimits(), takenTargets(req)),
    ...(req.shmSize !== undefined ? { shmSize: req.shmSize } : {}),
    ...(req.oomScoreAdj !== undefined ? { oomScoreAdj: req.oomScoreAdj } : {}),
    ...(dns ? { dns } : {}),
    ...(req.logOpts ? { logOpts: { ...req.logOpts } } : {}),
    ...(req.cgroupns ? { cgroupns: req.cgroupns } : {}),
    ...(ns.shared ? { shared: ns.shared } : {}),
    ...(req.domainname ? { domainname: req.domainname } : {}),
    ...(req.annotations && Object.keys(req.annotations).length > 0 ? { annotations: { ...req.annotations } } : {}),
    ...(req.extraHosts && req.extraHosts.length > 0 ? { extraHosts: req.extraHosts.map((h) => parseExtraHost(`${h.host}:${h.ip}`)) } : {}),
    ...(req.sysctls && Object.keys(req.sysctls).length > 0
      ? { sysctls: Object.fromEntries(Object.entries(req.sysctls).map(([k, v]) => checkSysctl(`${k}=${v}`, req.networkMode))) }
      : {}),
  };
  if (spec.networkMode !== 'bridge' && (req.ports.length > 0 || req.publishAll)) {
    throw invalid('port.no_network', `publishing ports needs a bridge network, not --network ${spec.networkMode}`);
  }
  const row: Container = {
    id,
    name,
    imageId: image.id,
    imageRef: req.image,
    spec,
    labels: req.labels,
    status: 'created',
    pid: null,
    conmonPid: null,
    conmonStart: null,
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    runtime: req.runtime ?? 'auto',
    createdAt: new Date().toISOString(),
    startedAt: null,
    finishedAt: null,
    bootId: null,
    stopRequested: false,
    runId: null,
    pidStart: null,
    restartBackoffMs: 0,
  };
  const rootless = hostOf(ctx).rootless();
  if (rootless && req.userns !== undefined && planUserns(req.userns).kind !== 'host') {
    throw invalid('userns.rootless', "rootless berth runs every container in the user's own user namespace: --userns and --uidmap are not supported",
      'leave them out');
  }
  const userns = planUserns(req.userns);
  const subids = userns.kind === 'auto' ? subordinateRanges() : undefined;
  hostOf(ctx).checkCanRun(ctx.paths.root);
  if (rootless && spec.networkMode === 'bridge') checkRootlessNetworks(spec, hostOf(ctx).unprivilegedPortStart());
  else if (spec.networkMode === 'bridge') ensureDefaultNetworkIfUsed(ctx, spec);
  // One transaction: the record, its endpoints and its ports appear together or not at all.
  tx(ctx.db, () => {
    if (nameTaken(ctx.db, name)) {
      throw exists('container.name_in_use', `the container name "${name}" is already in use`, 'choose another --name, or remove that container');
    }
    const ns = userns.kind === 'host' ? undefined : allocateUserns(ctx.db, userns, subids);
    if (ns) spec.userns = ns.spec;
    insertContainer(ctx.db, row);
    ns?.record(id);
    if (spec.networkMode === 'bridge') {
      if (!rootless) hostOf(ctx).planEndpoints(networkContext(ctx), id, spec.networks);
      const exposed = Object.keys(cfg.ExposedPorts ?? {});
      hostOf(ctx).publishPorts(networkContext(ctx), id, req.ports, { publishAll: req.publishAll, exposedPorts: exposed });
    }
  });
  step('create.recorded');
  try {
    mkdirSync(containerDir(ctx, id), { recursive: true, mode: 0o700 });
    saveRecordFile(ctx, id);
  } catch (e) {
    // A full or read-only disk: the record goes again, so that no name is held by a container
    // without files.
    rmSync(containerDir(ctx, id), { recursive: true, force: true });
    tx(ctx.db, () => deleteContainerRow(ctx.db, id));
    throw e;
  }
  step('create.files');
  mark('create: recorded');
  recordContainerEvent(ctx, 'create', row);
  return row;
}

/**
 * Rootless berth has the default network only, by pasta (network/usermode.ts): the bridges of
 * user-defined networks would need a network namespace of the user's own to live in.
 */
function checkRootlessNetworks(spec: ContainerSpec, portStart: number): void {
  for (const text of spec.ports) {
    const p = parsePortSpec(text);
    if (p.hostPort !== 0 && p.hostPort < portStart) {
      throw invalid('port.rootless',
        `host port ${p.hostPort}: rootless berth can publish host ports from ${portStart} only (net.ipv4.ip_unprivileged_port_start)`,
        `publish a port of ${portStart} or more, e.g. -p ${Math.max(portStart, 8080)}:${p.containerPort}`);
    }
  }
  const other = spec.networks.find((n) => n.network !== 'berth');
  if (other) {
    throw invalid('network.rootless', `network ${other.network}: rootless berth has only the default network (user-mode, by pasta) and --network none or host`,
      'leave out --network, or run berth as root');
  }
  if (spec.networks.some((n) => n.ip !== undefined || (n.aliases?.length ?? 0) > 0)) {
    throw invalid('network.rootless', 'rootless berth cannot give a container an address or aliases on the default network', 'leave out ip= and alias=');
  }
}

function ensureDefaultNetworkIfUsed(ctx: EngineContext, spec: ContainerSpec): void {
  if (!spec.networks.some((n) => n.network === 'berth')) return;
  const net = hostOf(ctx).ensureDefaultNetwork(networkContext(ctx));
  // Kept on disk like any network, so that a lost instances file does not orphan its bridge.
  if (!existsSync(networkFile(ctx, net.id))) saveNetworkFile(ctx, net.name);
}

function mergeEnv(base: string[], extra: string[]): string[] {
  const map = new Map<string, string>();
  for (const e of [...base, ...extra]) {
    const i = e.indexOf('=');
    const k = i < 0 ? e : e.slice(0, i);
    if (i < 0) {
      const v = process.env[k];
      if (v !== undefined) map.set(k, `${k}=${v}`);
      continue;
    }
    map.set(k, e);
  }
  return [...map.values()];
}
