// A recording fake of the host (engine/host.ts), in youki's manner: it keeps in memory what the
// kernel and the runtime would hold (processes with start times, mounts, cgroups, runtime
// containers, network namespaces, conmon's exit files) and logs every call, so the lifecycle
// can be driven and checked without root. `failAt` makes the named call throw once, to walk the
// rollbacks. A container's process ends when a test says so (exit) or when it is signalled.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../host.js';
import type { CreateOptions, ExitInfo } from '../../runtime/oci.js';
import type { RuntimeBinary } from '../../runtime/select.js';
import type { NetworkRecord } from '../../network/networks.js';
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import type { AttachConnection, ConmonAttachEvents } from '../../runtime/attach.js';

/** An attach client of the fake conmon: records what it was sent; ends when the container exits. */
export class FakeAttach extends EventEmitter<ConmonAttachEvents> implements AttachConnection {
  readonly input: Buffer[] = [];
  stdinClosed = false;
  ended = false;
  write(data: Buffer): void {
    if (!this.ended && data.length > 0) this.input.push(data);
  }
  closeStdin(): void {
    this.stdinClosed = true;
  }
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('end');
  }
}

type ProcState = 'running' | 'zombie' | 'gone';
interface Proc {
  pid: number;
  start: number;
  state: ProcState;
  ignores: Set<string>;
}
interface RtContainer {
  id: string;
  pid: number;
  conmonPid: number;
  runDir: string;
  exitRunId: string | undefined;
  started: boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGTERM: 15 };

export class FakeHost implements Host {
  readonly calls: string[] = [];
  readonly mounts = new Set<string>();
  readonly cgroups = new Set<string>();
  readonly netns = new Set<string>();
  readonly procs = new Map<number, Proc>();
  readonly runtime = new Map<string, RtContainer>();
  readonly exitFiles = new Map<string, ExitInfo>();
  readonly bundles = new Map<string, unknown>();
  /** Attach clients by container id. */
  readonly attaches = new Map<string, FakeAttach[]>();
  /** Resizes asked for, as "id HxW". */
  readonly resizes: string[] = [];
  /** Runtime containers frozen by pauseContainer. */
  readonly frozen = new Set<string>();
  /** The limits each updateResources call asked for, by container. */
  readonly updates = new Map<string, unknown[]>();
  boot = 'boot-1';
  /** When the current boot began, as /proc/stat's btime would say; null: unknown. */
  bootStart: Date | null = null;
  /** The next call of this name throws (then the fake behaves again). */
  failAt: keyof Host | undefined;
  /** Signals the next started container's init ignores (as sleep as pid 1 ignores SIGTERM). */
  ignoreNext: string[] = [];
  private nextPid = 1000;
  private ticks = 5000;

  private call(name: keyof Host, detail = ''): void {
    this.calls.push(detail ? `${name} ${detail}` : name);
    if (this.failAt === name) {
      this.failAt = undefined;
      throw new Error(`fake ${name} failed`);
    }
  }

  private spawn(): Proc {
    const p: Proc = { pid: this.nextPid++, start: this.ticks++, state: 'running', ignores: new Set(this.ignoreNext) };
    this.ignoreNext = [];
    this.procs.set(p.pid, p);
    return p;
  }

  private byPid(pid: number): RtContainer | undefined {
    return [...this.runtime.values()].find((c) => c.pid === pid);
  }

  /** The container's init ends with `code`: conmon reaps it and writes its exit file. */
  exit(id: string, code: number): { runId: string | undefined } {
    const c = this.runtime.get(id);
    if (!c) throw new Error(`fake: no runtime container ${id}`);
    const p = this.procs.get(c.pid);
    if (p) p.state = 'gone';
    this.exitFiles.set(id, { exitCode: code, oomKilled: false, finishedAt: new Date() });
    const conmon = this.procs.get(c.conmonPid);
    if (conmon) conmon.state = 'gone';
    for (const a of this.attaches.get(id) ?? []) a.close();
    this.attaches.delete(id);
    return { runId: c.exitRunId };
  }

