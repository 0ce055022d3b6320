// `exec`: a new process in a running container, run by the runtime directly (no conmon), with
// our stdio, so its exit code is ours. The runtime's own complaints go to a log file rather
// than our stderr, so "command not found" can become Docker's 127 instead of a runtime trace.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BerthError } from '../common/errors.js';
import { start } from '../sys/exec.js';
import { signalNumber } from '../sys/signal.js';
import type { RuntimeBinary } from './select.js';

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
  /** Kill the runtime's exec (and so end the wait) after this long; resolves with 124 then, as timeout(1) does. */
  timeoutMs?: number;
}

export function execArgs(o: ExecOptions, stdinIsTty: boolean, logFile?: string): string[] {
  const a = ['--root', o.runtimeRoot];
  if (logFile) a.push(`--log=${logFile}`, '--log-format=json');
  a.push('exec');
  if (o.tty && stdinIsTty) a.push('--tty');
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
  const tty = Boolean(o.tty && process.stdin.isTTY);
  const logDir = mkdtempSync(join(tmpdir(), 'berth-exec-'));
  const logFile = join(logDir, 'runtime.log');
  const cleanup = () => rmSync(logDir, { recursive: true, force: true });
  const out = o.quiet ? 'ignore' : 'inherit';
  const child = start(o.runtime.path, execArgs(o, tty, logFile), { stdio: [o.interactive || tty ? 'inherit' : 'ignore', out, out] });
  let timedOut = false;
  const timer = o.timeoutMs === undefined ? undefined : setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, o.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on('exit', () => clearTimeout(timer));
    child.on('error', (e) => {
      cleanup();
      reject(new BerthError('Unavailable', 'runtime.exec_failed', `${o.runtime.name} exec ${o.id}: ${e.message}`, { exitCode: 126 }));
    });
    child.on('exit', (code, signal) => {
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
      if (code !== 0 && errors.length > 0) {
        reject(classifyExecFailure(errors.join('; '), o.args[0] ?? ''));
        return;
      }
      if (code !== null) resolve(code);
      else resolve(128 + (signal ? signalNumber(signal) : 0));
    });
  });
}
