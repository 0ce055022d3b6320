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
//   - An attach (AttachSession) is a client of conmon, never the container's holder: leaving it
//     (the detach keys, a closed connection) leaves the container running; its streams end when
//     the container's process does, and `done` says which of the two happened.
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
import type { HealthCheckOutcome } from './health-run.js';
import type { HealthStatus } from '../state/health.js';
import type { EndpointView } from './views.js';
import type { LogChunk, LogOptions } from './follow.js';
import type { PullOptions, PullPolicy, PullResult, PushOptions, PushResult, LoginOptions, Credentials } from './registry.js';
import type { ArchiveFormat, PruneResult, UsageDetail, UsageLine } from './transfer.js';
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
import type { PathStat } from './copy-stat.js';
import type { VolumeInfo } from './volume-manage.js';
import type { ContainerPruneResult, SystemPruneResult, LabelFilter } from './prune.js';
import type { PsTable } from '../sys/ps.js';
import type { AttachEnd, AttachOptions, AttachSession } from './container-attach.js';
import type { AttachedExecRequest } from './exec-attach.js';
import type { Readable } from 'node:stream';
import type { EngineEvent, EventFilters } from './event-format.js';
import type { EventQuery } from './events.js';

export type { CapturedExecRequest, ExecOutput };
export type { EngineConfig, Container, CreateRequest, ExecRequest, EndpointView, LogChunk, LogOptions };
export type { PullOptions, PullPolicy, PullResult, PushOptions, PushResult, LoginOptions, Credentials };
export type { UsageDetail };
export type { ArchiveFormat, PruneResult, UsageLine, CommitOptions, ImportOptions, CreateNetworkOptions, NetworkRecord, PortBinding };
export type { StartAllFilter, StartAllReport, BootReport, CheckReport };
export type { Finding } from './check.js';
export type { TransferProgress } from './registry.js';
export { parseStartFilters } from './start-filter.js';
export type { PathStat };
export type { UpdateRequest, Change, StatsLine, CopyOptions, VolumeInfo, ContainerPruneResult, SystemPruneResult, LabelFilter, PsTable };
export type { OciContainerConfig } from './commit.js';
export type { BuildSupport, RecoverReport };
export type { AttachEnd, AttachOptions, AttachSession, AttachedExecRequest };
export type { HealthCheckOutcome, HealthStatus };
export { ARCHIVE_FORMATS } from '../common/archive-formats.js';
export { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../common/detach-keys.js';
export { parsePortSpec } from '../network/portspec.js';
export type { BuildImage, CommitStepOptions, ImagePathInfo, ArchiveCompression } from './build-images.js';
export type { RunStepOptions, RunStepResult } from './build-run.js';
export { rootlessPaths } from './rootless-paths.js';

/**
 * Rootless berth: an ordinary user's command, run again as root of the user's own user and mount
 * namespaces (made once, kept by a pause process); resolves to that command's exit code.
 */
export async function runRootless(
  o: { uid: number; paths: import('../common/types.js').BerthPaths; node: string; script: string; argv: readonly string[] },
): Promise<number> {
  return (await import('./rootless.js')).joinRootless(o);
}
export { parseDevice } from './device-spec.js';
export { parseExtraHost } from './extra-hosts.js';
export { checkDns, checkOomScoreAdj, checkResources, clampShares, parseLogOpts } from './resource-options.js';
export { parseRestartPolicy } from './restart.js';
export { parseSecurityOpts, parseTmpfs } from './security-opts.js';
export { checkSysctl } from './sysctl.js';
export { emptyResources } from './types.js';
export type { EngineEvent, EventFilters, EventQuery };
export { eventJson, eventDoc, eventLine, parseEventFilters, checkEventFilters } from './event-format.js';

export interface ContainerEngine {
  /** Records the container (characteristics, name, addresses, ports); does not start it. */
  create(req: CreateRequest): Promise<Container>;
  /**
   * create + start. `attached`: the caller stays to collect the exit (a foreground run), so
   * conmon need not call berth back unless a restart policy asks for it. On a failed start the
   * container is removed again, and the start's error is the one thrown.
   */
  run(req: CreateRequest, opts?: { attached?: boolean }): Promise<Container>;
  start(ref: string, opts?: { attached?: boolean }): Promise<Container>;
  /** Attaches to a running container's conmon: its output, its stdin, its terminal's size. */
  attach(ref: string, opts: AttachOptions): Promise<AttachSession>;
  /** start with a session attached before the process runs (`start -a`): only this run's output. */
  startAttached(ref: string, opts: AttachOptions): Promise<{ container: Container; session: AttachSession }>;
  /** create + startAttached (`run -it`); removed again when it could not start. */
  runAttached(req: CreateRequest, opts: AttachOptions): Promise<{ container: Container; session: AttachSession }>;
  /** A new process with a terminal or an open stdin, held by conmon, for a client that is not our terminal (the API). */
  execAttached(ref: string, req: AttachedExecRequest, opts: AttachOptions): Promise<{ session: AttachSession; exitCode: Promise<number> }>;
  /** A running container's terminal gets a new size (nothing for one without a terminal). */
  resize(ref: string, size: { height: number; width: number }): Promise<void>;
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
  /** A foreground `run --rm` detached from: removed at its exit by the exit callback (now if it has exited). */
  removeOnExit(id: string): Promise<void>;
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
  /** `healthcheck run`: the container's healthcheck once, now, recorded as the runner's checks are. */
  healthcheck(ref: string): Promise<HealthCheckOutcome>;
  /** The health runner of run `runId` (a detached process started with the container): returns once that run is over. */
  healthRunner(id: string, runId: string): Promise<void>;
  /** The health status of each running container that has a healthcheck, for ps. */
  health(ids: readonly string[]): Promise<Map<string, HealthStatus>>;
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
  /** What is at a path in the container (lstat, resolved inside its root), for the API's cp. */
  statPath(ref: string, path: string): Promise<PathStat>;
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
  /** The default network (berth), made on first use like `run` makes it. */
  ensureDefault(): Promise<NetworkRecord>;
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
  /**
   * berth runs rootless (an ordinary user's, in the user's namespaces): only the default,
   * user-mode network exists, and no limits.
   */
  rootless(): Promise<boolean>;
  diskUsage(): Promise<UsageLine[]>;
  /** Each image's, container's (its writable layer) and volume's bytes. */
  diskUsageDetail(): Promise<UsageDetail>;
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
  /**
   * Docker's events from the journal, oldest first: from `since` (absent: from now on), and
   * following whatever any berth process records until `until` passes or the signal fires.
   * Unknown filter keys fail at the first step.
   */
  events(q: EventQuery, signal?: AbortSignal): AsyncIterable<EngineEvent>;
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
      rootless: async () => (await import('./host.js')).hostOf(ctx).rootless(),
      diskUsage: async () => (await import('./transfer.js')).diskUsage(ctx),
      diskUsageDetail: async () => (await import('./transfer.js')).diskUsageDetail(ctx),
      boot: async () => (await import('./boot.js')).bootSystem(ctx),
      check: async (opts = {}) => (await import('./check.js')).checkSystem(ctx, { repair: opts.repair === true }),
      info: async () => (await import('./info.js')).systemInfo(ctx),
      prune: async (opts) => (await import('./prune.js')).pruneSystem(ctx, opts),
      recoverRecords: async () => (await import('./record-file.js')).recoverRecords(ctx),
      events: (q, signal) =>
        (async function* follow() {
          yield* (await import('./events.js')).followEvents(ctx, q, signal);
        })(),
    },
  };
}

