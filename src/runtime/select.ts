// Which OCI runtime and which conmon to run. crun starts faster, but crun 1.8 refuses hybrid
// cgroup hosts outright ("cgroups in hybrid mode not supported"), so there runc is the choice.
import { accessSync, constants, statSync } from 'node:fs';
import { join } from 'node:path';
import { unavailable } from '../common/errors.js';
import { cgroupMode, type CgroupMode } from '../sys/cgroups.js';
import { inUserNamespace } from '../sys/rootless.js';

export type RuntimeName = 'runc' | 'crun';

export interface RuntimeBinary {
  name: RuntimeName;
  path: string;
  /**
   * Rootless berth: runc is told so (--rootless=true: its rootless cgroup manager, which leaves
   * the container in its caller's cgroups). runc would guess the same from the user namespace;
   * saying it keeps that from depending on the guess. crun has no such flag and needs none.
   */
  rootless?: true;
}

/** The runtime's global flags, before its verb. */
export function runtimeGlobalArgs(rt: RuntimeBinary, root: string): string[] {
  return rt.rootless ? ['--root', root, '--rootless=true'] : ['--root', root];
}

export interface LookupOptions {
  /** Defaults to $PATH plus the sbin and libexec dirs distributions install into. */
  searchPath?: string[];
  /** Defaults to the host's; tests pin it. */
  mode?: CgroupMode;
}

const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

function searchDirs(opts: LookupOptions): string[] {
  if (opts.searchPath) return opts.searchPath;
  const fromEnv = (process.env.PATH ?? '').split(':').filter((d) => d.startsWith('/'));
  return [...new Set([...fromEnv, ...EXTRA_DIRS])];
}

function isExecutable(p: string): boolean {
  try {
    if (!statSync(p).isFile()) return false;
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function withRootless(rt: RuntimeBinary): RuntimeBinary {
  return rt.name === 'runc' && inUserNamespace() ? { ...rt, rootless: true } : rt;
}

export function findProgram(name: string, dirs: string[]): string | null {
  for (const d of dirs) {
    const p = join(d, name);
    if (isExecutable(p)) return p;
  }
  return null;
}

/** crun where the host allows it, runc otherwise; an explicit request is honoured or refused. */
export function chooseRuntime(requested?: RuntimeName, opts: LookupOptions = {}): RuntimeBinary {
  const dirs = searchDirs(opts);
  const mode = opts.mode ?? cgroupMode();
  const crunWorks = mode !== 'hybrid';
  if (requested !== undefined) {
    const path = findProgram(requested, dirs);
    if (!path)
      throw unavailable('runtime.not_found', `OCI runtime ${requested} not found in ${dirs.join(':')}`,
        `install it (apt-get install ${requested}) or choose the other runtime with --runtime`);
    if (requested === 'crun' && !crunWorks) {
      throw unavailable('runtime.unsupported', `OCI runtime crun does not support this host's hybrid cgroup layout`,
        'use --runtime runc, or boot with cgroup v2 only (systemd.unified_cgroup_hierarchy=1)');
    }
    return withRootless({ name: requested, path });
  }
  const order: RuntimeName[] = crunWorks && mode === 'v2' ? ['crun', 'runc'] : crunWorks ? ['runc', 'crun'] : ['runc'];
  for (const name of order) {
    const path = findProgram(name, dirs);
    if (path) return withRootless({ name, path });
  }
  throw unavailable('runtime.not_found', `no usable OCI runtime (${order.join(' or ')}) found in ${dirs.join(':')}`,
    'install runc (apt-get install runc), or run `make build`');
}

const CONMON_DIRS = ['/usr/libexec/podman', '/usr/local/libexec/podman', '/usr/lib/podman', '/usr/local/lib/podman'];

export function findConmon(opts: Pick<LookupOptions, 'searchPath'> = {}): string {
  const dirs = opts.searchPath ?? [...CONMON_DIRS, ...searchDirs({})];
  const path = findProgram('conmon', dirs);
  if (!path) throw unavailable('conmon.not_found', `conmon not found in ${dirs.join(':')}`, 'run `make build` (it installs conmon), or apt-get install conmon');
  return path;
}
