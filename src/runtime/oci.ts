// The OCI runtime driver: runc (or crun) under conmon, and nothing more. It runs the verbs and
// reports what the runtime says; which verb is allowed when is the engine's business.
//
// Files of one container, given by the caller:
//   bundleDir/config.json                 the spec (writeBundle)
//   runDir/                               conmon's cwd: it drops an `oom` file here
//   runDir/pidfile, runDir/conmon.pid     container init pid, conmon pid
//   runDir/exits/<id>                     exit code, written by conmon when init exits
//   runDir/attach/<id>                    conmon's link to bundleDir, where it binds `attach`
//   bundleDir/attach, bundleDir/ctl       the attach socket and the resize fifo (runtime/attach.ts)
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, unavailable } from '../common/errors.js';
import { writeFileAtomic } from '../sys/atomic.js';
import { normalizeSignal, sendSignal } from '../sys/signal.js';
import { cgroupDirsFor } from '../sys/cgroups.js';
import { run, start } from '../sys/exec.js';
import type { OciSpec } from './types.js';
import { findConmon, runtimeGlobalArgs, type RuntimeBinary } from './select.js';
import { cleanRuntimeMessage } from './messages.js';

export { cleanRuntimeMessage } from './messages.js';

export const CONFIG_FILE = 'config.json';

/**
 * Writes bundleDir/config.json atomically, so a crash never leaves half a spec for runc to read.
 * Not synced: it is read only during the run it is written for (runc, exec), every start writes
 * it again, and no run outlives a power cut.
 */
export function writeBundle(bundleDir: string, spec: OciSpec): string {
  const final = join(bundleDir, CONFIG_FILE);
  writeFileAtomic(final, `${JSON.stringify(spec, null, 2)}\n`, { mode: 0o600, mkdirMode: 0o700, durable: false });
  return final;
}

export interface RunPaths {
  pidFile: string;
  conmonPidFile: string;
  exitDir: string;
  exitFile: string;
  oomFile: string;
  socketDir: string;
}

export function runPaths(runDir: string, id: string): RunPaths {
  const exitDir = join(runDir, 'exits');
  return {
    pidFile: join(runDir, 'pidfile'),
    conmonPidFile: join(runDir, 'conmon.pid'),
    exitDir,
    exitFile: join(exitDir, id),
    oomFile: join(runDir, 'oom'),
    socketDir: join(runDir, 'attach'),
  };
}

export interface CreateOptions {
  id: string;
  name: string;
  runtime: RuntimeBinary;
  /** Passed to the runtime as --root, so two berth roots never see each other's containers. */
  runtimeRoot: string;
  bundleDir: string;
  runDir: string;
  logPath: string;
  /** Defaults to findConmon(). */
  conmonPath?: string;
  exitCommand?: { path: string; args: string[] };
  logMaxSize?: number;
  /** How long to wait for the runtime to create the container (default 60 s). */
  timeoutMs?: number;
  /** A terminal: conmon makes the console socket and holds the pty's master. */
  terminal?: boolean;
  /** Stdin kept open for attach clients (conmon -i): closed when a client half-closes. */
  stdin?: boolean;
}

/** The conmon command line, Podman-style. Exported so its shape is pinned by a unit test. */
export function conmonArgs(o: CreateOptions): string[] {
  const p = runPaths(o.runDir, o.id);
  const args = [
    '--api-version',
    '1',
    '-c',
    o.id,
    '-u',
    o.id,
    '-n',
    o.name,
    '-r',
    o.runtime.path,
    '-b',
    o.bundleDir,
    '-p',
    p.pidFile,
    '-P',
    p.conmonPidFile,
    '-l',
    `k8s-file:${o.logPath}`,
    '--exit-dir',
    p.exitDir,
    '--socket-dir-path',
    p.socketDir,
    // One argv each with '=': GOption would otherwise be free to read "--root" as a flag.
    `--runtime-arg=--root=${o.runtimeRoot}`,
    ...(o.runtime.rootless ? ['--runtime-arg=--rootless=true'] : []),
    '--log-level',
    'error',
  ];
  if (o.logMaxSize !== undefined && o.logMaxSize > 0) args.push('--log-size-max', String(o.logMaxSize));
  // As Podman: with a terminal the pty is the stdin, which a detaching client must not close,
  // so -i is for pipes only, where a client's EOF reaching the container is what `run -i` wants.
  if (o.terminal) args.push('-t');
  else if (o.stdin) args.push('-i');
  if (o.exitCommand) {
    args.push('--exit-command', o.exitCommand.path);
    for (const a of o.exitCommand.args) args.push('--exit-command-arg', a);
  }
  return args;
}

/** conmon reports on the sync pipe as `{"data": N}` or `{"data": -1, "message": "..."}`. */
export function parseSyncMessage(buf: string): { data: number; message?: string } | null {
  for (const line of buf.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v = JSON.parse(t) as { data?: unknown; message?: unknown };
      if (typeof v.data === 'number') return typeof v.message === 'string' ? { data: v.data, message: v.message } : { data: v.data };
    } catch {
      // An incomplete line; more bytes will come.
    }
  }
  return null;
}