// Events of operations that are whole at this level (the lifecycle modules record create,
// start, die and destroy themselves, whoever asks for them). Recording never fails the operation.
const Ev = () => import('./events.js');
type Recorder = Awaited<ReturnType<typeof Ev>>;
async function after<T>(op: Promise<T>, record: (ev: Recorder, v: T) => void): Promise<T> {
  const v = await op;
  record(await Ev(), v);
  return v;
}

function containerEngine(ctx: EngineContext): ContainerEngine {
  const C = () => import('./containers.js');
  return {
    create: async (req) => (await C()).createContainer(ctx, req),
    run: async (req, opts = {}) => (await import('./run.js')).runContainer(ctx, req, opts),
    start: async (ref, opts = {}) => (await C()).startContainer(ctx, ref, opts),
    attach: async (ref, opts) => (await import('./container-attach.js')).attachContainer(ctx, ref, opts),
    startAttached: async (ref, opts) => (await import('./container-attach.js')).startAttached(ctx, ref, opts),
    runAttached: async (req, opts) => (await import('./container-attach.js')).runAttached(ctx, req, opts),
    execAttached: async (ref, req, opts) => (await import('./exec-attach.js')).execAttached(ctx, ref, req, opts),
    resize: async (ref, size) => (await import('./container-attach.js')).resizeContainer(ctx, ref, size.height, size.width),
    startAll: async (filter = {}) => (await import('./boot.js')).startAll(ctx, filter),
    stop: (ref, opts = {}) => after((async () => (await C()).stopContainer(ctx, ref, opts.timeoutSec))(), (ev, c) => ev.recordContainerEvent(ctx, 'stop', c)),
    restart: (ref, opts = {}) =>
      after((async () => (await C()).restartContainer(ctx, ref, opts.timeoutSec))(), (ev, c) => ev.recordContainerEvent(ctx, 'restart', c)),
    kill: (ref, signal) =>
      after((async () => (await C()).killContainer(ctx, ref, signal))(), (ev, c) =>
        ev.recordContainerEvent(ctx, 'kill', c, { signal: ev.signalNumber(signal) })),
    remove: async (ref, opts = {}) => (await C()).removeContainer(ctx, ref, { force: opts.force === true, volumes: opts.volumes === true }),
    removeIfExited: async (id) => (await C()).removeIfExited(ctx, id),
    removeOnExit: async (id) => (await C()).removeOnExit(ctx, id),
    get: async (ref) => (await C()).reconcileRef(ctx, ref),
    list: async (opts = {}) => {
      const m = await C();
      return opts.reconcile ? m.reconcileAll(ctx) : m.listContainers(ctx);
    },
    inspect: async (ref) => {
      const m = await C();
      return (await import('./views.js')).inspectContainer(ctx, m.reconcileRef(ctx, ref));
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
    healthcheck: async (ref) => (await import('./health-run.js')).runHealthcheck(ctx, ref),
    healthRunner: async (id, runId) => (await import('./health-run.js')).healthRunner(ctx, id, runId),
    health: async (ids) => (await import('./views.js')).containerHealth(ctx, ids),
    handleExit: async (id, runId) => (await C()).onContainerExit(ctx, id, runId),
    // Docker's: a commit is the container's event, naming the image it made.
    commit: async (ref, name, opts = {}) => {
      const r = await (await import('./commit.js')).commitContainer(ctx, ref, name, opts);
      const c = (await C()).lookup(ctx, ref);
      (await Ev()).recordContainerEvent(ctx, 'commit', c, { comment: opts.message ?? '', imageID: r.id, imageRef: r.name ?? '' });
      return r;
    },
    export: async (ref, out) => (await import('./commit.js')).exportContainer(ctx, ref, out),
    pause: (ref) => after((async () => (await import('./container-pause.js')).pauseContainer(ctx, ref))(), (ev, c) => ev.recordContainerEvent(ctx, 'pause', c)),
    unpause: (ref) =>
      after((async () => (await import('./container-pause.js')).unpauseContainer(ctx, ref))(), (ev, c) => ev.recordContainerEvent(ctx, 'unpause', c)),
    rename: async (ref, name) => {
      const old = (await C()).lookup(ctx, ref).name;
      return after((async () => (await import('./container-rename.js')).renameContainer(ctx, ref, name))(),
        (ev, c) => ev.recordContainerEvent(ctx, 'rename', c, { oldName: `/${old}` }));
    },
    update: async (ref, req) => (await import('./container-update.js')).updateContainer(ctx, ref, req),
    top: async (ref, psArgs) => (await import('./container-top.js')).topContainer(ctx, ref, psArgs),
    stats: async (opts) => (await import('./container-stats.js')).containerStats(ctx, opts),
    diff: async (ref) => (await import('./container-diff.js')).diffContainer(ctx, ref),
    copyFrom: async (ref, src, dest, opts = {}) => (await import('./copy.js')).copyFromContainer(ctx, ref, src, dest, opts),
    copyTo: async (ref, src, dest, opts = {}) => (await import('./copy.js')).copyToContainer(ctx, ref, src, dest, opts),
    statPath: async (ref, path) => (await import('./copy-stat.js')).statContainerPath(ctx, ref, path),
    prune: async (opts = {}) => (await import('./prune.js')).pruneContainers(ctx, opts),
  };
}

function volumeEngine(ctx: EngineContext): VolumeEngine {
  const V = () => import('./volume-manage.js');
  const volumeEvent = (ev: Recorder, action: string, name: string) => ev.recordEvent(ctx, 'volume', action, name, { driver: 'local' });
  return {
    remove: (name) => after((async () => (await import('./volumes.js')).removeVolume(ctx, name))(), (ev, gone) => gone && volumeEvent(ev, 'destroy', name)),
    create: (opts) => after((async () => (await V()).createVolume(ctx, opts))(), (ev, v) => volumeEvent(ev, 'create', v.name)),
    list: async () => (await V()).listVolumes(ctx),
    inspect: async (name) => (await V()).inspectVolume(ctx, name),
    removeChecked: (name, opts = {}) => after((async () => (await V()).removeVolumeChecked(ctx, name, opts))(), (ev) => volumeEvent(ev, 'destroy', name)),
    prune: (opts = {}) => after((async () => (await V()).pruneVolumes(ctx, opts))(), (ev, r) => r.removed.forEach((n) => volumeEvent(ev, 'destroy', n))),
  };
}

function imageEngine(ctx: EngineContext): ImageEngine {
  const I = () => import('./images.js');
  const T = () => import('./transfer.js');
  const R = () => import('./registry.js');
  const imageEvent = (ev: Recorder, action: string, id: string, name: string) => ev.recordEvent(ctx, 'image', action, id, { name });
  return {
    exists: async (ref) => (await I()).imageExists(ctx, ref),
    import: (source, name, opts) =>
      after((async () => (await I()).importImage(ctx, source, name, opts))(), (ev, img) => imageEvent(ev, 'import', img.id, imageName(img))),
    list: async (opts = {}) => (await I()).listImages(ctx, opts),
    inspect: async (ref) => (await I()).inspectImage(ctx, ref),
    history: async (ref) => (await I()).imageHistory(ctx, ref),
    remove: (ref, opts = {}) =>
      after((async () => (await I()).removeImage(ctx, ref, opts))(), (ev, r) => {
        for (const t of r.untagged) imageEvent(ev, 'untag', ref, t);
        for (const id of r.deleted) imageEvent(ev, 'delete', id, id);
      }),
    tag: async (src, dst) => {
      (await T()).tagImage(ctx, src, dst);
      imageEvent(await Ev(), 'tag', src, dst);
    },
    prune: (opts = {}) =>
      after((async () => (await T()).pruneImages(ctx, opts))(), (ev, r) => {
        for (const t of r.untagged) imageEvent(ev, 'untag', t, t);
        for (const id of r.deleted) imageEvent(ev, 'delete', id, id);
      }),
    save: (refs, out, format) =>
      after((async () => (await T()).saveImages(ctx, refs, out, format))(), (ev) => refs.forEach((r) => imageEvent(ev, 'save', r, r))),
    load: (source) => after((async () => (await T()).loadImages(ctx, source))(), (ev, imgs) => imgs.forEach((i) => imageEvent(ev, 'load', i.id, imageName(i)))),
    pull: (ref, opts) => after((async () => (await R()).pullImage(ctx, ref, opts))(), (ev, r) => imageEvent(ev, 'pull', r.name ?? ref, r.name ?? ref)),
    ensure: async (ref, policy, opts = {}) => (await R()).ensureImage(ctx, ref, policy, opts),
    push: (src, dest, opts) =>
      after((async () => (await R()).pushImage(ctx, src, dest, opts))(), (ev, r) => imageEvent(ev, 'push', r.destination, r.destination)),
    login: async (registry, creds, opts) => (await R()).login(ctx, registry, creds, opts),
    logout: async (registry, opts) => (await R()).logout(ctx, registry, opts),
  };
}

function networkEngine(ctx: EngineContext): NetworkEngine {
  const N = () => import('./networks.js');
  const networkEvent = (ev: Recorder, action: string, n: NetworkRecord, extra: Record<string, string> = {}) =>
    ev.recordEvent(ctx, 'network', action, n.id, { name: n.name, type: 'bridge', ...extra });
  return {
    create: (opts) => after((async () => (await N()).createNetwork(ctx, opts))(), (ev, n) => networkEvent(ev, 'create', n)),
    list: async () => (await N()).listNetworks(ctx),
    get: async (name) => (await N()).getNetwork(ctx, name),
    ensureDefault: async () => (await N()).ensureDefaultNetwork(ctx),
    inspect: async (name) => (await N()).inspectNetwork(ctx, name),
    remove: async (name, opts = {}) => {
      const n = (await N()).removeNetwork(ctx, name, opts);
      networkEvent(await Ev(), 'destroy', n);
    },
    prune: async () => {
      const m = await N();
      const before = new Map(m.listNetworks(ctx).map((n) => [n.name, n]));
      const removed = m.pruneNetworks(ctx);
      const ev = await Ev();
      for (const name of removed) {
        const n = before.get(name);
        if (n) networkEvent(ev, 'destroy', n);
      }
      return removed;
    },
    connect: async (net, ref, opts = {}) => {
      const m = await N();
      m.connect(ctx, net, ref, opts);
      const ev = await Ev();
      const { lookup } = await import('./containers.js');
      // Looked up again for the event only: the connect is done whatever happens here.
      ev.quietly(() => networkEvent(ev, 'connect', m.getNetwork(ctx, net), { container: lookup(ctx, ref).id }));
    },
    disconnect: async (net, ref) => {
      const m = await N();
      const id = (await import('./containers.js')).lookup(ctx, ref).id;
      const n = m.getNetwork(ctx, net);
      m.disconnect(ctx, net, ref);
      networkEvent(await Ev(), 'disconnect', n, { container: id });
    },
  };
}

const imageName = (i: { repository: string; tag: string; id: string }) => (i.repository && i.repository !== '<none>' ? `${i.repository}:${i.tag}` : i.id);
