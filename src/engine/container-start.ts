// start: rootfs mounted, network up, bundle written, conmon and the runtime started, each step
// with its undo (an attach to the new run is made between conmon and the runtime's start).
import { mkdirSync, readdirSync, writeFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { tx } from '../state/db.js';
import { updateContainer, type StatusUpdate } from '../state/containers.js';
import { resolveImage, imageLayerDirs } from '../image/images.js';
import { prepareSnapshot, snapshotPaths } from '../storage/overlay.js';
import { mappedRoot, mountUsernsRootfs, searchablePaths } from './userns-rootfs.js';
import { buildSpec } from '../runtime/spec.js';
import type { RuntimeBinary } from '../runtime/select.js';
import { Undo } from './undo.js';
import { mark } from '../common/timing.js';
import { step } from '../common/fault.js';
import { lockContainer } from './lock.js';
import { isLive, mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';
import { volumeDir } from './volumes.js';
import { containerDir, containerRunDir, runtimeRoot, logPath, cgroupsPath, type EngineContext } from './context.js';
import type { ContainerSpec } from './types.js';
import { hostOf } from './host.js';
import { securityAtStart } from './security.js';
import { hostOptionsAtStart } from './host-options.js';
import { beginHealth } from './health-lifecycle.js';
import { alongside, finishNetwork, lateNetwork, writeExtraHosts, type LateNetwork } from './late-network.js';
import { joinAtStart, recordNetFiles } from './namespaces.js';
import { type Container, lookup, reload } from './container-records.js';
import { releaseResources, reconcileOne } from './container-finalize.js';
import { stageRecordFile } from './record-file.js';
import { imageContext, networkContext } from './parts.js';
import { resolvConfText } from '../network/netfiles.js';
import { recordContainerEvent, recordRunEvents } from './events.js';

/**
 * Starts a created or exited container under conmon. `attached`: the caller stays to collect the
 * exit (foreground run), so conmon need not start a second berth to do it; should the caller die,
 * the next ps still finds conmon's exit file and finishes the job.
 */
export async function startContainer(ctx: EngineContext, ref: string, opts: { attached?: boolean } = {}): Promise<Container> {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (isLive(c.status)) return c;
    mustBe('start', c.status, c.name);
    // Leftovers of a berth killed while starting it: undo them before starting afresh.
    if (existsSync(containerRunDir(ctx, c.id))) releaseResources(ctx, c);
    // A user's start begins the restart policy afresh, as `docker start` does.
    if (c.restartCount !== 0 || c.restartBackoffMs !== 0) tx(ctx.db, () => updateContainer(ctx.db, c.id, { restartCount: 0, restartBackoffMs: 0 }));
    return await startLocked(ctx, { ...c, restartCount: 0, restartBackoffMs: 0 }, { exitCommand: !opts.attached || c.spec.restart.name !== 'no' });
  } finally {
    lock.release();
  }
}

/**
 * /etc/hostname always comes from here; /etc/hosts and /etc/resolv.conf for --network none, and
 * as the files a late bridge network (late-network.ts) fills in place once the runtime has bound
 * them. Otherwise, on a bridge the network part writes them first (with the container's addresses
 * and name server), and with --network host they are the host's.
 */
function ownFiles(dir: string, hostname: string, withNames: boolean): { hosts: string; hostname: string; resolv: string } {
  const hosts = join(dir, 'hosts');
  const hn = join(dir, 'hostname');
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(hn, `${hostname}\n`);
  if (withNames) {
    writeFileSync(hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`);
    writeFileSync(resolv, '');
  }
  return { hosts, hostname: hn, resolv };
}

interface Prepared {
  runtime: RuntimeBinary;
  rtRoot: string;
  bundle: string;
  runDir: string;
  late?: LateNetwork;
}

/** Everything up to the runtime: rootfs mounted, network up, bundle written. Steps register undos. */
async function prepareStart(ctx: EngineContext, c: Container, undo: Undo, opts: { terminal: boolean; canDefer?: boolean }): Promise<Prepared> {
  const spec = c.spec;
  hostOf(ctx).checkCanRun(ctx.paths.root);
  const image = resolveImage(imageContext(ctx).store, c.imageId);
  const runDir = containerRunDir(ctx, c.id);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  // Undone last: while it exists, a later ps takes the container for a start cut short.
  undo.push('remove run directory', () => rmSync(runDir, { recursive: true, force: true }));
  // A previous run's exit file must not be mistaken for this run's.
  rmSync(join(runDir, 'exits'), { recursive: true, force: true });
  rmSync(join(runDir, 'oom'), { force: true });
  step('start.rundir');

  mark('start: prepared');
  const rootless = hostOf(ctx).rootless();
  const late = lateNetwork(c, rootless, opts.canDefer === true);
  let nsReady: Promise<void> | undefined;
  let netnsPath: string | undefined;
  if (late === 'alongside') {
    // Its program runs while the rootfs is mounted and the bundle written; the runtime must find
    // it made, and a rollback must not race it.
    undo.push('tear down network', async () => {
      await nsReady?.catch(() => undefined);
      hostOf(ctx).tearDownNetwork(networkContext(ctx), c.id);
    });
    const ns = hostOf(ctx).makeNetns(networkContext(ctx), c.id);
    nsReady = ns.ready;
    // Awaited below, or by the undo: a failure before then is not an unhandled one.
    nsReady.catch(() => undefined);
    netnsPath = ns.path;
  }
  const layers = imageLayerDirs(ctx.paths.root, image);
  const merged = snapshotPaths(ctx.paths.root, c.id).merged;
  if (!hostOf(ctx).isMounted(merged)) {
    if (spec.userns) mountUsernsRootfs(ctx, c.id, layers, spec.userns);
    else {
      const snap = prepareSnapshot(ctx.paths.root, c.id, layers);
      hostOf(ctx).mount(snap.mount, snap.merged);
    }
    undo.push('unmount rootfs', () => hostOf(ctx).unmount(merged));
  }
  const snap = { merged };
  mark('start: rootfs mounted');
  step('start.mounted');
  const user = resolveUser(snap.merged, spec.user);
  const sec = securityAtStart(spec.security, snap.merged);

  let network: { mode: 'none' } | { mode: 'host' } | { mode: 'path'; path: string } = { mode: 'none' };
  // Checked before any network is made: the other container must be running now.
  const joined = joinAtStart(ctx, spec.shared);
  // The foreground run (runc run) has no moment between create and start: its network is made
  // first, as without a user namespace, and only `exec` cannot join it.
  const files = ownFiles(runDir, spec.hostname, spec.networkMode === 'none' || late !== undefined);
  if (spec.networkMode === 'none' && spec.dns) writeFileSync(files.resolv, resolvConfText([], '', spec.dns));
  if (late === 'after') {
    // network stays { mode: 'none' }: the runtime makes the namespace, finishNetwork names it
  } else if (late === 'alongside') {
    network = { mode: 'path', path: netnsPath! };
  } else if (spec.networkMode === 'host') {
    network = { mode: 'host' };
    files.hosts = '/etc/hosts';
    files.resolv = '/etc/resolv.conf';
  } else if (spec.networkMode === 'bridge' && rootless) {
    undo.push('tear down network', () => hostOf(ctx).tearDownUserModeNetwork(runDir));
    const net = hostOf(ctx).setUpUserModeNetwork(networkContext(ctx), c.id, runDir, { hostname: spec.hostname });
    network = { mode: 'path', path: net.netnsPath };
    files.hosts = net.hostsFile;
    files.resolv = net.resolvConf;
  } else if (spec.networkMode === 'bridge') {
    undo.push('tear down network', () => hostOf(ctx).tearDownNetwork(networkContext(ctx), c.id));
    const net = await hostOf(ctx).setUpNetwork(networkContext(ctx), c.id, { hostname: spec.hostname, name: c.name, ...(spec.dns ? { dns: spec.dns } : {}) });
    network = { mode: 'path', path: net.netnsPath };
    files.hosts = net.hostsFile;
    files.resolv = net.resolvConf;
  } else if (spec.networkMode === 'container' && joined.network) {
    // Docker's: the other container's hosts and resolv.conf, as it has them.
    network = { mode: 'path', path: joined.network.path };
    files.hosts = joined.network.hosts;
    files.resolv = joined.network.resolv;
  }

  // A copy: with --network host the file is the host's own, and it must not change.
  if (spec.extraHosts && spec.extraHosts.length > 0) files.hosts = writeExtraHosts(runDir, files.hosts, spec.extraHosts);
  recordNetFiles(runDir, files);
  const nsRoot = spec.userns ? mappedRoot(spec.userns) : undefined;
  // Root in the container may write its own /etc/hostname, hosts and resolv.conf, as without a
  // user namespace; only the container's own copies (never the host's, with --network host).
  if (nsRoot) {
    for (const f of [files.hosts, files.hostname, files.resolv]) if (f.startsWith(`${runDir}/`)) hostOf(ctx).chown(f, nsRoot.uid, nsRoot.gid);
  }
  mark('start: network');
  // A late network reaches this step later: once its namespace is made, or once it is whole.
  if (late === undefined) step('start.network');
  const binds = [
    // The host's own files (--network host, or a container in the network of one) stay read-only.
    { source: files.hosts, destination: '/etc/hosts', readonly: !files.hosts.startsWith(`${ctx.paths.runroot}/`) },
    { source: files.hostname, destination: '/etc/hostname', readonly: false },
    { source: files.resolv, destination: '/etc/resolv.conf', readonly: !files.resolv.startsWith(`${ctx.paths.runroot}/`) },
    ...spec.volumes.map((v) => ({ source: v.named ? volumeDir(ctx, v.source) : v.source, destination: v.destination, readonly: v.readonly })),
  ];
  for (const v of spec.volumes) if (v.named) mkdirSync(volumeDir(ctx, v.source), { recursive: true });
  for (const m of spec.mounts ?? []) if (m.type === 'volume') mkdirSync(volumeDir(ctx, m.source!), { recursive: true });
  const extra = hostOptionsAtStart(spec, (name) => volumeDir(ctx, name));
  if (spec.userns) {
    const named = spec.volumes.filter((v) => v.named).map((v) => volumeDir(ctx, v.source));
    searchablePaths(ctx, c.id, named);
    // As Podman does: a new, empty named volume becomes the container's root's.
    if (nsRoot) { for (const d of named) if (readdirSync(d).length === 0 && statSync(d).uid === 0) hostOf(ctx).chown(d, nsRoot.uid, nsRoot.gid); }
  }

  const runtime = hostOf(ctx).chooseRuntime(spec.runtime);
  const limits = hostOf(ctx).hardRlimits();
  const envWithHome = spec.env.some((e) => e.startsWith('HOME=')) ? spec.env : [...spec.env, `HOME=${user.home}`];
  const env = envWithHome.some((e) => e.startsWith('PATH=')) ? envWithHome
    : [...envWithHome, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
  const ociSpec = buildSpec({
    id: c.id,
    rootfs: snap.merged,
    readonly: spec.readOnly,
    args: extra.args,
    env: [...env, `HOSTNAME=${spec.hostname}`],
    cwd: spec.workdir,
    user: { uid: user.uid, gid: user.gid, additionalGids: [...new Set([...user.additionalGids, ...sec.additionalGids])] },
    hostname: spec.hostname,
    ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}),
    terminal: opts.terminal,
    mounts: [...binds, ...extra.binds],
    network,
    ...(joined.pid ? { pidNamespace: joined.pid } : {}),
    ...(joined.ipc ? { ipcNamespace: joined.ipc } : {}),
    resources: toRuntimeResources(spec),
    ...(rootless ? {} : { cgroupsPath: cgroupsPath(c.id) }),
    privateCgroupNamespace: spec.cgroupns === undefined ? hostOf(ctx).cgroupMode() === 'v2' : spec.cgroupns === 'private',
    rlimitsHardCap: limits,
    ...sec.spec,
    tmpfs: [...sec.spec.tmpfs, ...extra.tmpfs],
    rlimits: extra.rlimits,
    ...(spec.shmSize !== undefined ? { shmSize: spec.shmSize } : {}),
    ...(spec.sysctls ? { sysctl: spec.sysctls } : {}),
    ...(spec.oomScoreAdj !== undefined ? { oomScoreAdj: spec.oomScoreAdj } : {}),
    devices: extra.devices,
    annotations: { ...spec.annotations, 'io.berth.name': c.name },
    ...(spec.userns ? { idMappings: { uid: spec.userns.uidMap, gid: spec.userns.gidMap } } : {}),
  });
  const bundle = containerDir(ctx, c.id);
  hostOf(ctx).writeBundle(bundle, ociSpec);
  if (nsReady) {
    await nsReady;
    mark('start: netns made');
    step('start.network');
  }

  mark('start: bundle written');
  step('start.bundle');
  const rtRoot = runtimeRoot(ctx, runtime.name);
  undo.push('delete runtime container', () => hostOf(ctx).deleteContainer(runtime, rtRoot, c.id, { force: true }));
  undo.push('remove cgroup', () => hostOf(ctx).removeCgroup(cgroupsPath(c.id)));
  return { runtime, rtRoot, bundle, runDir, ...(late ? { late } : {}) };
}

/** What the record says of a run that has just begun; a foreground run has no conmon. */
function runStarted(ctx: EngineContext, r: { pid: number; conmonPid: number | null; runId: string }): StatusUpdate {
  return {
    status: 'running',
    pid: r.pid,
    pidStart: hostOf(ctx).processStartTime(r.pid),
    conmonPid: r.conmonPid,
    conmonStart: r.conmonPid === null ? null : hostOf(ctx).processStartTime(r.conmonPid),
    exitCode: null,
    oomKilled: false,
    startedAt: new Date().toISOString(),
    finishedAt: null,
    bootId: hostOf(ctx).bootId(),
    stopRequested: false,
    runId: r.runId,
  };
}

export interface StartHooks {
  exitCommand: boolean;
  restartCount?: number;
  /**
   * Called once conmon holds the container and before its process runs: an attach made here
   * sees all of this run's output and nothing of an earlier run's. Its undo is the caller's.
   */
  beforeStart?: (bundleDir: string, undo: Undo) => Promise<void>;
}

export async function startLocked(ctx: EngineContext, c: Container, opts: StartHooks): Promise<Container> {
  const undo = new Undo();
  // The exit callback names this run, so that once a restart has replaced it, its late callback
  // leaves the new run alone.
  const runId = newRunId();
  try {
    const { runtime, rtRoot, bundle, runDir, late } = await prepareStart(ctx, c, undo, { terminal: c.spec.tty === true, canDefer: true });
    const creating = hostOf(ctx).createContainer({
      id: c.id,
      name: c.name,
      runtime,
      runtimeRoot: rtRoot,
      bundleDir: bundle,
      runDir,
      logPath: logPath(ctx, c.id),
      ...(c.spec.logOpts?.maxSize !== undefined ? { logMaxSize: c.spec.logOpts.maxSize } : {}),
      ...(opts.exitCommand ? { exitCommand: { path: ctx.config.self.path, args: [...ctx.config.self.args, 'container', 'cleanup', c.id, runId] } } : {}),
      ...(c.spec.tty ? { terminal: true } : {}),
      ...(c.spec.openStdin ? { stdin: true } : {}),
    });
    const { pid, conmonPid } = late === 'alongside' ? await alongside(creating, () => finishNetwork(ctx, c, runDir)) : await creating;
    mark('start: conmon+create');
    step('start.conmon');
    if (late === 'after') {
      undo.push('tear down network', () => hostOf(ctx).tearDownNetwork(networkContext(ctx), c.id));
      await finishNetwork(ctx, c, runDir, pid);
    }
    if (opts.beforeStart) await opts.beforeStart(bundle, undo);
    const update: StatusUpdate = {
      ...runStarted(ctx, { pid, conmonPid, runId }),
      ...(opts.restartCount !== undefined ? { restartCount: opts.restartCount } : {}),
    };
    // Its sync overlaps the runtime's start; it takes its name only once the start succeeded.
    const recordFile = stageRecordFile(ctx, c.id, update);
    try {
      hostOf(ctx).startContainer(runtime, rtRoot, c.id);
    } catch (e) {
      await recordFile?.abort();
      throw e;
    }
    mark('start: runtime start');
    step('start.started');
    tx(ctx.db, () => updateContainer(ctx.db, c.id, update));
    try {
      await recordFile?.commit();
    } catch { /* best effort: a full disk must not fail a start that happened */ }
    undo.commit();
    if (c.spec.healthcheck) beginHealth(ctx, reload(ctx, c.id), runId);
    const started = reload(ctx, c.id);
    recordRunEvents(ctx, 'start', started);
    recordContainerEvent(ctx, 'start', started);
    return started;
  } catch (e) {
    await undo.rollback();
    throw mapStartError(e, c);
  }
}

/** Docker's codes: 127 for a command that does not exist, 126 for one that cannot be executed. */
function mapStartError(e: unknown, c: Container): unknown {
  if (!(e instanceof Error)) return e;
  const m = e.message;
  const cmd = c.spec.args[0] ?? '';
  if (/executable file not found|no such file or directory/i.test(m) && /exec/i.test(m)) {
    return new BerthError('InvalidArgument', 'container.command_not_found', `${cmd}: command not found in image`, { exitCode: 127, cause: e });
  }
  if (/permission denied|exec format error|is a directory/i.test(m) && /exec/i.test(m)) {
    return new BerthError('InvalidArgument', 'container.command_not_executable', `${cmd}: permission denied: cannot execute`, { exitCode: 126, cause: e });
  }
  return e;
}

function majorMinor(path: string): { major: number; minor: number } {
  const rdev = statSync(path).rdev;
  // Linux dev_t encoding (glibc's gnu_dev_major/minor).
  return { major: ((rdev >> 8) & 0xfff) | ((rdev >>> 32) & ~0xfff), minor: (rdev & 0xff) | ((rdev >> 12) & ~0xff) };
}

function toRuntimeResources(spec: ContainerSpec) {
  const r = spec.resources;
  const dev = (list: { path: string; rate: number }[]) => list.map((d) => ({ ...majorMinor(d.path), rate: d.rate }));
  return {
    ...(r.memory !== undefined ? { memoryBytes: r.memory } : {}),
    ...(r.cpus !== undefined ? { cpus: r.cpus } : {}),
    ...(r.cpusetCpus !== undefined ? { cpusetCpus: r.cpusetCpus } : {}),
    ...(r.pidsLimit !== undefined ? { pidsLimit: r.pidsLimit } : {}),
    ...(r.memorySwap !== undefined ? { memorySwap: r.memorySwap } : {}),
    ...(r.memoryReservation !== undefined ? { memoryReservation: r.memoryReservation } : {}),
    ...(r.cpuShares !== undefined ? { cpuShares: r.cpuShares } : {}),
    ...(r.cpuPeriod !== undefined ? { cpuPeriod: r.cpuPeriod } : {}),
    ...(r.cpuQuota !== undefined ? { cpuQuota: r.cpuQuota } : {}),
    ...(r.blkioWeight !== undefined ? { blkioWeight: r.blkioWeight } : {}),
    blkio: { readBps: dev(r.blkio.readBps), writeBps: dev(r.blkio.writeBps), readIops: dev(r.blkio.readIops), writeIops: dev(r.blkio.writeIops) },
  };
}

const newRunId = () => newId().slice(0, 16);