  /** conmon died first and nobody reaped the init: a zombie holding its pid. */
  zombify(id: string): void {
    const c = this.runtime.get(id)!;
    this.procs.get(c.conmonPid)!.state = 'gone';
    this.procs.get(c.pid)!.state = 'zombie';
  }

  /** The init is gone and another process now holds its pid (start time differs). */
  reusePid(id: string): void {
    const c = this.runtime.get(id)!;
    this.procs.get(c.conmonPid)!.state = 'gone';
    this.procs.set(c.pid, { pid: c.pid, start: this.ticks++, state: 'running', ignores: new Set() });
  }

  alive(pid: number | null): boolean {
    return pid !== null && this.procs.get(pid)?.state === 'running';
  }

  // ------------------------------------------------------------------ Host

  /** Set by a test of rootless berth's lifecycle. */
  isRootless = false;
  rootless = () => this.isRootless;
  unprivilegedPortStart = () => 1024;
  /** What checkCanRun throws (a host without privileges); undefined: it can run containers. */
  cannotRun: Error | undefined;
  /** The roots checkCanRun was asked about ('' for none): a read, so not among `calls`. */
  readonly canRunChecks: string[] = [];
  checkCanRun = (root?: string) => {
    this.canRunChecks.push(root ?? '');
    if (this.cannotRun) throw this.cannotRun;
  };
  /** This host's layout (hybrid, as the test machine's); v2 gives containers a cgroup namespace by default. */
  cgroupLayout: 'v1' | 'hybrid' | 'v2' = 'hybrid';
  cgroupMode = () => this.cgroupLayout;
  bootId = () => this.boot;
  bootTime = () => this.bootStart;
  processAlive = (pid: number, start: number | null | undefined) => {
    const p = this.procs.get(pid);
    return p?.state === 'running' && (start === null || start === undefined || start === p.start);
  };
  processStartTime = (pid: number) => {
    const p = this.procs.get(pid);
    return p && p.state !== 'gone' ? p.start : null;
  };
  hardRlimits = () => ({ nofile: 1_048_576, nproc: 4_194_304 });
  resourceHost = () => ({ blkioWeight: true, oomScoreAdj: 0, capSysResource: true });
  allHardRlimits = () => ({ nofile: 1_048_576, nproc: 4_194_304, core: Infinity, stack: Infinity, memlock: 8_388_608 });
  startHealthRunner = (cmd: string, args: readonly string[]) => {
    this.call('startHealthRunner', [cmd, ...args].join(' '));
    return null;
  };
  signal = (pid: number, sig: NodeJS.Signals) => {
    this.call('signal', `${pid} ${sig}`);
    const p = this.procs.get(pid);
    if (!p || p.state !== 'running') {
      const e = new Error('ESRCH') as NodeJS.ErrnoException;
      e.code = 'ESRCH';
      throw e;
    }
    if (sig !== 'SIGKILL' && p.ignores.has(sig)) return;
    const c = this.byPid(pid);
    // A frozen task takes no signal until it is thawed (cgroup v1's freezer holds even SIGKILL).
    if (c && this.frozen.has(c.id)) return;
    if (c) this.exit(c.id, 128 + (SIGNALS[sig] ?? 0));
    else p.state = 'gone';
  };
  syncFs = (path: string) => {
    this.call('syncFs', path);
  };
  mount = (_spec: Parameters<Host['mount']>[0], target: string) => {
    this.call('mount', target);
    this.mounts.add(target);
  };
  unmount = (target: string) => {
    this.call('unmount', target);
    this.mounts.delete(target);
  };
  isMounted = (target: string) => this.mounts.has(target);
  idmapMount = (maps: Parameters<Host['idmapMount']>[0], pairs: Parameters<Host['idmapMount']>[1]) => {
    for (const p of pairs) {
      this.call('idmapMount', `${p.target} ${maps.uid.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',')}`);
      this.mounts.add(p.target);
    }
  };
  chown = (path: string, uid: number, gid: number) => {
    this.call('chown', `${path} ${uid}:${gid}`);
  };
  removeCgroup = (p: string) => {
    this.call('removeCgroup', p);
    this.cgroups.delete(p);
  };
  chooseRuntime = (): RuntimeBinary => ({ name: 'runc', path: '/fake/runc' });
  createContainer = async (o: CreateOptions) => {
    this.call('createContainer', o.id);
    if (this.runtime.has(o.id)) throw new Error(`fake runtime: container ${o.id} exists`);
    const init = this.spawn();
    const conmon = this.spawn();
    const args = o.exitCommand?.args ?? [];
    this.runtime.set(o.id, { id: o.id, pid: init.pid, conmonPid: conmon.pid, runDir: o.runDir, exitRunId: o.exitCommand ? args[args.length - 1] : undefined,
      started: false });
    this.cgroups.add(`/berth/${o.id}`);
    this.exitFiles.delete(o.id);
    return { pid: init.pid, conmonPid: conmon.pid };
  };
  startContainer = (_rt: RuntimeBinary, _root: string, id: string) => {
    this.call('startContainer', id);
    const c = this.runtime.get(id);
    if (!c) throw new Error(`fake runtime: no container ${id}`);
    c.started = true;
  };
  killContainer = (_rt: RuntimeBinary, _root: string, id: string, signal: string | number) => {
    this.call('killContainer', `${id} ${signal}`);
    const c = this.runtime.get(id);
    if (!c || !this.alive(c.pid)) return false;
    const name = typeof signal === 'number' ? Object.keys(SIGNALS).find((k) => SIGNALS[k] === signal) ?? 'SIGKILL' : signal;
    this.signal(c.pid, name as NodeJS.Signals);
    return true;
  };
  deleteContainer = (_rt: RuntimeBinary, _root: string, id: string, opts: { force?: boolean } = {}) => {
    this.call('deleteContainer', id);
    const c = this.runtime.get(id);
    if (!c) return;
    if (this.alive(c.pid)) {
      if (!opts.force) throw new Error(`fake runtime: container ${id} is running`);
      this.exit(id, 137);
    }
    this.runtime.delete(id);
    this.cgroups.delete(`/berth/${id}`);
  };
  pauseContainer = (_rt: RuntimeBinary, _root: string, id: string) => {
    this.call('pauseContainer', id);
    const c = this.runtime.get(id);
    if (!c || !this.alive(c.pid)) throw new Error(`fake runtime: container ${id} is not running`);
    this.frozen.add(id);
  };
  resumeContainer = (_rt: RuntimeBinary, _root: string, id: string) => {
    this.call('resumeContainer', id);
    if (!this.frozen.delete(id)) throw new Error(`fake runtime: container ${id} is not paused`);
  };
  updateResources = (_rt: RuntimeBinary, _root: string, id: string, r: unknown) => {
    this.call('updateResources', id);
    const c = this.runtime.get(id);
    if (!c || !this.alive(c.pid)) throw new Error(`fake runtime: container ${id} is not running`);
    this.updates.set(id, [...(this.updates.get(id) ?? []), r]);
  };
  readExitFile = (_runDir: string, id: string) => this.exitFiles.get(id) ?? null;
  writeBundle = (dir: string, spec: Parameters<Host['writeBundle']>[1]) => {
    this.call('writeBundle', dir);
    this.bundles.set(dir, spec);
    return `${dir}/config.json`;
  };
  connectAttach = async (bundleDir: string): Promise<AttachConnection> => {
    const id = basename(bundleDir);
    this.call('connectAttach', id);
    const c = this.runtime.get(id);
    if (!c) throw new Error(`fake conmon: no attach socket for ${id}`);
    const a = new FakeAttach();
    this.attaches.set(id, [...(this.attaches.get(id) ?? []), a]);
    return a;
  };
  resizeTerminal = (bundleDir: string, h: number, w: number) => {
    this.resizes.push(`${basename(bundleDir)} ${h}x${w}`);
    return true;
  };
  planEndpoints = (_ctx: Parameters<Host['planEndpoints']>[0], id: string) => {
    this.call('planEndpoints', id);
  };
  publishPorts = (_ctx: Parameters<Host['publishPorts']>[0], id: string) => {
    this.call('publishPorts', id);
    return [];
  };
  ensureDefaultNetwork = (): NetworkRecord => {
    this.call('ensureDefaultNetwork');
    return { name: 'berth', id: 'f'.repeat(64), bridge: 'berth-ffffffff', subnet: '10.88.0.0/16', gateway: '10.88.0.1', internal: false, labels: {},
      createdAt: new Date().toISOString() };
  };
  /** makeNetns's namespace fails once made asynchronously (its `ip` exits non-zero), not at the call. */
  netnsFailsLate = false;
  makeNetns = (_ctx: Parameters<Host['makeNetns']>[0], id: string) => {
    this.call('makeNetns', id);
    const late = this.netnsFailsLate;
    this.netnsFailsLate = false;
    const ready = Promise.resolve().then(() => {
      if (late) throw new Error('fake ip netns add failed');
      this.netns.add(id);
    });
    return { path: `/fake/netns/${id}`, ready };
  };
  setUpNetwork = async (ctx: Parameters<Host['setUpNetwork']>[0], id: string, opts: Parameters<Host['setUpNetwork']>[2]) => {
    this.call('setUpNetwork', opts.pid !== undefined ? `${id} pid=${opts.pid}` : opts.nsMade ? `${id} nsMade` : id);
    if (opts.nsMade && !this.netns.has(id)) throw new Error(`fake setUpNetwork: no namespace made for ${id}`);
    this.netns.add(id);
    if (opts.pid === undefined && !opts.nsMade) return { netnsPath: `/fake/netns/${id}`, hostsFile: '/fake/hosts', resolvConf: '/fake/resolv.conf' };
    // Written in place, as the network part does: the runtime has bound them already.
    const dir = join(ctx.paths.runroot, 'containers', id);
    writeFileSync(join(dir, 'hosts'), `10.88.0.2\t${opts.name}\n`);
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 10.88.0.1\n');
    const netnsPath = opts.pid === undefined ? `/fake/netns/${id}` : `/proc/${opts.pid}/ns/net`;
    return { netnsPath, hostsFile: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') };
  };
  restoreBridges = (): string[] => {
    this.call('restoreBridges');
    return [];
  };
  tearDownNetwork = (_ctx: Parameters<Host['tearDownNetwork']>[0], id: string) => {
    this.call('tearDownNetwork', id);
    this.netns.delete(id);
  };
  /** Run directories with a live user-mode network (pasta). */
  userModeNets = new Set<string>();
  setUpUserModeNetwork = (_ctx: Parameters<Host['setUpUserModeNetwork']>[0], id: string, runDir: string) => {
    this.call('setUpUserModeNetwork', id);
    this.userModeNets.add(runDir);
    return { netnsPath: join(runDir, 'netns'), hostsFile: '/fake/hosts', resolvConf: '/fake/resolv.conf' };
  };
  tearDownUserModeNetwork = (runDir: string) => {
    this.call('tearDownUserModeNetwork', runDir.slice(runDir.lastIndexOf('/') + 1));
    this.userModeNets.delete(runDir);
  };
  releaseNetwork = (_ctx: Parameters<Host['releaseNetwork']>[0], id: string) => {
    this.call('releaseNetwork', id);
    this.netns.delete(id);
  };
}
