// The Engine: the one way into berth's engine for every front (the CLI, compose, the builder, the
// API server). A front parses what its user said into plain requests, calls whole operations
// here, and renders the plain data or streams that come back; it never reaches the parts below
// (image, storage, runtime, network, state, sys). This file is the contract; the work is done by
// the engine's modules, each loaded on first use so that a short command pays only for its own.
//
// Contract, as containerd writes its interfaces:
//   - Every operation takes a reference a user typed (name, full id or unique id prefix) or an id,
//     and fails with a BerthError (kind NotFound, Conflict, InvalidArgument, Unavailable, …) that
//     a front maps to its own words: exit 125 in the CLI, an HTTP status in the API.
//   - An operation that fails leaves nothing half made: `run` removes the container it created
//     when the start fails; a failed start releases its mounts, network and cgroup.
//   - Records are returned as they are after the operation, reconciled with the host: a
//     container whose process is gone is never reported running.
//   - Streams (logs) are async iterables that end when the container stops (when following) or
//     when the caller's AbortSignal fires; they never hold a lock between items.
//
// A worked example, a foreground `run --rm` with its output:
//
//   const engine = createEngine(config);
//   const ctr = await engine.containers.run({ ...req, autoRemove: false }, { attached: true });
//   for await (const chunk of engine.containers.logs(ctr.id, { follow: true, discard: true }))
//     (chunk.stream === 'stdout' ? process.stdout : process.stderr).write(chunk.text);
//   const done = await engine.containers.wait(ctr.id);   // exited, resources released
//   await engine.containers.removeIfExited(ctr.id);
//   return done.exitCode;
import type { Writable } from 'node:stream';
import { createContext, type EngineConfig, type EngineContext } from './context.js';
import type { Container } from './containers.js';
import type { CreateRequest } from './types.js';
import type { ExecRequest } from './exec.js';
import type { CapturedExecRequest, ExecOutput } from './exec.js';
import type { EndpointView } from './views.js';
import type { LogChunk, LogOptions } from './follow.js';
import type { PullOptions, PullPolicy, PullResult, PushOptions, PushResult, LoginOptions, Credentials } from './registry.js';
import type { ArchiveFormat, PruneResult, UsageLine } from './transfer.js';
import type { CommitOptions } from './commit.js';
import type { BuildSupport } from './build-support.js';
import type { RecoverReport } from './record-file.js';
import type { ImportOptions } from '../image/import.js';
import type { CreateNetworkOptions, NetworkRecord } from '../network/networks.js';
import type { PortBinding } from '../network/attach.js';
import type { StartAllFilter, StartAllReport, BootReport } from './boot.js';
import type { CheckReport } from './check.js';
import type { UpdateRequest } from './container-update.js';
import type { Change } from './container-diff.js';
import type { StatsLine } from './container-stats.js';
import type { CopyOptions } from './copy.js';
import type { VolumeInfo } from './volume-manage.js';
import type { ContainerPruneResult, SystemPruneResult, LabelFilter } from './prune.js';
import type { PsTable } from '../sys/ps.js';
import type { Readable } from 'node:stream';

export type { CapturedExecRequest, ExecOutput };
export type { EngineConfig, Container, CreateRequest, ExecRequest, EndpointView, LogChunk, LogOptions };
export type { PullOptions, PullPolicy, PullResult, PushOptions, PushResult, LoginOptions, Credentials };
export type { ArchiveFormat, PruneResult, UsageLine, CommitOptions, ImportOptions, CreateNetworkOptions, NetworkRecord, PortBinding };
export type { StartAllFilter, StartAllReport, BootReport, CheckReport };
export type { Finding } from './check.js';
export type { TransferProgress } from './registry.js';
export { parseStartFilters } from './start-filter.js';
export type { UpdateRequest, Change, StatsLine, CopyOptions, VolumeInfo, ContainerPruneResult, SystemPruneResult, LabelFilter, PsTable };
export type { OciContainerConfig } from './commit.js';
export type { BuildSupport, RecoverReport };
export { ARCHIVE_FORMATS } from '../common/archive-formats.js';
export { parsePortSpec } from '../network/portspec.js';
export type { BuildImage, CommitStepOptions, ImagePathInfo, ArchiveCompression } from './build-images.js';
export type { RunStepOptions, RunStepResult } from './build-run.js';
export { parseRestartPolicy } from './restart.js';
export { parseSecurityOpts, parseTmpfs } from './security-opts.js';
export { emptyResources } from './types.js';

