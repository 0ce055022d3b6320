// The container lifecycle: create, start, stop, kill, rm, and the exit callback. Each verb takes
// the container's lock, reloads its record, acts, and records the outcome in one transaction.
import { mkdirSync, writeFileSync, rmSync, existsSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { BerthError, conflict, exists, invalid, notFound } from '../common/errors.js';
import { newId, randomName, shortId, validateName } from '../common/ids.js';
import { tx } from '../state/db.js';
import {
  allContainers, deleteContainerRow, findContainers, getContainer, insertContainer, nameTaken, updateContainer,
  type ContainerRow,
} from '../state/containers.js';
import { run } from '../sys/exec.js';
import { mount, unmount, isOwnFsMounted } from '../sys/mount.js';
import { bootId, pidAlive, processStartTime, hardRlimits } from '../sys/proc.js';
import { removeCgroup } from '../sys/cgroups.js';
import { normalizeSignal, sendSignal } from '../sys/signal.js';
import { resolveImage, imageConfig, imageLayerDirs } from '../image/images.js';
import { prepareSnapshot, removeSnapshot, snapshotPaths } from '../storage/overlay.js';
import { buildSpec } from '../runtime/spec.js';
import { loadDefaultSeccomp } from '../runtime/seccomp.js';
import {
  createContainer as rtCreate, startContainer as rtStart, killContainer as rtKill, deleteContainer as rtDelete,
  readExitFile, writeBundle,
} from '../runtime/oci.js';
import { chooseRuntime, type RuntimeBinary } from '../runtime/select.js';
import { runForeground } from '../runtime/foreground.js';
import {
  planEndpoints, setUpContainerNetwork, tearDownContainerNetwork, releaseContainerNetwork, publishPorts,
} from '../network/attach.js';
import { ensureDefaultNetwork } from '../network/networks.js';
import { Undo } from './undo.js';
import { mark } from '../common/timing.js';
import { lockContainer } from './lock.js';
import { imageContext, networkContext } from './parts.js';
import { sleepMs } from '../common/sleep.js';
import { mustBe } from './lifecycle.js';
import { resolveUser } from './user.js';
import {
  containerDir, containerRunDir, runDirsParent, runtimeRoot, logPath, cgroupsPath, type EngineContext,
} from './context.js';
import type { ContainerSpec, CreateRequest } from './types.js';

export type Container = ContainerRow<ContainerSpec>;

/** Finds one container by name, full id or unique id prefix. */
export function lookup(ctx: EngineContext, ref: string): Container {
  const found = findContainers<ContainerSpec>(ctx.db, ref);
  if (found.length === 0) throw notFound('container.not_found', `no such container: ${ref}`);
  if (found.length > 1) throw conflict('container.ambiguous', `container reference "${ref}" matches ${found.length} containers`, 'use more characters of the id, or the name');
  return found[0]!;
}

export function listContainers(ctx: EngineContext): Container[] {
  return allContainers<ContainerSpec>(ctx.db);
}

function reload(ctx: EngineContext, id: string): Container {
  const c = getContainer<ContainerSpec>(ctx.db, id);
  if (!c) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
  return c;
}

function blockDevice(path: string, flag: string): void {
  let st;
  try { st = statSync(path); } catch { throw invalid('device.not_found', `${flag}: no such device ${path}`); }
  if (!st.isBlockDevice()) throw invalid('device.not_block', `${flag}: ${path} is not a block device`);
}

// ------------------------------------------------------------------------------------ create

export function createContainer(ctx: EngineContext, req: CreateRequest): Container {
  const image = resolveImage(imageContext(ctx).store, req.image);
  const cfg = imageConfig(image);
  const name = req.name === undefined ? randomName() : validateName('container', req.name);
  if (req.resources.cpus !== undefined && req.resources.cpus > cpus().length) {
    throw invalid('cpus.too_many', `--cpus ${req.resources.cpus} is more than the ${cpus().length} CPUs this host has`);
  }
  const b = req.resources.blkio;
  for (const d of b.readBps) blockDevice(d.path, '--device-read-bps');
  for (const d of b.writeBps) blockDevice(d.path, '--device-write-bps');
  for (const d of b.readIops) blockDevice(d.path, '--device-read-iops');
  for (const d of b.writeIops) blockDevice(d.path, '--device-write-iops');
  for (const v of req.volumes) {
    if (!v.destination.startsWith('/')) throw invalid('volume.bad', `invalid volume destination "${v.destination}": must be an absolute path`);
    if (!v.named && !existsSync(v.source)) throw invalid('volume.source_missing', `bind source path does not exist: ${v.source}`);
  }
  if (req.runtime) chooseRuntime(req.runtime);
  mark('create: image resolved');

  const entrypoint = req.entrypoint ?? cfg.Entrypoint ?? [];
  // Docker: a new entrypoint clears the image's CMD unless a command is given.
  const cmd = req.cmd && req.cmd.length > 0 ? req.cmd : req.entrypoint !== undefined ? [] : cfg.Cmd ?? [];
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw invalid('container.no_command', `no command specified for image ${req.image}`, 'give a command after the image name');
  const id = newId();
  const spec: ContainerSpec = {
    version: 1,
    entrypoint, cmd, args,
    env: mergeEnv(cfg.Env ?? [], req.env),
    workdir: req.workdir ?? (cfg.WorkingDir || '/'),
    user: req.user ?? (cfg.User || '0'),
    hostname: req.hostname ?? id.slice(0, 12),
    readOnly: req.readOnly,
    resources: req.resources,
    volumes: req.volumes,
    networkMode: req.networkMode,
    networks: req.networkMode === 'bridge' && req.networks.length === 0 ? [{ network: 'berth' }] : req.networks,
    ports: req.ports,
    restart: req.restart,
    autoRemove: req.autoRemove,
    ...(req.runtime ? { runtime: req.runtime } : {}),
    stopSignal: cfg.StopSignal || 'SIGTERM',
    stopTimeout: req.stopTimeout ?? 10,
    ...(req.healthcheck ? { healthcheck: req.healthcheck } : {}),
  };
  if (spec.networkMode !== 'bridge' && (req.ports.length > 0 || req.publishAll)) {
    throw invalid('port.no_network', `publishing ports needs a bridge network, not --network ${spec.networkMode}`);
  }
  const row: Container = {
    id, name, imageId: image.id, imageRef: req.image, spec, labels: req.labels, status: 'created',
    pid: null, conmonPid: null, conmonStart: null, exitCode: null, oomKilled: false, restartCount: 0,
    runtime: req.runtime ?? 'auto', createdAt: new Date().toISOString(), startedAt: null, finishedAt: null,
    bootId: null, stopRequested: false,
  };
  if (spec.networkMode === 'bridge') ensureDefaultNetworkIfUsed(ctx, spec);
  // One transaction: the record, its endpoints and its ports appear together or not at all.
  tx(ctx.db, () => {
    if (nameTaken(ctx.db, name)) {
      throw exists('container.name_in_use', `the container name "${name}" is already in use`, 'choose another --name, or remove that container');
    }
    insertContainer(ctx.db, row);
    if (spec.networkMode === 'bridge') {
      planEndpoints(networkContext(ctx), id, spec.networks);
      const exposed = Object.keys(cfg.ExposedPorts ?? {});
      publishPorts(networkContext(ctx), id, req.ports, { publishAll: req.publishAll, exposedPorts: exposed });
    }
  });
  mkdirSync(containerDir(ctx, id), { recursive: true, mode: 0o700 });
  mark('create: recorded');
  return row;
}

function ensureDefaultNetworkIfUsed(ctx: EngineContext, spec: ContainerSpec): void {
  if (spec.networks.some((n) => n.network === 'berth')) ensureDefaultNetwork(networkContext(ctx));
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

// ------------------------------------------------------------------------------------ start

/**
 * Starts a created or exited container under conmon. `attached`: the caller stays to collect the
 * exit (foreground run), so conmon need not start a second berth to do it; should the caller die,
 * the next ps still finds conmon's exit file and finishes the job.
 */
export async function startContainer(ctx: EngineContext, ref: string, opts: { attached?: boolean } = {}): Promise<Container> {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (c.status === 'running') return c;
    mustBe('start', c.status, c.name);
    // Leftovers of a berth killed while starting it: undo them before starting afresh.
    if (existsSync(containerRunDir(ctx, c.id))) releaseResources(ctx, c);
    return await startLocked(ctx, c, { exitCommand: !opts.attached || c.spec.restart.name !== 'no' });
  } finally {
    lock.release();
  }
}

function hostFiles(dir: string, hostname: string): { hosts: string; hostname: string; resolv: string } {
  const hosts = join(dir, 'hosts');
  const hn = join(dir, 'hostname');
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t${hostname}\n`);
  writeFileSync(hn, `${hostname}\n`);
  writeFileSync(resolv, '');
  return { hosts, hostname: hn, resolv };
}

interface Prepared { runtime: RuntimeBinary; rtRoot: string; bundle: string; runDir: string }

/** Everything up to the runtime: rootfs mounted, network up, bundle written. Steps register undos. */
async function prepareStart(ctx: EngineContext, c: Container, undo: Undo, opts: { terminal: boolean }): Promise<Prepared> {
  const spec = c.spec;
    const image = resolveImage(imageContext(ctx).store, c.imageId);
    const runDir = containerRunDir(ctx, c.id);
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    // A previous run's exit file must not be mistaken for this run's.
    rmSync(join(runDir, 'exits'), { recursive: true, force: true });
    rmSync(join(runDir, 'oom'), { force: true });

    mark('start: prepared');
    const snap = prepareSnapshot(ctx.paths.root, c.id, imageLayerDirs(ctx.paths.root, image));
    if (!isOwnFsMounted(snap.merged)) {
      mount(snap.mount, snap.merged);
      undo.push('unmount rootfs', () => unmount(snap.merged));
    }
    mark('start: rootfs mounted');
    const user = resolveUser(snap.merged, spec.user);

    let network: { mode: 'none' } | { mode: 'host' } | { mode: 'path'; path: string } = { mode: 'none' };
    const files = hostFiles(runDir, spec.hostname);
    if (spec.networkMode === 'host') {
      network = { mode: 'host' };
      files.hosts = '/etc/hosts';
      files.resolv = '/etc/resolv.conf';
    } else if (spec.networkMode === 'bridge') {
      undo.push('tear down network', () => tearDownContainerNetwork(networkContext(ctx), c.id));
      const net = await setUpContainerNetwork(networkContext(ctx), c.id, { hostname: spec.hostname, name: c.name });
      network = { mode: 'path', path: net.netnsPath };
      files.hosts = net.hostsFile;
      files.resolv = net.resolvConf;
    }

    mark('start: network');
    const binds = [
      { source: files.hosts, destination: '/etc/hosts', readonly: spec.networkMode === 'host' },
      { source: files.hostname, destination: '/etc/hostname', readonly: false },
      { source: files.resolv, destination: '/etc/resolv.conf', readonly: spec.networkMode === 'host' },
      ...spec.volumes.map((v) => ({ source: v.named ? volumeDir(ctx, v.source) : v.source, destination: v.destination, readonly: v.readonly })),
    ];
    for (const v of spec.volumes) if (v.named) mkdirSync(volumeDir(ctx, v.source), { recursive: true });

    const runtime = chooseRuntime(spec.runtime);
    const limits = hardRlimits();
    const envWithHome = spec.env.some((e) => e.startsWith('HOME=')) ? spec.env : [...spec.env, `HOME=${user.home}`];
    const env = envWithHome.some((e) => e.startsWith('PATH=')) ? envWithHome : [...envWithHome, 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
    const ociSpec = buildSpec({
      id: c.id,
      rootfs: snap.merged,
      readonly: spec.readOnly,
      args: spec.args,
      env: [...env, `HOSTNAME=${spec.hostname}`],
      cwd: spec.workdir,
      user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
      hostname: spec.hostname,
      terminal: opts.terminal,
      mounts: binds,
      network,
      resources: toRuntimeResources(spec),
      cgroupsPath: cgroupsPath(c.id),
      rlimitsHardCap: limits,
      seccomp: loadDefaultSeccomp(),
      annotations: { 'io.berth.name': c.name },
    });
    const bundle = containerDir(ctx, c.id);
    writeBundle(bundle, ociSpec);

    mark('start: bundle written');
    const rtRoot = runtimeRoot(ctx, runtime.name);
    undo.push('delete runtime container', () => rtDelete(runtime, rtRoot, c.id, { force: true }));
    undo.push('remove cgroup', () => removeCgroup(cgroupsPath(c.id)));
    return { runtime, rtRoot, bundle, runDir };
}

async function startLocked(ctx: EngineContext, c: Container, opts: { exitCommand: boolean }): Promise<Container> {
  const undo = new Undo();
  try {
    const { runtime, rtRoot, bundle, runDir } = await prepareStart(ctx, c, undo, { terminal: false });
    const { pid, conmonPid } = await rtCreate({
      id: c.id, name: c.name, runtime, runtimeRoot: rtRoot, bundleDir: bundle, runDir, logPath: logPath(ctx, c.id),
      ...(opts.exitCommand ? { exitCommand: { path: ctx.config.self.path, args: [...ctx.config.self.args, 'container', 'cleanup', c.id] } } : {}),
    });
    mark('start: conmon+create');
    rtStart(runtime, rtRoot, c.id);
    mark('start: runtime start');
    tx(ctx.db, () => updateContainer(ctx.db, c.id, {
      status: 'running', pid, conmonPid, conmonStart: processStartTime(conmonPid), exitCode: null, oomKilled: false,
      startedAt: new Date().toISOString(), finishedAt: null, bootId: bootId(), stopRequested: false,
    }));
    undo.commit();
    return reload(ctx, c.id);
  } catch (e) {
    await undo.rollback();
    throw mapStartError(e, c);
  }
}

/**
 * `run -i`/`-t`: the container runs with the caller's stdio and berth watches it until it ends.
 * Resolves with the exit code; the record is exited and the resources released by then.
 */
export async function runAttached(ctx: EngineContext, ref: string, opts: { tty: boolean }): Promise<Container> {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  const undo = new Undo();
  let c = reload(ctx, c0.id);
  mustBe('start', c.status, c.name);
  let code: number;
  try {
    const { runtime, rtRoot, bundle, runDir } = await prepareStart(ctx, c, undo, { terminal: opts.tty });
    code = await runForeground({
      runtime, runtimeRoot: rtRoot, id: c.id, bundleDir: bundle, pidFile: join(runDir, 'pidfile'), command: c.spec.args[0] ?? '',
      onStarted: (pid) => tx(ctx.db, () => updateContainer(ctx.db, c.id, {
        status: 'running', pid, conmonPid: null, conmonStart: null, exitCode: null, oomKilled: false,
        startedAt: new Date().toISOString(), finishedAt: null, bootId: bootId(), stopRequested: false,
      })),
    });
    undo.commit();
  } catch (e) {
    await undo.rollback();
    lock.release();
    throw mapStartError(e, c);
  }
  try {
    c = reload(ctx, c.id);
    const oom = readExitFile(containerRunDir(ctx, c.id), c.id, { cgroupsPath: cgroupsPath(c.id) })?.oomKilled ?? false;
    tx(ctx.db, () => updateContainer(ctx.db, c.id, {
      status: 'exited', exitCode: code, oomKilled: oom, finishedAt: new Date().toISOString(), pid: null,
    }));
    releaseResources(ctx, c);
    return reload(ctx, c.id);
  } finally {
    lock.release();
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

function volumeDir(ctx: EngineContext, name: string): string {
  return join(ctx.paths.root, 'volumes', validateName('volume', name), '_data');
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
    blkio: { readBps: dev(r.blkio.readBps), writeBps: dev(r.blkio.writeBps), readIops: dev(r.blkio.readIops), writeIops: dev(r.blkio.writeIops) },
  };
}

// ------------------------------------------------------------------------------------ exit

/**
 * Brings a running container that has ended back to "exited": records its exit code, then
 * releases its runtime state, network and mounts. Idempotent, so conmon's callback, stop, ps
 * and rm can all call it. Caller holds the lock.
 */
function finalize(ctx: EngineContext, c: Container, opts: { unknownCode?: number; discard?: boolean } = {}): Container {
  const runDir = containerRunDir(ctx, c.id);
  if (c.status === 'running') {
    const ex = readExitFile(runDir, c.id, { cgroupsPath: cgroupsPath(c.id) });
    const oom = ex?.oomKilled ?? false;
    tx(ctx.db, () => updateContainer(ctx.db, c.id, {
      status: 'exited',
      exitCode: ex?.exitCode ?? opts.unknownCode ?? 255,
      oomKilled: oom,
      finishedAt: (ex?.finishedAt ?? new Date()).toISOString(),
      pid: null, conmonPid: null, conmonStart: null,
    }));
  }
  releaseResources(ctx, c, { discard: opts.discard });
  return reload(ctx, c.id);
}

/** discard: the writable layer is about to be deleted (rm -f), so it is not flushed first. */
function releaseResources(ctx: EngineContext, c: Container, opts: { discard?: boolean } = {}): void {
  const runtime = chooseRuntime(c.spec.runtime);
  mark('release: begin');
  rtDelete(runtime, runtimeRoot(ctx, runtime.name), c.id, { force: true });
  mark('release: runtime deleted');
  removeCgroup(cgroupsPath(c.id));
  if (c.spec.networkMode === 'bridge') tearDownContainerNetwork(networkContext(ctx), c.id);
  mark('release: network');
  const { merged, upper } = snapshotPaths(ctx.paths.root, c.id);
  if (isOwnFsMounted(merged)) {
    // Flush the writable layer before it is unmounted, so the "disk image" is stable on disk.
    if (!opts.discard) run('sync', ['-f', upper], { allowFail: true });
    try {
      unmount(merged);
    } catch (e) {
      if (isOwnFsMounted(merged)) throw e;
    }
  }
  rmSync(containerRunDir(ctx, c.id), { recursive: true, force: true });
}

function waitForExit(c: Container, timeoutMs: number): boolean {
  const deadline = Date.now() + timeoutMs;
  // A killed process is gone within a millisecond or two: poll finely first, then back off.
  let wait = 1;
  while (Date.now() < deadline) {
    if (c.pid === null || !pidAlive(c.pid)) return true;
    sleepMs(wait);
    wait = Math.min(wait * 2, 50);
  }
  return c.pid === null || !pidAlive(c.pid);
}

/** conmon writes the exit file right after the container's process is reaped; give it that moment. */
function waitForExitFile(ctx: EngineContext, c: Container, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  const runDir = containerRunDir(ctx, c.id);
  let wait = 1;
  while (Date.now() < deadline) {
    if (readExitFile(runDir, c.id)) return;
    if (c.conmonPid !== null && !conmonAlive(c)) return;
    sleepMs(wait);
    wait = Math.min(wait * 2, 10);
  }
}

function conmonAlive(c: Container): boolean {
  if (c.conmonPid === null || !pidAlive(c.conmonPid)) return false;
  return c.conmonStart === null || processStartTime(c.conmonPid) === c.conmonStart;
}

// ------------------------------------------------------------------------------------ stop, kill

export function stopContainer(ctx: EngineContext, ref: string, timeoutSec?: number): Container {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    tx(ctx.db, () => updateContainer(ctx.db, c0.id, { stopRequested: true }));
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (c.status !== 'running') return c;
    return stopLocked(ctx, c, timeoutSec ?? c.spec.stopTimeout);
  } finally {
    lock.release();
  }
}

function stopLocked(ctx: EngineContext, c: Container, timeoutSec: number): Container {
  const runtime = chooseRuntime(c.spec.runtime);
  const rtRoot = runtimeRoot(ctx, runtime.name);
  if (timeoutSec > 0) {
    signalQuietly(runtime, rtRoot, c, c.spec.stopSignal);
    waitForExit(c, timeoutSec * 1000);
  }
  if (c.pid !== null && pidAlive(c.pid)) {
    // SIGKILL to the container's init ends its whole PID namespace: the kernel does what
    // `runc kill` would, without a runtime process to start.
    if (!sendSignal(c.pid, 'SIGKILL')) signalQuietly(runtime, rtRoot, c, 'SIGKILL');
    waitForExit(c, 10_000);
  }
  mark('stop: process gone');
  waitForExitFile(ctx, c, 2000);
  mark('stop: exit file');
  return finalize(ctx, c, { unknownCode: 137 });
}

function signalQuietly(runtime: RuntimeBinary, rtRoot: string, c: Container, sig: string): void {
  try {
    rtKill(runtime, rtRoot, c.id, sig);
  } catch {
    // The runtime lost the container (killed from outside): signal the process directly.
    // A name the runtime refused is no signal for the process either.
    if (c.pid !== null) try { sendSignal(c.pid, normalizeSignal(sig)); } catch { /* not a signal */ }
  }
}

export function killContainer(ctx: EngineContext, ref: string, signal = 'SIGKILL'): Container {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    mustBe('kill', c.status, c.name);
    const runtime = chooseRuntime(c.spec.runtime);
    rtKill(runtime, runtimeRoot(ctx, runtime.name), c.id, normalizeSignal(signal));
    return c;
  } finally {
    lock.release();
  }
}

// ------------------------------------------------------------------------------------ rm

export function removeContainer(ctx: EngineContext, ref: string, opts: { force: boolean; volumes?: boolean }): string {
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx.paths.runroot, c0.id);
  try {
    let c = reconcileOne(ctx, reload(ctx, c0.id));
    let stoppedHere = false;
    if (c.status === 'running') {
      if (!opts.force) mustBe('rm', c.status, c.name);
      tx(ctx.db, () => updateContainer(ctx.db, c.id, { stopRequested: true }));
      c = stopLocked(ctx, c, 0);
      stoppedHere = c.status !== 'running';
    }
    removeLocked(ctx, c, { justReleased: stoppedHere });
    return c.id;
  } finally {
    lock.release();
  }
}

function removeLocked(ctx: EngineContext, c: Container, opts: { justReleased?: boolean } = {}): void {
  // A stopped container's resources were released when it stopped (the run directory goes
  // last); only one that still has its run directory holds any.
  let released = opts.justReleased === true;
  if (c.status === 'running' || existsSync(containerRunDir(ctx, c.id))) {
    releaseResources(ctx, c, { discard: true });
    released = true;
  }
  removeSnapshot(ctx.paths.root, c.id);
  rmSync(containerDir(ctx, c.id), { recursive: true, force: true });
  tx(ctx.db, () => {
    if (c.spec.networkMode === 'bridge') releaseContainerNetwork(networkContext(ctx), c.id, { tornDown: released });
    deleteContainerRow(ctx.db, c.id);
  });
}

// ------------------------------------------------------------------------------------ reconcile

/**
 * Makes a record tell the truth: a "running" container whose process is gone (killed from
 * outside, OOM-killed, its conmon dead, the host rebooted) becomes exited, with the exit code
 * conmon left when there is one. Caller holds the lock, or accepts a benign race (ps).
 */
/** discard: the caller removes the container next (run --rm), so its layer is not flushed. */
export function reconcileOne(ctx: EngineContext, c: Container, opts: { discard?: boolean } = {}): Container {
  if (c.status !== 'running') return c;
  const sameBoot = c.bootId === bootId();
  if (sameBoot && c.pid !== null && pidAlive(c.pid)) return c;
  // Dead: finalize under the lock (reentrant for a verb that holds it already), since conmon's
  // exit callback or another command may be finalizing the same container right now.
  const lock = lockContainer(ctx.paths.runroot, c.id);
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
    if (!fresh || fresh.status !== 'running') return fresh ?? c;
    if (sameBoot && conmonAlive(fresh)) waitForExitFile(ctx, fresh, 1000);
    return finalize(ctx, fresh, { unknownCode: 255, discard: opts.discard });
  } finally {
    lock.release();
  }
}

/** ps: brings every running record up to date. Dead ones are finalized under their lock. */
export function reconcileAll(ctx: EngineContext): Container[] {
  const list = listContainers(ctx);
  const boot = bootId();
  // One directory read instead of a stat per stopped container (ps with 1,000 of them).
  let runDirs: Set<string>;
  try { runDirs = new Set(readdirSync(runDirsParent(ctx))); } catch { runDirs = new Set(); }
  return list.map((c) => {
    if (c.status !== 'running') {
      if (runDirs.has(c.id)) repairHalfMade(ctx, c);
      return c;
    }
    if (c.bootId === boot && c.pid !== null && pidAlive(c.pid)) return c;
    const lock = lockContainer(ctx.paths.runroot, c.id);
    try {
      const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
      return fresh ? reconcileOne(ctx, fresh) : c;
    } finally {
      lock.release();
    }
  });
}

/**
 * A stopped container still has a run directory only when a berth died in the middle of
 * starting it (the run directory goes last on release): undo what that berth made. A berth that
 * is starting it right now holds its lock, and is left alone.
 */
function repairHalfMade(ctx: EngineContext, c: Container): void {
  let lock;
  try { lock = lockContainer(ctx.paths.runroot, c.id, 0); } catch { return; }
  try {
    const fresh = getContainer<ContainerSpec>(ctx.db, c.id);
    if (fresh && fresh.status !== 'running' && existsSync(containerRunDir(ctx, c.id))) releaseResources(ctx, fresh);
  } finally {
    lock.release();
  }
}

// ------------------------------------------------------------------------------------ the exit callback

/**
 * Run by conmon (its --exit-command) when the container's process ends: records the exit,
 * releases resources, then applies the restart policy and --rm. No daemon needed.
 */
export async function onContainerExit(ctx: EngineContext, id: string): Promise<void> {
  const lock = lockContainer(ctx.paths.runroot, id);
  let restart = false;
  try {
    const c0 = getContainer<ContainerSpec>(ctx.db, id);
    if (!c0) return;
    // A --rm container is removed right after: flushing its layer first would be wasted.
    const c = c0.status === 'running' ? finalize(ctx, c0, { discard: c0.spec.autoRemove }) : c0;
    if (c.status !== 'exited') return;
    if (c.spec.autoRemove) {
      removeLocked(ctx, c);
      return;
    }
    const p = c.spec.restart;
    restart = !c.stopRequested && (p.name === 'always' || p.name === 'unless-stopped' ||
      (p.name === 'on-failure' && (c.exitCode ?? 0) !== 0 && (p.maxRetries === 0 || c.restartCount < p.maxRetries)));
    if (restart) {
      tx(ctx.db, () => updateContainer(ctx.db, id, { restartCount: c.restartCount + 1 }));
      await startLocked(ctx, reload(ctx, id), { exitCommand: true });
    }
  } finally {
    lock.release();
  }
}

export async function restartContainer(ctx: EngineContext, ref: string, timeoutSec?: number): Promise<Container> {
  stopContainer(ctx, ref, timeoutSec);
  return startContainer(ctx, ref);
}

/** Waits until a container is no longer running (its exit recorded); returns its exit code. */
export function waitContainer(ctx: EngineContext, id: string, opts: { pollMs?: number } = {}): Container {
  for (;;) {
    const c = getContainer<ContainerSpec>(ctx.db, id);
    if (!c) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
    if (c.status !== 'running') return c;
    if (c.pid === null || !pidAlive(c.pid) || c.bootId !== bootId()) {
      const lock = lockContainer(ctx.paths.runroot, id);
      try {
        const fresh = getContainer<ContainerSpec>(ctx.db, id);
        if (!fresh) throw notFound('container.not_found', `no such container: ${shortId(id)}`);
        if (fresh.status === 'running') {
          waitForExitFile(ctx, fresh, 2000);
          return finalize(ctx, fresh);
        }
        return fresh;
      } finally {
        lock.release();
      }
    }
    sleepMs(opts.pollMs ?? 20);
  }
}

/** rm of a finished --rm container from the foreground `run`, which owns its output and exit code. */
export function removeIfExited(ctx: EngineContext, id: string): void {
  const lock = lockContainer(ctx.paths.runroot, id);
  try {
    const c = getContainer<ContainerSpec>(ctx.db, id);
    if (c && c.status !== 'running') removeLocked(ctx, c);
  } finally {
    lock.release();
  }
}
