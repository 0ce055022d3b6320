// Rootless berth's namespaces, as Podman makes them: a user namespace (the user's uid as root,
// its /etc/subuid range as 1..N, written by the setuid newuidmap/newgidmap through util-linux's
// `unshare --map-auto --map-root-user`) and a mount namespace of its own, held open by a pause
// process (catatonit -P, Podman's own). Every later berth command is a fresh process: it joins
// them with `nsenter --user --mount --preserve-credentials -t PAUSE`, so that the overlay
// mounts, conmon and runc of one command are there for the next one.
import { linkSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../common/errors.js';
import { sleepMs } from '../common/sleep.js';
import { pidAlive } from './proc.js';
import { sendSignal, signalNumber } from './signal.js';
import { start, startDetached } from './exec.js';

let cached: boolean | undefined;

/**
 * True in a user namespace that does not map the whole id space: rootless berth, inside its
 * namespaces. Host root reads "0 0 4294967295".
 */
export function inUserNamespace(): boolean {
  if (cached !== undefined) return cached;
  try {
    const first = readFileSync('/proc/self/uid_map', 'utf8').trim().split('\n')[0] ?? '';
    cached = first.trim().split(/\s+/).join(' ') !== '0 0 4294967295';
  } catch {
    cached = false;
  }
  return cached;
}

export function unprivilegedPortStart(): number {
  try {
    const n = Number.parseInt(readFileSync('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8'), 10);
    return Number.isInteger(n) ? n : 1024;
  } catch {
    return 1024;
  }
}

/** The user has a non-empty range in a /etc/subuid-style file, by name or uid. */
export function hasSubordinateIds(text: string, user: string, uid: number): boolean {
  return text.split('\n').some((line) => {
    const [who, startId, count] = line.trim().split(':');
    return (who === user || who === String(uid)) && /^\d+$/.test(startId ?? '') && Number(count) > 0;
  });
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function userName(uid: number): string {
  for (const line of readOr('/etc/passwd').split('\n')) {
    const f = line.split(':');
    if (f[2] === String(uid) && f[0]) return f[0];
  }
  return process.env.USER ?? process.env.LOGNAME ?? String(uid);
}

/** The pause process named in `pidFile`, when it is still a pause of ours. */
function livePause(pidFile: string): number | undefined {
  const pid = Number.parseInt(readOr(pidFile).trim(), 10);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return undefined;
  try {
    // A reused pid is not our pause: it must be catatonit and in a user namespace not ours.
    if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0]?.endsWith('catatonit')) return undefined;
    if (readlinkSync(`/proc/${pid}/ns/user`) === readlinkSync('/proc/self/ns/user')) return undefined;
  } catch {
    return undefined;
  }
  return pid;
}

function checkSubordinateIds(uid: number): void {
  const user = userName(uid);
  const missing = ['/etc/subuid', '/etc/subgid'].filter((f) => !hasSubordinateIds(readOr(f), user, uid));
  if (missing.length === 0) return;
  throw new BerthError('Unavailable', 'rootless.no_subids', `rootless berth needs subordinate ids for user ${user}: none in ${missing.join(' and ')}`, {
    hint: `as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${user}`,
  });
}

/**
 * The pid of the pause process holding this user's namespaces for `runDir`, started when there
 * is none. Two berths starting at once: the first to link its pid file wins, the other's pause
 * is ended and the winner's used.
 */
export function ensurePause(runDir: string, uid: number): number {
  const pidFile = join(runDir, 'pause.pid');
  const live = livePause(pidFile);
  if (live !== undefined) return live;
  checkSubordinateIds(uid);
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  const pid = startDetached('unshare', ['--user', '--mount', '--map-auto', '--map-root-user', '--', 'catatonit', '-P']);
  if (pid === null)
    throw new BerthError('Unavailable', 'rootless.pause_failed', 'cannot start the pause process (unshare, catatonit)', {
      hint: 'apt-get install util-linux uidmap catatonit',
    });
  // unshare execs catatonit once newuidmap has written the maps: only then may others join.
  const deadline = Date.now() + 10_000;
  for (;;) {
    let ready = false;
    try {
      ready = (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '').endsWith('catatonit') &&
        readFileSync(`/proc/${pid}/uid_map`, 'utf8').trim() !== '';
    } catch {
      // not yet exec'd, or gone (seen below)
    }
    if (ready) break;
    if (!pidAlive(pid)) {
      throw new BerthError('Unavailable', 'rootless.pause_failed', 'cannot make the rootless user namespace: unshare --map-auto --map-root-user failed', {
        hint: 'check /etc/subuid and /etc/subgid, and that newuidmap and newgidmap (package uidmap) are setuid root',
      });
    }
    if (Date.now() > deadline) {
      sendSignal(pid, 'SIGKILL');
      throw new BerthError('Unavailable', 'rootless.pause_failed', 'the rootless pause process did not become ready in 10 s');
    }
    sleepMs(5);
  }
  const tmp = `${pidFile}.${process.pid}`;
  writeFileSync(tmp, `${pid}\n`, { mode: 0o600 });
  try {
    linkSync(tmp, pidFile);
    return pid;
  } catch {
    const other = livePause(pidFile);
    if (other !== undefined) {
      sendSignal(pid, 'SIGKILL');
      return other;
    }
    // A stale file of a pause that is gone: ours replaces it.
    rmSync(pidFile, { force: true });
    linkSync(tmp, pidFile);
    return pid;
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Runs `cmd args` inside the pause's namespaces with our stdio, and resolves to its exit code
 * (128+N for a signal). The terminal's SIGINT reaches both of us; the child decides.
 */
export function runJoined(pause: number, cmd: string, args: readonly string[]): Promise<number> {
  // Entering a mount namespace moves to its root: --wd brings the command back to our directory,
  // where the user's relative paths (compose.yaml, -i ./image.tar) are.
  const ns = ['--user', '--mount', '--preserve-credentials', `--wd=${process.cwd()}`, '-t', String(pause)];
  const child = start('nsenter', [...ns, '--', cmd, ...args], { stdio: 'inherit' });
  const forward = (sig: NodeJS.Signals) => () => {
    if (child.pid !== undefined) sendSignal(child.pid, sig);
  };
  const handlers: [NodeJS.Signals, () => void][] = [['SIGINT', () => undefined], ['SIGTERM', forward('SIGTERM')], ['SIGHUP', forward('SIGHUP')], ['SIGQUIT',
    forward('SIGQUIT')]];
  for (const [s, h] of handlers) process.on(s, h);
  return new Promise((resolve) => {
    child.on('error', (e) => {
      process.stderr.write(`berth: nsenter: ${e.message}\n`);
      resolve(125);
    });
    child.on('exit', (code, signal) => {
      for (const [s, h] of handlers) process.off(s, h);
      resolve(code ?? 128 + (signal ? signalNumber(signal) : 9));
    });
  });
}