export interface ContainerEngine {
  /** Records the container (characteristics, name, addresses, ports); does not start it. */
  create(req: CreateRequest): Promise<Container>;
  /**
   * create + start. `attached`: the caller stays to collect the exit (a foreground run), so
   * conmon need not call berth back unless a restart policy asks for it. On a failed start the
   * container is removed again, and the start's error is the one thrown.
   */
  run(req: CreateRequest, opts?: { attached?: boolean }): Promise<Container>;
  /**
   * `run -i`/`-t`: create, then run with the caller's stdio until the container ends. Resolves
   * with the exited record (resources released). Removed again when it could not start.
   */
  runInteractive(req: CreateRequest, opts: { tty: boolean }): Promise<Container>;
  start(ref: string, opts?: { attached?: boolean }): Promise<Container>;
  /** `start --all`: every container not running that matches; one that fails does not stop the rest. */
  startAll(filter?: StartAllFilter): Promise<StartAllReport>;
  /** The stop signal, then SIGKILL after timeoutSec (the container's own when absent). */
  stop(ref: string, opts?: { timeoutSec?: number }): Promise<Container>;
  restart(ref: string, opts?: { timeoutSec?: number }): Promise<Container>;
  /** Signals a running container (SIGKILL by default); its restart policy no longer applies. */
  kill(ref: string, signal?: string): Promise<Container>;
  /** Returns the removed container's id. `force` stops a running one first. */
  remove(ref: string, opts?: { force?: boolean; volumes?: boolean }): Promise<string>;
  /** Removes the container if it has exited (a foreground `run --rm` once it has the code). */
  removeIfExited(id: string): Promise<void>;
  /** One container, reconciled. */
  get(ref: string): Promise<Container>;
  /** Every container, newest first; `reconcile` brings running records up to date first (ps). */
  list(opts?: { reconcile?: boolean }): Promise<Container[]>;
  /** Docker's inspect document for one container. */
  inspect(ref: string): Promise<Record<string, unknown>>;
  endpoints(ids: readonly string[]): Promise<Map<string, EndpointView[]>>;
  ports(id: string): Promise<PortBinding[]>;
  /** Resolves once the container is no longer running, with its exit recorded. */
  wait(ref: string, opts?: { signal?: AbortSignal }): Promise<Container>;
  /** The container's output, from conmon's log. See LogOptions for where it starts and ends. */
  logs(ref: string, opts?: LogOptions): AsyncIterable<LogChunk>;
  /** A new process in a running container with the caller's stdio; resolves with its exit code. */
  exec(ref: string, req: ExecRequest): Promise<number>;
  /** A new process in a running container, its output handed to `output` as it comes; resolves with its exit code after the last of it. */
  execCapture(ref: string, req: CapturedExecRequest, output: ExecOutput): Promise<number>;
  /** One run of a command in a running container, output discarded: true when it exits 0 in time. */
  probe(ref: string, args: readonly string[], timeoutMs: number): Promise<boolean>;
  /** conmon's exit callback: records the exit of run `runId`, then applies --rm or the restart policy. */
  handleExit(id: string, runId?: string): Promise<void>;
  commit(ref: string, name: string | undefined, opts?: CommitOptions): Promise<{ id: string; name: string | undefined }>;
  export(ref: string, out: Writable): Promise<void>;
  /** Freezes every process of a running container (status "paused"). */
  pause(ref: string): Promise<Container>;
  unpause(ref: string): Promise<Container>;
  rename(ref: string, newName: string): Promise<Container>;
  /** New limits and restart policy; a live container's cgroup first, then the record. */
  update(ref: string, req: UpdateRequest): Promise<Container>;
  /** The host's `ps PS_ARGS` rows of the container's processes. */
  top(ref: string, psArgs: readonly string[]): Promise<PsTable>;
  /** One sample per container (two readings `intervalMs` apart for CPU %). No refs: running ones, or all. */
  stats(opts: { refs: readonly string[]; all: boolean; intervalMs?: number }): Promise<StatsLine[]>;
  /** Changes in the writable layer, sorted by path. */
  diff(ref: string): Promise<Change[]>;
  /** CONTAINER:SRC to a host path, or as a tar to a stream. SRC is resolved inside the container's root. */
  copyFrom(ref: string, src: string, dest: { path: string } | { stream: Writable }, opts?: CopyOptions): Promise<void>;
  /** A host path, or a tar stream, to CONTAINER:DEST, resolved inside the container's root. */
  copyTo(ref: string, src: { path: string } | { stream: Readable }, dest: string, opts?: CopyOptions): Promise<void>;
  /** Removes every container that is not running. */
  prune(opts?: { labels?: LabelFilter; until?: Date }): Promise<ContainerPruneResult>;
}

