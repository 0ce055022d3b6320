// `exec`: a new process in a running container, run by the runtime directly (no conmon), with
// our stdio, so its exit code is ours. The runtime's own complaints go to a log file rather
// than our stderr, so "command not found" can become Docker's 127 instead of a runtime trace.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../common/errors.js';
import { start } from '../sys/exec.js';
import { signalNumber } from '../sys/signal.js';
import { runtimeGlobalArgs, type RuntimeBinary } from './select.js';

export interface ExecOptions {
  runtime: RuntimeBinary;
  runtimeRoot: string;
  id: string;
  args: string[];
  /** Added to the container's environment (the runtime starts from the container's own). */
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  /** A pseudo-terminal; honoured only when our stdin is a TTY (runc allocates and proxies it). */
  tty?: boolean;
  /** Pass our stdin through (`-i`); without it the process reads /dev/null. */
  interactive?: boolean;
  /** Discard the process's output (a healthcheck probe). */
  quiet?: boolean;
  /** `exec -d`: the runtime starts the process and returns at once; its output is discarded. */
  detach?: boolean;
  /** Kill the runtime's exec (and so end the wait) after this long; resolves with 124 then, as timeout(1) does. */
  timeoutMs?: number;
  /** The process's output, handed over as it comes (the API's exec) instead of our stdout and stderr. */
  output?: { stdout(b: Buffer): void; stderr(b: Buffer): void };
  /** The process's stdin from a stream (the API's exec with AttachStdin); its end closes it. */
  input?: NodeJS.ReadableStream;
}

export function execArgs(o: ExecOptions, stdinIsTty: boolean, logFile?: string): string[] {
  const a = runtimeGlobalArgs(o.runtime, o.runtimeRoot);
  if (logFile) a.push(`--log=${logFile}`, '--log-format=json');
  a.push('exec');
  if (o.detach) a.push('--detach');
  else if (o.tty && stdinIsTty) a.push('--tty');
  for (const e of o.env ?? []) a.push('--env', e);
  if (o.cwd) a.push('--cwd', o.cwd);
  if (o.user) {
    a.push('--user', `${o.user.uid}:${o.user.gid}`);
    for (const g of o.user.additionalGids ?? []) a.push('--additional-gids', String(g));
  }
  a.push(o.id, ...o.args);
  return a;
}

/** The runtime's error lines from its JSON log; empty when it had nothing to complain about. */
export function runtimeErrors(log: string): string[] {
  const out: string[] = [];
  for (const line of log.split('\n')) {
    try {
      const v = JSON.parse(line) as { level?: unknown; msg?: unknown };
      if ((v.level === 'error' || v.level === 'fatal') && typeof v.msg === 'string') out.push(v.msg);
    } catch {
      // Not JSON: a partial line or another format; ignore.
    }
  }
  return out;
}

/** Docker's codes for a process that could not be started: 127 not found, 126 otherwise. */
export function classifyExecFailure(msg: string, cmd: string): BerthError {
  if (/executable file not found|no such file or directory/i.test(msg)) {
    return new BerthError('InvalidArgument', 'exec.command_not_found', `${cmd}: command not found in container (${msg})`, { exitCode: 127 });
  }
  if (/permission denied|exec format error|is a directory/i.test(msg)) {
    return new BerthError('InvalidArgument', 'exec.command_not_executable', `${cmd}: cannot execute (${msg})`, { exitCode: 126 });
  }
  if (/not running|stopped|does not exist/i.test(msg)) {
    return new BerthError('Conflict', 'exec.not_running', `cannot exec: ${msg}`, { exitCode: 126 });
  }
  return new BerthError('Unavailable', 'runtime.exec_failed', `OCI runtime exec failed: ${msg}`, { exitCode: 126 });
}

/**
 * Runs a process in a running container with our stdio. Resolves with its exit code (128+N
 * when killed by signal N); rejects with a BerthError carrying 126/127 when the runtime could
 * not start it.
 */
