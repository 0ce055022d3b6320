// Whether this host can run containers at all, for berth itself run inside a container
// (docs/nested.md). The two ways it cannot are met by every user of a berth image first, and
// without this check they surface as `ip` or `mount` failing with EPERM or EINVAL: a container
// that was not given --privileged (root without CAP_SYS_ADMIN or CAP_NET_ADMIN), and a root
// directory on the outer container's own overlayfs, which cannot be an overlay's upper layer.
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

export const OVERLAYFS_SUPER_MAGIC = 0x794c7630;
const CAP_NET_ADMIN = 12n;
const CAP_SYS_ADMIN = 21n;

export interface ContainedProbe {
  /** Defaults to process.geteuid(). */
  euid?: number;
  /** The text of /proc/self/status; read when not given. */
  status?: string;
  /** statfs(2)'s f_type of a path; statfsSync when not given. */
  fsType?: (path: string) => number;
}

export type Shortfall =
  | { kind: 'privileges'; missing: string[] }
  | { kind: 'overlay-root'; dir: string };

/** The capabilities among CAP_SYS_ADMIN and CAP_NET_ADMIN that an effective set lacks. */
export function missingAdminCaps(status: string): string[] {
  const eff = BigInt(`0x${/^CapEff:\s*([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`);
  const missing: string[] = [];
  if ((eff & (1n << CAP_SYS_ADMIN)) === 0n) missing.push('CAP_SYS_ADMIN');
  if ((eff & (1n << CAP_NET_ADMIN)) === 0n) missing.push('CAP_NET_ADMIN');
  return missing;
}

/**
 * The first reason this process cannot mount a container's rootfs and network under `root`, or
 * null; without `root`, only the privileges. Only root is judged on capabilities: an ordinary user's berth (rootless) gets its
 * privileges from a user namespace of its own and is checked there.
 */
export function containerShortfall(root: string | undefined, probe: ContainedProbe = {}): Shortfall | null {
  const euid = probe.euid ?? process.geteuid?.() ?? 0;
  if (euid === 0) {
    const missing = missingAdminCaps(probe.status ?? readFileSync('/proc/self/status', 'utf8'));
    if (missing.length > 0) return { kind: 'privileges', missing };
  }
  if (root === undefined) return null;
  // The writable layers live in containers/; the root itself when it is not made yet.
  const dir = [join(root, 'containers'), root].find((d) => existsSync(d));
  if (dir !== undefined) {
    const type = (probe.fsType ?? ((p: string) => statfsSync(p).type))(dir);
    if (type === OVERLAYFS_SUPER_MAGIC) return { kind: 'overlay-root', dir };
  }
  return null;
}