export interface ImageEngine {
  exists(ref: string): Promise<boolean>;
  import(source: string, name?: string, opts?: ImportOptions): Promise<Awaited<ReturnType<typeof import('../image/import.js').importImage>>>;
  list(opts?: { all?: boolean }): Promise<ReturnType<typeof import('../image/images.js').listImages>>;
  inspect(ref: string): Promise<ReturnType<typeof import('../image/images.js').inspectImage>>;
  history(ref: string): Promise<ReturnType<typeof import('../image/images.js').imageHistory>>;
  remove(ref: string, opts?: { force?: boolean }): Promise<ReturnType<typeof import('../image/images.js').removeImage>>;
  tag(src: string, dst: string): Promise<void>;
  prune(opts?: { all?: boolean }): Promise<PruneResult>;
  save(refs: readonly string[], out: Writable, format: ArchiveFormat): Promise<void>;
  load(source: string): Promise<Awaited<ReturnType<typeof import('../image/import.js').loadImages>>>;
  pull(ref: string, opts: PullOptions): Promise<PullResult>;
  /** Pulls when the policy asks for it; resolves with whether it pulled. */
  ensure(ref: string, policy: PullPolicy, opts?: PullOptions & { onMissing?: () => void }): Promise<boolean>;
  push(src: string, dest: string | undefined, opts: PushOptions): Promise<PushResult>;
  login(registry: string, creds: Credentials, opts: LoginOptions): Promise<Awaited<ReturnType<typeof import('../image/registry/login.js').login>>>;
  logout(registry: string, opts: { authFile?: string }): Promise<Awaited<ReturnType<typeof import('../image/registry/login.js').logout>>>;
}

export interface NetworkEngine {
  create(opts: CreateNetworkOptions): Promise<NetworkRecord>;
  list(): Promise<NetworkRecord[]>;
  get(name: string): Promise<NetworkRecord>;
  inspect(name: string): Promise<ReturnType<typeof import('../network/networks.js').inspectNetwork>>;
  remove(name: string, opts?: { force?: boolean }): Promise<void>;
  prune(): Promise<string[]>;
  connect(net: string, ref: string, opts?: { ip?: string; aliases?: string[] }): Promise<void>;
  disconnect(net: string, ref: string): Promise<void>;
}

export interface VolumeEngine {
  /** Removes a named volume's data; false when it did not exist. */
  remove(name: string): Promise<boolean>;
  /** Idempotent, as Docker's: an existing volume is returned unchanged. A random name when none. */
  create(opts: { name?: string; labels?: Record<string, string>; driver?: string; options?: string[] }): Promise<VolumeInfo>;
  list(): Promise<VolumeInfo[]>;
  inspect(name: string): Promise<VolumeInfo>;
  /** `volume rm`: refuses a volume a container mounts; `force` ignores a missing one. */
  removeChecked(name: string, opts?: { force?: boolean }): Promise<void>;
  /** Removes every volume no container mounts. */
  prune(opts?: { labels?: LabelFilter }): Promise<{ removed: string[]; reclaimed: number }>;
}

export interface SystemEngine {
  diskUsage(): Promise<UsageLine[]>;
  /**
   * After a reboot: closes the previous boot's runs, makes every network's bridge again and
   * starts the containers whose policy asks for it (always; unless-stopped unless the user
   * stopped it). Idempotent within one boot.
   */
  boot(): Promise<BootReport>;
  /**
   * Every orphan and inconsistency of this root (kernel objects, processes, directories, blobs,
   * the instances file's integrity), each with what mending it means; `repair` mends them.
   */
  check(opts?: { repair?: boolean }): Promise<CheckReport>;
  /** Docker's `info` document (its JSON names) for this root and host. */
  info(): Promise<Record<string, unknown>>;
  /** Stopped containers, unused networks, dangling (all: unused) images, and with `volumes` unused volumes. */
  prune(opts: { all?: boolean; volumes?: boolean }): Promise<SystemPruneResult>;
  /**
   * Rebuilds the records of containers and networks that the instances file lacks (lost,
   * truncated) from the copies beside them (berth.json, networks/ID.json); existing rows are
   * kept. `system recover` calls it.
   */
  recoverRecords(): Promise<RecoverReport>;
}