function readPidFile(path: string): number | null {
  try {
    const n = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/**
 * Our environment minus what would leak into the container: runc hands LISTEN_FDS sockets
 * and NOTIFY_SOCKET to the container. The rest stays, so the exit command sees BERTH_ROOT.
 */
export function conmonEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || /^(LISTEN_FDS|LISTEN_PID|LISTEN_FDNAMES|NOTIFY_SOCKET|_OCI_\w+)$/.test(k)) continue;
    out[k] = v;
  }
  out._OCI_SYNCPIPE = '3';
  return out;
}

/** Guards against signalling a reused pid: the process must be a conmon for this container. */
function isConmonOf(pid: number, id: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return (argv[0] ?? '').endsWith('conmon') && argv.includes(id);
  } catch {
    return false;
  }
}

function waitForSync(sync: Readable, stderr: Readable, child: ReturnType<typeof start>, timeoutMs: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let buf = '';
    let err = '';
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      fn();
    };
    const failed = (why: string) =>
      finish(() => reject(unavailable('runtime.create_failed', `${what}: ${cleanRuntimeMessage(why) || 'conmon reported no reason'}`)));
    const timer = setTimeout(() => failed(`timed out after ${timeoutMs} ms waiting for the runtime`), timeoutMs);
    sync.setEncoding('utf8');
    stderr.setEncoding('utf8');
    stderr.on('data', (d: string) => {
      err += d;
    });
    sync.on('data', (d: string) => {
      buf += d;
      const msg = parseSyncMessage(buf);
      if (!msg) return;
      if (msg.data > 0) finish(() => resolve(msg.data));
      else failed(msg.message ?? err);
    });
    // Let conmon's stderr drain first: it holds the reason.
    sync.on('end', () => setTimeout(() => failed(err || 'conmon closed its sync pipe without a pid'), 100));
    sync.on('error', (e) => failed(e.message));
    child.on('error', (e) => failed(e.message));
    child.on('exit', (code, signal) => {
      // The first conmon process exits as soon as it has daemonised; only a failure matters.
      if (code !== 0) setTimeout(() => failed(err || `conmon exited with ${code ?? signal}`), 200);
    });
  });
}

/**
 * Creates the container under a new conmon and waits until the runtime reports it "created".
 * Resolves with the container's init pid and conmon's pid. Does not start it.
 */
