// Where the containers-common profile (Podman's) is looser than Docker's, and what Docker does
// instead. Podman lets a container without CAP_SYS_ADMIN call unshare and clone with namespace
// flags, so `unshare -Urm` gives it a user namespace with every capability, where mount then
// works on what the kernel lets such namespaces mount. Docker stops that in the filter, and so do we.
import type { OciSeccomp, OciSeccompSyscall } from './types.js';

const EPERM = 1;
const ENOSYS = 38;

/** CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET */
export const CLONE_NAMESPACE_FLAGS = 0x7e020000;

const CLONE_FLAG_BITS = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

/** New namespaces and mounts, old and new mount API: allowed only with CAP_SYS_ADMIN. */
export const SYS_ADMIN_CALLS: readonly string[] = [
  'unshare',
  'setns',
  'mount',
  'umount',
  'umount2',
  'mount_setattr',
  'move_mount',
  'open_tree',
  'fsopen',
  'fsconfig',
  'fsmount',
  'fspick',
];

/** The kernel keyring is not namespaced: Docker never lets a container at it. */
export const KEYRING_CALLS: readonly string[] = ['keyctl', 'add_key', 'request_key'];

function blockedCalls(caps: ReadonlySet<string>): Set<string> {
  const blocked = new Set(KEYRING_CALLS);
  if (!caps.has('CAP_SYS_ADMIN')) { for (const c of [...SYS_ADMIN_CALLS, 'clone', 'clone3']) blocked.add(c); }
  if (!caps.has('CAP_SYS_BOOT')) blocked.add('reboot');
  return blocked;
}

/**
 * Pure: the resolved filter with Docker's rules laid over it. Blocked calls get EPERM, as under
 * Docker; clone stays allowed without namespace flags (threads and fork need it), and clone3,
 * whose flags sit in memory the filter cannot read, gets ENOSYS so that libc falls back to clone.
 */
export function restrictAsDocker(s: OciSeccomp, capabilities: readonly string[]): OciSeccomp {
  const caps = new Set(capabilities);
  const blocked = blockedCalls(caps);
  const syscalls: OciSeccompSyscall[] = [];
  for (const sc of s.syscalls) {
    if (sc.action !== 'SCMP_ACT_ALLOW') {
      syscalls.push(sc);
      continue;
    }
    const names = sc.names.filter((n) => !blocked.has(n));
    if (names.length > 0) syscalls.push({ ...sc, names });
  }
  const denied = [...blocked].filter((n) => n !== 'clone' && n !== 'clone3');
  syscalls.push({ names: denied, action: 'SCMP_ACT_ERRNO', errnoRet: EPERM });
  if (blocked.has('clone')) {
    syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: CLONE_NAMESPACE_FLAGS, valueTwo: 0, op: 'SCMP_CMP_MASKED_EQ' }] });
    // Each namespace flag its own rule (a filter compares one masked value at a time), so that
    // clone with one says EPERM, as Docker's default action does, not the profile's ENOSYS.
    for (const flag of CLONE_FLAG_BITS) {
      syscalls.push({ names: ['clone'], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM,
        args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }] });
    }
    syscalls.push({ names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS });
  }
  return { ...s, syscalls };
}