/** Files a user asked for (save -o, export -o, kube generate -f), written as berth writes its own: atomically. */
export interface FileEngine {
  write(path: string, data: string | Buffer): Promise<void>;
  writeStream(path: string, produce: (out: Writable) => Promise<unknown>): Promise<void>;
}

export interface Engine {
  readonly config: EngineConfig;
  readonly files: FileEngine;
  /** The builder's operations (engine/build-images.ts, engine/build-run.ts), loaded for a build. */
  builder(): Promise<BuildSupport>;
  readonly containers: ContainerEngine;
  readonly images: ImageEngine;
  readonly networks: NetworkEngine;
  readonly volumes: VolumeEngine;
  readonly system: SystemEngine;
}

/**
 * The one place that wires the parts for one berth root. Cheap: nothing is opened or loaded
 * until an operation needs it (`berth --help` never opens the instances file).
 */
export function createEngine(config: EngineConfig): Engine {
  const ctx: EngineContext = createContext(config);
  return {
    config,
    builder: async () => (await import('./build-support.js')).bindBuildSupport(ctx),
    files: {
      write: async (path, data) => (await import('../sys/atomic.js')).writeFileAtomic(path, data),
      writeStream: async (path, produce) => (await import('../sys/atomic.js')).writeStreamAtomic(path, produce),
    },
    containers: containerEngine(ctx),
    images: imageEngine(ctx),
    networks: networkEngine(ctx),
    volumes: volumeEngine(ctx),
    system: {
      diskUsage: async () => (await import('./transfer.js')).diskUsage(ctx),
      boot: async () => (await import('./boot.js')).bootSystem(ctx),
      check: async (opts = {}) => (await import('./check.js')).checkSystem(ctx, { repair: opts.repair === true }),
      info: async () => (await import('./info.js')).systemInfo(ctx),
      prune: async (opts) => (await import('./prune.js')).pruneSystem(ctx, opts),
      recoverRecords: async () => (await import('./record-file.js')).recoverRecords(ctx),
    },
  };
}

function containerEngine(ctx: EngineContext): ContainerEngine {
  const C = () => import('./containers.js');
  return {
    create: async (req) => (await C()).createContainer(ctx, req),
    run: async (req, opts = {}) => (await import('./run.js')).runContainer(ctx, req, opts),
    runInteractive: async (req, opts) => (await import('./run.js')).runInteractive(ctx, req, opts),
    start: async (ref, opts = {}) => (await C()).startContainer(ctx, ref, opts),
    startAll: async (filter = {}) => (await import('./boot.js')).startAll(ctx, filter),
    stop: async (ref, opts = {}) => (await C()).stopContainer(ctx, ref, opts.timeoutSec),
    restart: async (ref, opts = {}) => (await C()).restartContainer(ctx, ref, opts.timeoutSec),
    kill: async (ref, signal) => (await C()).killContainer(ctx, ref, signal),
    remove: async (ref, opts = {}) => (await C()).removeContainer(ctx, ref, { force: opts.force === true, volumes: opts.volumes === true }),
    removeIfExited: async (id) => (await C()).removeIfExited(ctx, id),
    get: async (ref) => {
      const m = await C();
      return m.reconcileOne(ctx, m.lookup(ctx, ref));
    },
    list: async (opts = {}) => {
      const m = await C();
      return opts.reconcile ? m.reconcileAll(ctx) : m.listContainers(ctx);
    },
    inspect: async (ref) => {
      const m = await C();
      return (await import('./views.js')).inspectContainer(ctx, m.reconcileOne(ctx, m.lookup(ctx, ref)));
    },
    endpoints: async (ids) => (await import('./views.js')).containerEndpoints(ctx, [...ids]),
    ports: async (id) => (await import('./views.js')).containerPortBindings(ctx, id),
    wait: async (ref, opts = {}) => (await import('./follow.js')).waitForExit(ctx, ref, opts),
    logs: (ref, opts = {}) =>
      (async function* follow() {
        yield* (await import('./follow.js')).followLogs(ctx, ref, opts);
      })(),
    exec: async (ref, req) => (await import('./exec.js')).execContainer(ctx, ref, req),
    execCapture: async (ref, req, output) => (await import('./exec.js')).execCaptured(ctx, ref, req, output),
    probe: async (ref, args, timeoutMs) => (await import('./exec.js')).probeContainer(ctx, ref, args, timeoutMs),
    handleExit: async (id, runId) => (await C()).onContainerExit(ctx, id, runId),
    commit: async (ref, name, opts = {}) => (await import('./commit.js')).commitContainer(ctx, ref, name, opts),
    export: async (ref, out) => (await import('./commit.js')).exportContainer(ctx, ref, out),
    pause: async (ref) => (await import('./container-pause.js')).pauseContainer(ctx, ref),
    unpause: async (ref) => (await import('./container-pause.js')).unpauseContainer(ctx, ref),
    rename: async (ref, name) => (await import('./container-rename.js')).renameContainer(ctx, ref, name),
    update: async (ref, req) => (await import('./container-update.js')).updateContainer(ctx, ref, req),
    top: async (ref, psArgs) => (await import('./container-top.js')).topContainer(ctx, ref, psArgs),
    stats: async (opts) => (await import('./container-stats.js')).containerStats(ctx, opts),
    diff: async (ref) => (await import('./container-diff.js')).diffContainer(ctx, ref),
    copyFrom: async (ref, src, dest, opts = {}) => (await import('./copy.js')).copyFromContainer(ctx, ref, src, dest, opts),
    copyTo: async (ref, src, dest, opts = {}) => (await import('./copy.js')).copyToContainer(ctx, ref, src, dest, opts),
    prune: async (opts = {}) => (await import('./prune.js')).pruneContainers(ctx, opts),
  };
}

