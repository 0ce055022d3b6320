// An exec with a terminal (or an open stdin) held by conmon, as Podman runs `exec -it` for its
// API: conmon -e makes the console socket that runc exec --tty needs (the pty master comes over
// it with SCM_RIGHTS, which Node cannot receive) and serves the exec's own attach socket and ctl
// fifo in execDir. The handshake (conmon src/conmon.c): a first write on the start pipe lets it
// fork; it says on the attach pipe that its socket is ready; we connect, then a second write on
// the start pipe lets it run the runtime. The sync pipe then carries the pid, and at the end the
// exit code.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { unavailable } from '../common/errors.js';
import { writeFileAtomic } from '../sys/atomic.js';
import { start } from '../sys/exec.js';
import { connectAttach, type AttachConnection } from './attach.js';
import { conmonEnv, parseSyncMessage } from './oci.js';
import { findConmon, type RuntimeBinary } from './select.js';
import type { OciSpec } from './types.js';

export interface ConmonExecOptions {
  runtime: RuntimeBinary;
  runtimeRoot: string;
  /** The container. */
  id: string;
  name: string;
  execId: string;
  /** The container's bundle: its config.json gives the process's capabilities and limits. */
  bundleDir: string;
  /** Where conmon keeps this exec's files (removed at the end). */
  execDir: string;
  socketDir: string;
  args: string[];
  env: string[];
  cwd: string;
  user: { uid: number; gid: number; additionalGids: number[] };
  terminal: boolean;
  stdin: boolean;
}

export interface ConmonExec {
  attach: AttachConnection;
  /** The exec's exit code, once conmon has reaped it. */
  exitCode: Promise<number>;
}

/** Every message on the sync pipe, in order. */
function messages(sync: Readable, onMsg: (m: { data: number; message?: string }) => void): void {
  let buf = '';
  sync.setEncoding('utf8');
  sync.on('data', (d: string) => {
    buf += d;
    for (;;) {
      const nl = buf.indexOf('\n');
      const line = nl < 0 ? buf : buf.slice(0, nl);
      const m = parseSyncMessage(line);
      if (!m) {
        if (nl < 0) return;
        buf = buf.slice(nl + 1);
        continue;
      }
      buf = nl < 0 ? '' : buf.slice(nl + 1);
      onMsg(m);
      if (nl < 0) return;
    }
  });
}

export async function execUnderConmon(o: ConmonExecOptions): Promise<ConmonExec> {
  const spec = JSON.parse(readFileSync(join(o.bundleDir, 'config.json'), 'utf8')) as OciSpec;
  mkdirSync(join(o.execDir, 'exits'), { recursive: true, mode: 0o700 });
  const processFile = join(o.execDir, 'process.json');
  writeFileAtomic(processFile, JSON.stringify({
    ...spec.process,
    terminal: o.terminal,
    args: o.args,
    env: o.env,
    cwd: o.cwd,
    user: { uid: o.user.uid, gid: o.user.gid, ...(o.user.additionalGids.length > 0 ? { additionalGids: o.user.additionalGids } : {}) },
  }), { mode: 0o600 });
  const args = ['--api-version', '1', '-c', o.id, '-u', o.execId, '-n', o.name, '-r', o.runtime.path, '-b', o.execDir, '-p', join(o.execDir, 'pid'), '-l',
    `k8s-file:${join(o.execDir, 'log')}`, '--exit-dir', join(o.execDir, 'exits'), '--socket-dir-path', o.socketDir, `--runtime-arg=--root=${o.runtimeRoot}`,
    ...(o.runtime.rootless ? ['--runtime-arg=--rootless=true'] : []), '--log-level', 'error', '-e', '--exec-process-spec', processFile, '--exec-attach',
    ...(o.terminal ? ['-t'] : o.stdin ? ['-i'] : [])];
  const env = { ...conmonEnv(process.env), _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' };
  const child = start(findConmon(), args, { cwd: o.execDir, env, stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe', 'pipe'], detached: true });
  const pipes = child.stdio as unknown as (Readable | Writable)[];
  const stderr = pipes[2] as Readable;
  const sync = pipes[3] as Readable;
  const startPipe = pipes[4] as Writable;
  const attachPipe = pipes[5] as Readable;
  let err = '';
  stderr.setEncoding('utf8');
  stderr.on('data', (d: string) => {
    err += d;
  });
  const fail = (why: string) => unavailable('exec.conmon_failed', `exec in ${o.name}: ${why || err.trim() || 'conmon gave no reason'}`);
  const cleanup = () => {
    rmSync(o.execDir, { recursive: true, force: true });
    // conmon's link to execDir (named by the exec id) outlives an exec's conmon.
    rmSync(join(o.socketDir, o.execId), { force: true });
  };
  let pidSeen = false;
  let resolveExit!: (n: number) => void;
  const exitCode = new Promise<number>((r) => {
    resolveExit = r;
  });
  const started = new Promise<void>((resolve, reject) => {
    messages(sync, (m) => {
      if (!pidSeen) {
        if (m.data > 0) {
          pidSeen = true;
          resolve();
        } else reject(fail(m.message ?? ''));
        return;
      }
      resolveExit(m.data);
    });
    sync.on('end', () => {
      if (!pidSeen) reject(fail(''));
      else resolveExit(exitFromFile(o.execDir, o.execId));
    });
    child.on('error', (e) => reject(fail(e.message)));
  });
  const attachReady = new Promise<void>((resolve, reject) => {
    attachPipe.once('data', () => resolve());
    attachPipe.once('end', () => reject(fail('')));
  });
  let attach: AttachConnection | undefined;
  try {
    startPipe.write('0');
    await attachReady;
    attach = await connectAttach(o.execDir);
    startPipe.write('0');
    await started;
  } catch (e) {
    attach?.close();
    child.kill('SIGKILL');
    cleanup();
    throw e;
  } finally {
    startPipe.destroy();
    attachPipe.destroy();
    stderr.destroy();
    child.unref();
  }
  void exitCode.then(() => {
    sync.destroy();
    cleanup();
  });
  return { attach, exitCode };
}

function exitFromFile(execDir: string, execId: string): number {
  try {
    const n = Number(readFileSync(join(execDir, 'exits', execId), 'utf8').trim());
    return Number.isInteger(n) ? n : 255;
  } catch {
    return 255;
  }
}
