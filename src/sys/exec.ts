// The one door to other programs. Arguments are always an array (never a shell line), and a
// failure carries the program's stderr so the user sees why iproute2, nft or runc refused.
import type { SpawnOptions } from 'node:child_process';
import { createRequire } from 'node:module';
import { BerthError } from '../common/errors.js';

// child_process costs milliseconds to load; `ps` and `rm` of a stopped container never spawn.
const require = createRequire(import.meta.url);
let cp: typeof import('node:child_process') | undefined;
const childProcess = () => (cp ??= require('node:child_process') as typeof import('node:child_process'));

export interface RunOptions {
  input?: string | Buffer;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Do not throw on a non-zero exit; the caller inspects `status`. */
  allowFail?: boolean;
  timeoutMs?: number;
}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class ExecError extends BerthError {
  readonly result: RunResult;
  constructor(cmd: string, args: readonly string[], result: RunResult) {
    const why = (result.stderr || result.stdout).trim().split('\n').slice(-3).join('; ');
    super('Unavailable', 'exec.failed', `${cmd} ${args.join(' ')}: exit ${result.status}${why ? `: ${why}` : ''}`);
    this.result = result;
  }
}

/** Runs a program to completion and returns its output; throws ExecError on failure. */
export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const r = childProcess().spawnSync(cmd, args, {
    input: opts.input,
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: opts.timeoutMs,
  });
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new BerthError('Unavailable', 'exec.not_found', `${cmd}: program not found`, { hint: "run `make build` to install berth's dependencies" });
    }
    throw new BerthError('Unavailable', 'exec.failed', `${cmd}: ${r.error.message}`);
  }
  const result: RunResult = { status: r.status ?? 128 + 9, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (result.status !== 0 && !opts.allowFail) throw new ExecError(cmd, args, result);
  return result;
}

/**
 * run, without blocking: the program goes on while berth does other work (or runs other
 * programs), and the promise settles as run would return or throw. No timeout, no env or cwd.
 */
export function runAsync(cmd: string, args: readonly string[], opts: { input?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = childProcess().spawn(cmd, args, { stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'ENOENT'
        ? new BerthError('Unavailable', 'exec.not_found', `${cmd}: program not found`, { hint: "run `make build` to install berth's dependencies" })
        : new BerthError('Unavailable', 'exec.failed', `${cmd}: ${e.message}`)));
    child.on('close', (code) => {
      const result: RunResult = { status: code ?? 128 + 9, stdout, stderr };
      if (result.status !== 0) reject(new ExecError(cmd, args, result));
      else resolve(result);
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Starts a program without waiting; for conmon, exec -it and log followers. */
export function start(cmd: string, args: readonly string[], opts: SpawnOptions) {
  return childProcess().spawn(cmd, args, opts);
}

/**
 * Starts a program in a session of its own, stdio closed, not waited for: it outlives us (a
 * container's health runner). Its pid, or null when it could not be started.
 */
export function startDetached(cmd: string, args: readonly string[]): number | null {
  try {
    const child = childProcess().spawn(cmd, args, { detached: true, stdio: 'ignore' });
    child.on('error', () => undefined);
    child.unref();
    return child.pid ?? null;
  } catch {
    return null;
  }
}
