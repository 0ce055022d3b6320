// --init, --ulimit, --device and --mount: checked against the host at create (so a missing
// device or a limit above ours is one line and exit 125 with nothing made), and turned into the
// runtime's inputs at each start (a device's numbers are read again: a node may be remade).
import { statSync } from 'node:fs';
import { invalid } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { BindMount, OciDevice, OciRlimit, TmpfsMount } from '../runtime/types.js';
import { deviceNode } from '../sys/devices.js';
import type { ContainerSpec, CreateRequest, DeviceMapping, InitSpec, MountSpec, Ulimit } from './types.js';

/** Debian's tini package; the static build, because the image may have no libc. */
export const DEFAULT_INIT = '/usr/bin/tini-static';
/** Where Docker puts its init; Podman's is /run/podman-init. */
export const INIT_IN_CONTAINER = '/sbin/docker-init';

function initSpec(init: CreateRequest['init']): InitSpec | undefined {
  if (init === undefined || init === false) return undefined;
  const path = typeof init === 'string' ? init : DEFAULT_INIT;
  let file = false;
  try {
    file = statSync(path).isFile();
  } catch {
    // reported below
  }
  if (!file) {
    throw invalid('init.not_found', `--init: no init binary at ${path}`,
      typeof init === 'string' ? 'give --init-path the path of a static init such as tini-static' : "install Debian's tini package (apt-get install tini)");
  }
  return { path };
}

const showLimit = (n: number) => (n === -1 || n === Infinity ? 'unlimited' : String(n));

/** The last value of a name wins, as in Docker; none may go above our own hard limits. */
function ulimitList(list: readonly Ulimit[] | undefined, caps: Record<string, number>): Ulimit[] | undefined {
  if (!list || list.length === 0) return undefined;
  const byName = new Map<string, Ulimit>();
  for (const u of list) byName.set(u.name, { ...u });
  for (const u of byName.values()) {
    const cap = caps[u.name] ?? Infinity;
    const hard = u.hard === -1 ? Infinity : u.hard;
    if (hard > cap) {
      throw invalid('ulimit.above_hard',
        `--ulimit ${u.name}=${showLimit(u.soft)}:${showLimit(u.hard)}: the hard limit is above berth's own (${showLimit(cap)})`,
        'raising a hard limit needs CAP_SYS_RESOURCE, which berth does not have here: give a value up to that limit');
    }
  }
  return [...byName.values()];
}

function deviceList(list: readonly DeviceMapping[] | undefined): DeviceMapping[] | undefined {
  if (!list || list.length === 0) return undefined;
  for (const d of list) {
    if (deviceNode(d.pathOnHost) === undefined) {
      throw invalid('device.not_found', `error gathering device information while adding custom device "${d.pathOnHost}": not a device node`,
        'give the path of a character or block device, e.g. /dev/fuse');
    }
  }
  return list.map((d) => ({ ...d }));
}

/** Bind sources must exist; a volume without a source gets a name of its own (Docker's anonymous volume). */
function mountList(list: readonly MountSpec[] | undefined): MountSpec[] | undefined {
  if (!list || list.length === 0) return undefined;
  return list.map((m) => {
    if (m.type === 'bind') {
      try {
        statSync(m.source ?? '');
      } catch {
        throw invalid('mount.source_missing', `invalid mount config for type "bind": bind source path does not exist: ${m.source ?? ''}`);
      }
    }
    if (m.type === 'volume' && m.source === undefined) return { ...m, source: newId() };
    return { ...m };
  });
}

const norm = (p: string) => p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');

/** Spread into a new ContainerSpec: only what was asked for, so records stay as they were. */
export function withHostOptions(req: CreateRequest, caps: Record<string, number>, taken: readonly string[]): Partial<ContainerSpec> {
  const out: Partial<ContainerSpec> = {};
  const init = initSpec(req.init);
  if (init) out.init = init;
  const ulimits = ulimitList(req.ulimits, caps);
  if (ulimits) out.ulimits = ulimits;
  const devices = deviceList(req.devices);
  if (devices) out.devices = devices;
  const mounts = mountList(req.mounts);
  if (mounts) {
    const seen = new Set(taken.map(norm));
    for (const m of mounts) {
      const d = norm(m.target);
      if (seen.has(d)) throw invalid('mount.duplicate', `duplicate mount point: ${d}`, 'give each --mount, --volume and --tmpfs its own target');
      seen.add(d);
    }
    out.mounts = mounts;
  }
  return out;
}

export interface StartHostOptions {
  args: string[];
  binds: BindMount[];
  tmpfs: TmpfsMount[];
  rlimits: OciRlimit[];
  devices: { device: OciDevice; access: string }[];
}

const RLIMIT_MAX = Number.MAX_SAFE_INTEGER;

/** The runtime's inputs of one start; `volumeDir` maps a volume's name to its directory. */
export function hostOptionsAtStart(spec: ContainerSpec, volumeDir: (name: string) => string): StartHostOptions {
  const binds: BindMount[] = [];
  const tmpfs: TmpfsMount[] = [];
  for (const m of spec.mounts ?? []) {
    if (m.type === 'tmpfs') {
      const options = [m.readonly ? 'ro' : 'rw'];
      if (m.tmpfsSize !== undefined) options.push(`size=${m.tmpfsSize}`);
      if (m.tmpfsMode !== undefined) options.push(`mode=${m.tmpfsMode.toString(8)}`);
      tmpfs.push({ destination: m.target, options });
    } else {
      const source = m.type === 'volume' ? volumeDir(m.source!) : m.source!;
      binds.push({ source, destination: m.target, readonly: m.readonly, ...(m.bindPropagation ? { propagation: m.bindPropagation } : {}) });
    }
  }
  let args = spec.args;
  if (spec.init) {
    binds.push({ source: spec.init.path, destination: INIT_IN_CONTAINER, readonly: true });
    // `--` ends tini's own options, so the command's flags are not taken for tini's.
    args = [INIT_IN_CONTAINER, '--', ...spec.args];
  }
  const rlimits = (spec.ulimits ?? []).map((u) => {
    const hard = u.hard === -1 ? RLIMIT_MAX : u.hard;
    return { type: `RLIMIT_${u.name.toUpperCase()}`, soft: u.soft === -1 ? hard : u.soft, hard };
  });
  const devices = (spec.devices ?? []).map((d) => {
    const n = deviceNode(d.pathOnHost);
    if (n === undefined)
      throw invalid('device.not_found', `error gathering device information while adding custom device "${d.pathOnHost}": not a device node`);
    return { device: { path: d.pathInContainer, type: n.type, major: n.major, minor: n.minor, fileMode: n.fileMode, uid: n.uid, gid: n.gid },
      access: d.permissions };
  });
  return { args, binds, tmpfs, rlimits, devices };
}

/** Targets volumes and tmpfs mounts of the request already take (for the duplicate check). */
export function takenTargets(req: CreateRequest): string[] {
  return [...req.volumes.map((v) => v.destination), ...(req.security?.tmpfs ?? []).map((t) => t.destination)];
}