function volumeEngine(ctx: EngineContext): VolumeEngine {
  const V = () => import('./volume-manage.js');
  return {
    remove: async (name) => (await import('./volumes.js')).removeVolume(ctx, name),
    create: async (opts) => (await V()).createVolume(ctx, opts),
    list: async () => (await V()).listVolumes(ctx),
    inspect: async (name) => (await V()).inspectVolume(ctx, name),
    removeChecked: async (name, opts = {}) => (await V()).removeVolumeChecked(ctx, name, opts),
    prune: async (opts = {}) => (await V()).pruneVolumes(ctx, opts),
  };
}

function imageEngine(ctx: EngineContext): ImageEngine {
  const I = () => import('./images.js');
  const T = () => import('./transfer.js');
  const R = () => import('./registry.js');
  return {
    exists: async (ref) => (await I()).imageExists(ctx, ref),
    import: async (source, name, opts) => (await I()).importImage(ctx, source, name, opts),
    list: async (opts = {}) => (await I()).listImages(ctx, opts),
    inspect: async (ref) => (await I()).inspectImage(ctx, ref),
    history: async (ref) => (await I()).imageHistory(ctx, ref),
    remove: async (ref, opts = {}) => (await I()).removeImage(ctx, ref, opts),
    tag: async (src, dst) => {
      (await T()).tagImage(ctx, src, dst);
    },
    prune: async (opts = {}) => (await T()).pruneImages(ctx, opts),
    save: async (refs, out, format) => (await T()).saveImages(ctx, refs, out, format),
    load: async (source) => (await T()).loadImages(ctx, source),
    pull: async (ref, opts) => (await R()).pullImage(ctx, ref, opts),
    ensure: async (ref, policy, opts = {}) => (await R()).ensureImage(ctx, ref, policy, opts),
    push: async (src, dest, opts) => (await R()).pushImage(ctx, src, dest, opts),
    login: async (registry, creds, opts) => (await R()).login(ctx, registry, creds, opts),
    logout: async (registry, opts) => (await R()).logout(ctx, registry, opts),
  };
}

function networkEngine(ctx: EngineContext): NetworkEngine {
  const N = () => import('./networks.js');
  return {
    create: async (opts) => (await N()).createNetwork(ctx, opts),
    list: async () => (await N()).listNetworks(ctx),
    get: async (name) => (await N()).getNetwork(ctx, name),
    inspect: async (name) => (await N()).inspectNetwork(ctx, name),
    remove: async (name, opts = {}) => {
      (await N()).removeNetwork(ctx, name, opts);
    },
    prune: async () => (await N()).pruneNetworks(ctx),
    connect: async (net, ref, opts = {}) => {
      (await N()).connect(ctx, net, ref, opts);
    },
    disconnect: async (net, ref) => (await N()).disconnect(ctx, net, ref),
  };
}
