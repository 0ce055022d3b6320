// `run -it`: the runtime in the foreground with the caller's terminal. conmon offers stdin and
// ttys only through a SOCK_SEQPACKET attach socket, which Node cannot open, so an interactive
// container is watched by berth itself for its lifetime (as `runc run` does), not by conmon.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { start } from '../sys/exec.js';
import { runtimeErrors, classifyExecFailure } from './exec.js';
import type { RuntimeBinary } from './select.js';

export interface ForegroundOptions {
  runtime: RuntimeBinary;
  runtimeRoot: string;
  id: string;
  bundleDir: string;
  pidFile: string;
  command: string;
  /** Called once the container's process exists, with its pid: the caller records "running". */
  onStarted: (pid: number) => void;
}

/** Runs the container to completion with inherited stdio; resolves with its exit code. */
export function runForeground(o: ForegroundOptions): Promise<number> {
  const logDir = mkdtempSync(join(tmpdir(), 'berth-run-'));
  const log = join(logDir, 'runtime.log');
  const child = start(o.runtime.path, ['--root', o.runtimeRoot, `--log=${log}`, '--log-format=json', 'run', '--bundle', o.bundleDir, '--pid-file', o.pidFile,
    o.id], { stdio: 'inherit' });
  let started = false;
  const poll = setInterval(() => {
    if (started) return;
    try {
      const pid = Number(readFileSync(o.pidFile, 'utf8'));
      if (pid > 0) {
        started = true;
        clearInterval(poll);
        o.onStarted(pid);
      }
    } catch { /* not yet */ }
  }, 5);
  return new Promise((resolve, reject) => {
    child.on('error', (e) => {
      clearInterval(poll);
      rmSync(logDir, { recursive: true, force: true });
      reject(e);
    });
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      let errs: string[] = [];
      try {
        errs = runtimeErrors(readFileSync(log, 'utf8'));
      } catch { /* no log */ }
      rmSync(logDir, { recursive: true, force: true });
      if (!started && errs.length > 0) {
        reject(classifyExecFailure(errs.join('; '), o.command));
        return;
      }
      resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
    });
  });
}