export async function createContainer(o: CreateOptions): Promise<{ pid: number; conmonPid: number }> {
  const p = runPaths(o.runDir, o.id);
  mkdirSync(o.runDir, { recursive: true, mode: 0o700 });
  mkdirSync(p.exitDir, { recursive: true, mode: 0o700 });
  mkdirSync(p.socketDir, { recursive: true, mode: 0o700 });
  mkdirSync(o.runtimeRoot, { recursive: true, mode: 0o700 });
  // Leftovers of a previous run of the same container would be read as this run's outcome.
  for (const f of [p.exitFile, p.oomFile, p.pidFile, p.conmonPidFile]) rmSync(f, { force: true });

  const child = start(o.conmonPath ?? findConmon(), conmonArgs(o), {
    cwd: o.runDir,
    env: conmonEnv(process.env),
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const stderr = child.stdio[2];
  const sync = child.stdio[3] as Readable | null;
  if (!stderr || !sync) throw new Error('conmon spawned without its pipes');
  const what = `container ${o.name}: ${o.runtime.name} create`;
  try {
    const pid = await waitForSync(sync, stderr, child, o.timeoutMs ?? 60_000, what);
    const conmonPid = readPidFile(p.conmonPidFile);
    if (conmonPid === null) throw unavailable('conmon.failed', `container ${o.name}: conmon wrote no pid file at ${p.conmonPidFile}`);
    // conmon's first process exits once its daemon is forked; reap it here, or it lingers as
    // a zombie under init after berth exits. (A positive pid on the sync pipe already means
    // the runtime reported the container created: no `runc state` round trip is needed.)
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 200);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return { pid, conmonPid };
  } catch (e) {
    // A conmon still waiting on a hung runtime would outlive the caller's undo; stop it.
    const conmonPid = readPidFile(p.conmonPidFile);
    if (conmonPid !== null && isConmonOf(conmonPid, o.id)) {
      // Gone already after an ordinary create failure.
      sendSignal(conmonPid, 'SIGKILL');
    }
    throw e;
  } finally {
    // conmon lives on as a daemon holding the other ends; we keep no handle on it.
    sync.destroy();
    stderr.destroy();
    child.unref();
  }
}

function runtimeCall(rt: RuntimeBinary, root: string, args: string[], opts: { allowFail?: boolean; timeoutMs?: number } = {}) {
  return run(rt.path, [...runtimeGlobalArgs(rt, root), ...args], { allowFail: opts.allowFail ?? true, timeoutMs: opts.timeoutMs ?? 60_000 });
}

const missing = (stderr: string) => /does not exist|not exist|no such file or directory|not found/i.test(stderr);
const notRunning = (stderr: string) => /not running|container .* is stopped|process already finished/i.test(stderr);

function runtimeError(rt: RuntimeBinary, verb: string, id: string, r: { status: number; stderr: string; stdout: string }): BerthError {
  const why = cleanRuntimeMessage((r.stderr || r.stdout).trim().split('\n').slice(-3).join('\n'));
  return unavailable(`runtime.${verb}_failed`, `${rt.name} ${verb} ${id}: exit ${r.status}${why ? `: ${why}` : ''}`);
}

export function startContainer(rt: RuntimeBinary, runtimeRoot: string, id: string): void {
  const r = runtimeCall(rt, runtimeRoot, ['start', id]);
  if (r.status !== 0) throw runtimeError(rt, 'start', id, r);
}

/**
 * Sends a signal to the container's init (or every process with `all`). Returns false when
 * there was nothing to signal (not running, or unknown to the runtime): stop races exit.
 */
export function killContainer(rt: RuntimeBinary, runtimeRoot: string, id: string, signal: string | number, opts: { all?: boolean } = {}): boolean {
  const sig = normalizeSignal(signal);
  const r = runtimeCall(rt, runtimeRoot, ['kill', ...(opts.all ? ['--all'] : []), id, sig]);
  if (r.status === 0) return true;
  if (missing(r.stderr) || notRunning(r.stderr)) return false;
  throw runtimeError(rt, 'kill', id, r);
}

/** Idempotent: deleting a container the runtime does not know is success. */
export function deleteContainer(rt: RuntimeBinary, runtimeRoot: string, id: string, opts: { force?: boolean } = {}): void {
  const r = runtimeCall(rt, runtimeRoot, ['delete', ...(opts.force ? ['--force'] : []), id]);
  if (r.status === 0 || missing(r.stderr)) return;
  throw runtimeError(rt, 'delete', id, r);
}

export type RuntimeStatus = 'created' | 'running' | 'stopped' | 'paused';

export interface RuntimeState {
  status: RuntimeStatus;
  /** 0 once stopped. */
  pid: number;
}

/** What the runtime knows of the container, or null when it knows nothing. */
export function containerState(rt: RuntimeBinary, runtimeRoot: string, id: string): RuntimeState | null {
  const r = runtimeCall(rt, runtimeRoot, ['state', id]);
  if (r.status !== 0) {
    if (missing(r.stderr)) return null;
    throw runtimeError(rt, 'state', id, r);
  }
  const v = JSON.parse(r.stdout) as { status?: string; pid?: number };
  const s = v.status;
  if (s !== 'created' && s !== 'running' && s !== 'stopped' && s !== 'paused' && s !== 'creating') {
    throw new Error(`${rt.name} state ${id}: unexpected status ${String(s)}`);
  }
  return { status: s === 'creating' ? 'created' : s, pid: typeof v.pid === 'number' ? v.pid : 0 };
}

export { execArgs, execInContainer, classifyExecFailure, type ExecOptions } from './exec.js';

export interface ExitInfo {
  exitCode: number;
  oomKilled: boolean;
  finishedAt: Date;
}

/** The kernel's count of OOM kills in the container's memory cgroup (v1 oom_control or v2 memory.events). */
function cgroupOomKills(cgroupsPath: string): number {
  let kills = 0;
  for (const dir of cgroupDirsFor(cgroupsPath)) {
    for (const f of ['memory.oom_control', 'memory.events']) {
      try {
        const m = /^oom_kill (\d+)$/m.exec(readFileSync(join(dir, f), 'utf8'));
        if (m?.[1]) kills = Math.max(kills, Number(m[1]));
      } catch {
        // Not this hierarchy, or already removed.
      }
    }
  }
  return kills;
}

/**
 * How the container's init ended, from conmon's exit file; null while it has not. OOMKilled
 * is true when conmon saw an OOM event or the cgroup (if still there) counted an OOM kill,
 * whichever process the kernel chose: Docker reports it the same way.
 */
export function readExitFile(runDir: string, id: string, opts: { cgroupsPath?: string } = {}): ExitInfo | null {
  const p = runPaths(runDir, id);
  let text: string;
  let finishedAt: Date;
  try {
    text = readFileSync(p.exitFile, 'utf8').trim();
    finishedAt = statSync(p.exitFile).mtime;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  // conmon writes the file in one go, but a reader may still catch it empty.
  if (!/^-?\d+$/.test(text)) return null;
  let oomKilled = false;
  try {
    statSync(p.oomFile);
    oomKilled = true;
  } catch {
    if (opts.cgroupsPath) oomKilled = cgroupOomKills(opts.cgroupsPath) > 0;
  }
  return { exitCode: Number(text), oomKilled, finishedAt };
}
