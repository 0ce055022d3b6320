// Capability names and Docker's rules for --cap-add, --cap-drop and --privileged (moby
// oci/caps): names are accepted with or without CAP_ and in any case, ALL means every
// capability this kernel knows, and an added ALL wins over the drops only for what it adds.
import { DEFAULT_CAPABILITIES } from './spec.js';

/** Every capability of Linux 6.x, in bit order (CAP_CHOWN is bit 0). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

export const ALL = 'ALL';

/**
 * "net_admin", "CAP_NET_ADMIN" and "Net_Admin" all give "CAP_NET_ADMIN"; "all" gives "ALL";
 * anything else gives undefined, for the caller to report.
 */
export function normalizeCapability(name: string): string | undefined {
  const up = name.trim().toUpperCase();
  if (up === ALL) return ALL;
  const full = up.startsWith('CAP_') ? up : `CAP_${up}`;
  return ALL_CAPABILITIES.includes(full) ? full : undefined;
}

/**
 * The capabilities in a /proc/PID/status mask (CapBnd): --privileged and ALL grant those of our
 * own bounding set, as Docker does, since runc cannot grant one the host has taken away.
 */
export function capabilitiesInMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`);
  return ALL_CAPABILITIES.filter((_, bit) => ((mask >> BigInt(bit)) & 1n) === 1n);
}

export interface CapabilityRequest {
  /** Normalized names (CAP_… or ALL). */
  add: readonly string[];
  drop: readonly string[];
  privileged: boolean;
  /** What ALL and --privileged mean here (our bounding set); every known capability if absent. */
  available?: readonly string[];
}

/** Docker's TweakCapabilities: the set a root process gets, without duplicates, in a stable order. */
export function effectiveCapabilities(r: CapabilityRequest): string[] {
  const all = [...(r.available ?? ALL_CAPABILITIES)];
  let caps: string[];
  if (r.privileged) caps = all;
  else if (r.add.includes(ALL)) caps = all.filter((c) => !r.drop.includes(c));
  else if (r.drop.includes(ALL)) caps = r.add.filter((c) => c !== ALL);
  else caps = [...DEFAULT_CAPABILITIES.filter((c) => !r.drop.includes(c)), ...r.add];
  return [...new Set(caps)];
}

/** The kernel's bitmask of a set, as /proc/PID/status shows CapEff: 16 hex digits. */
export function capabilityMask(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = ALL_CAPABILITIES.indexOf(c);
    if (bit < 0) throw new Error(`unknown capability ${c}`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}
