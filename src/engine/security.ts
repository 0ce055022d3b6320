// A container's security settings: checked and normalized at create (so a bad name or profile
// is one line and exit 125 with nothing made), turned into the runtime's inputs at start.
import { readFileSync } from 'node:fs';
import { invalid } from '../common/errors.js';
import { ALL, capabilitiesInMask, effectiveCapabilities, normalizeCapability } from '../runtime/caps.js';
import { loadDefaultSeccomp, parseSeccompProfile, resolveUserSeccomp } from '../runtime/seccomp.js';
import type { OciSeccomp, SecurityInput, TmpfsMount } from '../runtime/types.js';
import { hostDevices } from '../sys/devices.js';
import { resolveGroups } from './user.js';
import type { CreateRequest, SecurityRequest, SecuritySpec } from './types.js';

function capList(names: readonly string[] | undefined, flag: string): string[] {
  return (names ?? []).map((n) => {
    const c = normalizeCapability(n);
    if (c === undefined)
      throw invalid('capability.unknown', `invalid ${flag} "${n}": unknown capability`, 'names are as in capabilities(7), with or without CAP_, or ALL');
    return c;
  });
}

/** The record's `security`, or undefined when the request asks for nothing but the defaults. */
export function securitySpec(req: SecurityRequest | undefined): SecuritySpec | undefined {
  if (req === undefined) return undefined;
  const spec: SecuritySpec = {
    capAdd: capList(req.capAdd, '--cap-add'),
    capDrop: capList(req.capDrop, '--cap-drop'),
    privileged: req.privileged === true,
    noNewPrivileges: req.noNewPrivileges === true,
    seccomp: 'default',
    groupAdd: [...(req.groupAdd ?? [])],
    tmpfs: (req.tmpfs ?? []).map((t) => {
      if (!t.destination.startsWith('/') || t.destination.replace(/\/+$/, '') === '') {
        throw invalid('tmpfs.bad', `invalid --tmpfs "${t.destination}": the destination must be an absolute path other than /`);
      }
      return { destination: t.destination, options: [...t.options] };
    }),
  };
  if (req.seccomp === 'unconfined') spec.seccomp = 'unconfined';
  else if (req.seccomp !== undefined) spec.seccomp = { source: req.seccomp.source, profile: parseSeccompProfile(req.seccomp.text, req.seccomp.source) };
  const empty = spec.capAdd.length + spec.capDrop.length + spec.groupAdd.length + spec.tmpfs.length === 0;
  return empty && !spec.privileged && !spec.noNewPrivileges && spec.seccomp === 'default' ? undefined : spec;
}

/**
 * Spread into a new ContainerSpec: nothing when the defaults are asked for, so records stay as
 * they were. A tmpfs where a volume goes is refused, as Docker refuses a duplicate mount point.
 */
export function withSecurity(req: Pick<CreateRequest, 'security' | 'volumes'>): { security?: SecuritySpec } {
  const s = securitySpec(req.security);
  if (s === undefined) return {};
  const norm = (p: string) => p.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  const taken = new Set(req.volumes.map((v) => norm(v.destination)));
  for (const t of s.tmpfs) {
    const d = norm(t.destination);
    if (taken.has(d)) throw invalid('mount.duplicate', `duplicate mount point: ${d}`, 'give each of --tmpfs and --volume its own destination');
    taken.add(d);
  }
  return { security: s };
}

/** Our own bounding set, which runc inherits: --privileged and ALL can grant no more. */
function boundingSet(): string[] | undefined {
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? capabilitiesInMask(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

export interface StartSecurity {
  /** Added to the user's groups from the image's /etc/group. */
  additionalGids: number[];
  /** Spread into buildSpec's input. */
  spec: { security: SecurityInput; seccomp: OciSeccomp | null; tmpfs: TmpfsMount[] };
}

/** The runtime's inputs for one start; `rootfs` is the mounted root, for --group-add names. */
export function securityAtStart(sec: SecuritySpec | undefined, rootfs: string): StartSecurity {
  const s = sec ?? { capAdd: [], capDrop: [], privileged: false, noNewPrivileges: false, seccomp: 'default', groupAdd: [], tmpfs: [] };
  const needAll = s.privileged || s.capAdd.includes(ALL);
  const available = needAll ? boundingSet() : undefined;
  const capabilities = effectiveCapabilities({ add: s.capAdd, drop: s.capDrop, privileged: s.privileged, ...(available ? { available } : {}) });
  let seccomp: OciSeccomp | null;
  // Docker: --privileged runs without a filter, whatever --security-opt says.
  if (s.privileged || s.seccomp === 'unconfined') seccomp = null;
  else if (s.seccomp === 'default') seccomp = loadDefaultSeccomp({ capabilities });
  else seccomp = resolveUserSeccomp(s.seccomp.profile, capabilities);
  const security: SecurityInput = { capabilities, privileged: s.privileged, noNewPrivileges: s.noNewPrivileges };
  if (s.privileged) security.devices = hostDevices();
  return { additionalGids: resolveGroups(rootfs, s.groupAdd), spec: { security, seccomp, tmpfs: s.tmpfs } };
}