export function execInContainer(o: ExecOptions): Promise<number> {
  if (o.detach) o = { ...o, quiet: true, interactive: false, tty: false };
  const tty = Boolean(o.tty && process.stdin.isTTY);
  const logDir = mkdtempSync(join(tmpdir(), 'berth-exec-'));
  const logFile = join(logDir, 'runtime.log');
  const cleanup = () => rmSync(logDir, { recursive: true, force: true });
  const out = o.output ? 'pipe' : o.quiet ? 'ignore' : 'inherit';
  // stderr through us: the runtime prints its own failure there too, before our one line.
  const child = start(o.runtime.path, execArgs(o, tty, logFile), {
    // quiet for a detached one too: it would hold a pipe of ours open for its whole life.
    stdio: [o.input ? 'pipe' : o.interactive || tty ? 'inherit' : 'ignore', out, o.output ? 'pipe' : o.quiet ? 'ignore' : 'pipe'],
  });
  if (o.input && child.stdin) {
    const sin = child.stdin;
    // A process that exits without reading all of it closes the pipe: not our error.
    sin.on('error', () => {});
    o.input.on('data', (d: Buffer) => sin.write(d));
    o.input.on('end', () => sin.end());
    child.on('exit', () => sin.destroy());
  }
  const sink = o.output;
  if (sink) child.stdout?.on('data', (b: Buffer) => sink.stdout(b));
  const errFilter = o.quiet ? undefined : new RuntimeLineFilter((t) => {
    if (o.output) o.output.stderr(Buffer.from(t));
    else process.stderr.write(t);
  });
  child.stderr?.on('data', (d: Buffer) => errFilter?.push(d.toString('utf8')));
  const stderrDone = new Promise<void>((res) => {
    if (!child.stderr) {
      res();
      return;
    }
    child.stderr.on('end', () => res());
    // A process left running in the background keeps the pipe open: do not wait for it.
    child.on('exit', () => setTimeout(res, 200).unref());
  });
  let timedOut = false;
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, o.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('exit', () => clearTimeout(timer));
    child.on('error', (e) => {
      cleanup();
      reject(new BerthError('Unavailable', 'runtime.exec_failed', `${o.runtime.name} exec ${o.id}: ${e.message}`, { exitCode: 126 }));
    });
    // With piped output, 'close': the last of it is read only after the process has exited.
    child.on(o.output ? 'close' : 'exit', (code: number | null, signal: NodeJS.Signals | null) =>
      void stderrDone.then(() => {
        let errors: string[] = [];
        try {
          errors = runtimeErrors(readFileSync(logFile, 'utf8'));
        } catch {
          // No log: the runtime had nothing to say.
        } finally {
          cleanup();
        }
        if (timedOut) {
          resolve(124);
          return;
        }
        const failed = code !== 0 && errors.length > 0;
        errFilter?.end(!failed);
        if (failed) {
          reject(classifyExecFailure(errors.join('; '), o.args[0] ?? ''));
          return;
        }
        if (code !== null) resolve(code);
        else resolve(128 + (signal ? signalNumber(signal) : 0));
      }));
  });
}

// How runc and crun word a failure on their stderr (runc 1.1: "exec failed: unable to start …").
const RUNTIME_LINE = /^(exec failed: |OCI runtime |runc: |crun: |(?:time="[^"]*" )?level=(?:error|fatal) |ERRO\[)/;

/**
 * Passes the exec's stderr through as it comes, holding back only lines worded as the
 * runtime's own complaints: dropped when the runtime failed (berth says it in one line),
 * written after all when it did not (they were the process's own).
 */
export class RuntimeLineFilter {
  private partial = '';
  private held: string[] = [];
  private midLine = false;
  constructor(private readonly write: (text: string) => void) {}

  push(text: string): void {
    let buf = this.partial + text;
    this.partial = '';
    let pass = '';
    if (this.midLine) {
      // The rest of a line already begun is the process's own.
      const i = buf.indexOf('\n');
      if (i < 0) {
        this.write(buf);
        return;
      }
      pass += buf.slice(0, i + 1);
      buf = buf.slice(i + 1);
      this.midLine = false;
    }
    const lines = buf.split('\n');
    const last = lines.pop()!;
    for (const l of lines) {
      if (RUNTIME_LINE.test(l)) this.held.push(`${l}\n`);
      else pass += `${l}\n`;
    }
    // A partial line is written at once unless it may yet become a runtime line.
    if (last !== '') {
      if (mayBeRuntime(last)) this.partial = last;
      else {
        pass += last;
        this.midLine = true;
      }
    }
    if (pass !== '') this.write(pass);
  }

  /** The stream ended; `keep`: the held lines were the process's, write them. */
  end(keep: boolean): void {
    if (keep) {
      const rest = this.held.join('') + this.partial;
      if (rest !== '') this.write(rest);
    }
    this.held = [];
    this.partial = '';
  }
}

const PROBES = ['exec failed: ', 'OCI runtime ', 'runc: ', 'crun: ', 'time="', 'level=', 'ERRO['];
const mayBeRuntime = (partial: string) => RUNTIME_LINE.test(partial) || PROBES.some((p) => p.startsWith(partial) || partial.startsWith(p));
