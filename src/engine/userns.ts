// User namespaces: --userns=host|auto[:size=N], --uidmap and --gidmap, as Podman reads them.
// Checked before the create transaction (so a bad flag is one line and exit 125 with nothing
// made); an auto range is chosen and recorded inside it, so two parallel creates never share ids.
import { readFileSync } from 'node:fs';
import { invalid } from '../common/errors.js';
import type { IdMapping } from '../runtime/types.js';
import type { Db } from '../state/db.js';
import { listUsernsAllocations, recordUsernsAllocation, type IdRange } from '../state/userns.js';
import type { UsernsRequest, UsernsSpec } from './types.js';

/** Podman's: --userns=auto takes its ranges from this user's lines of /etc/subuid and /etc/subgid. */
export const SUBID_USER = 'containers';
/** Enough for every uid an image is likely to use (nobody is 65534). Podman guesses from the image. */
export const DEFAULT_AUTO_SIZE = 65536;
const MAX_ID = 2 ** 32 - 1;
/** The kernel's overflowuid: what an unmapped id shows as inside a user namespace. */
const OVERFLOW_ID = 65534;

export type UsernsPlan = { kind: 'host' } | { kind: 'auto'; size: number } | { kind: 'map'; spec: UsernsSpec };

function positiveInt(text: string, what: string): number {
  if (!/^[0-9]{1,10}$/.test(text) || Number(text) > MAX_ID) throw invalid('userns.bad', `invalid ${what}: "${text}" is not a number`);
  return Number(text);
}

/** "0:100000:65536" (container:host:size), Podman's --uidmap. */
export function parseIdMap(text: string, flag: string): IdMapping {
  const parts = text.split(':');
  if (parts.length !== 3) throw invalid('userns.bad_map', `invalid ${flag} "${text}": want CONTAINER_ID:HOST_ID:SIZE`);
  const [c, h, s] = parts.map((p) => positiveInt(p, `${flag} "${text}"`)) as [number, number, number];
  if (s === 0 || c + s - 1 > MAX_ID || h + s - 1 > MAX_ID)
    throw invalid('userns.bad_map', `invalid ${flag} "${text}": the size must be 1 or more and stay within 32-bit ids`);
  return { containerID: c, hostID: h, size: s };
}

function checkNoOverlap(maps: IdMapping[], flag: string): void {
  const sorted = (key: 'containerID' | 'hostID') => [...maps].sort((x, y) => x[key] - y[key]);
  for (const key of ['containerID', 'hostID'] as const) {
    const s = sorted(key);
    for (let i = 1; i < s.length; i++) {
      if (s[i]![key] < s[i - 1]![key] + s[i - 1]!.size)
        throw invalid('userns.overlap', `invalid ${flag}: the ranges overlap`, 'the kernel refuses overlapping lines in uid_map');
    }
  }
  // The kernel takes at most 340 lines; runc rejects more before that.
  if (maps.length > 340) throw invalid('userns.bad_map', `invalid ${flag}: more than 340 ranges`);
}

/** The request checked; `undefined` and host both mean no user namespace. */
export function planUserns(req: UsernsRequest | undefined): UsernsPlan {
  if (req === undefined) return { kind: 'host' };
  const uid = req.uidmap.map((m) => parseIdMap(m, '--uidmap'));
  const gid = req.gidmap.map((m) => parseIdMap(m, '--gidmap'));
  const mode = req.mode;
  if (uid.length + gid.length > 0) {
    if (mode !== undefined && mode !== '') {
      throw invalid('userns.conflict', `--userns=${mode} cannot be used with --uidmap or --gidmap`, 'give either the mode or the maps');
    }
    // Podman: one of the two stands for both.
    const uidMap = uid.length > 0 ? uid : gid;
    const gidMap = gid.length > 0 ? gid : uid;
    checkNoOverlap(uidMap, '--uidmap');
    checkNoOverlap(gidMap, '--gidmap');
    return { kind: 'map', spec: { mode: 'map', uidMap, gidMap } };
  }
  if (mode === undefined || mode === '' || mode === 'host') return { kind: 'host' };
  if (mode === 'auto') return { kind: 'auto', size: DEFAULT_AUTO_SIZE };
  if (mode.startsWith('auto:')) {
    let size = DEFAULT_AUTO_SIZE;
    for (const opt of mode.slice(5).split(',')) {
      const [k, v] = opt.split('=', 2);
      if (k === 'size' && v !== undefined) size = positiveInt(v, `--userns=${mode} size`);
      else throw invalid('userns.bad', `invalid --userns=${mode}: unknown option "${opt}"`, 'berth takes auto[:size=N]');
    }
    if (size === 0) throw invalid('userns.bad', `invalid --userns=${mode}: the size must be 1 or more`);
    return { kind: 'auto', size };
  }
  if (mode === 'keep-id') throw invalid('userns.unsupported', '--userns=keep-id is only for rootless containers, and berth runs as root', 'use --userns=auto');
  throw invalid('userns.bad', `invalid --userns "${mode}"`, 'use host, auto[:size=N], or --uidmap/--gidmap');
}

/** The ranges of `user` in a /etc/subuid-style file (name or uid, start, count). */
export function parseSubordinateIds(text: string, user: string, uid?: number): IdRange[] {
  const out: IdRange[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(':');
    if (f.length !== 3 || !(f[0] === user || (uid !== undefined && f[0] === String(uid)))) continue;
    if (!/^[0-9]+$/.test(f[1]!) || !/^[0-9]+$/.test(f[2]!)) continue;
    const start = Number(f[1]);
    const size = Number(f[2]);
    if (size > 0 && start + size - 1 <= MAX_ID) out.push({ start, size });
  }
  return out.sort((x, y) => x.start - y.start);
}

/** The lowest start of `size` ids inside one of `available` that meets none of `taken`. */
export function chooseRange(available: readonly IdRange[], taken: readonly IdRange[], size: number): number | undefined {
  const busy = [...taken].sort((x, y) => x.start - y.start);
  for (const r of available) {
    let start = r.start;
    for (const t of busy) {
      if (t.start + t.size <= start) continue;
      if (t.start >= start + size) break;
      start = t.start + t.size;
    }
    if (start + size <= r.start + r.size) return start;
  }
  return undefined;
}

function subidFile(kind: 'uid' | 'gid'): string {
  // Podman reads /etc/subuid; a test (or a host that keeps berth's ranges apart) names its own.
  return (kind === 'uid' ? process.env.BERTH_SUBUID : process.env.BERTH_SUBGID) || `/etc/sub${kind}`;
}

function rangesOf(kind: 'uid' | 'gid'): IdRange[] {
  const file = subidFile(kind);
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const ranges = parseSubordinateIds(text, SUBID_USER);
  if (ranges.length === 0) {
    throw invalid(
      'userns.no_subids',
      `--userns=auto: no subordinate ${kind}s for user "${SUBID_USER}" in ${file}`,
      `add a line such as "${SUBID_USER}:2147483647:2147483648" to ${file}`,
    );
  }
  return ranges;
}

/** Reads the subordinate ranges, so that a missing line is refused before the transaction. */
export function subordinateRanges(): { uid: IdRange[]; gid: IdRange[] } {
  return { uid: rangesOf('uid'), gid: rangesOf('gid') };
}

/**
 * Inside the create transaction, before the container's row: the record's `userns`. `record`
 * is called after the row is in, so that the allocation is freed with it.
 */
export function allocateUserns(db: Db, plan: Exclude<UsernsPlan, { kind: 'host' }>,
  ranges: { uid: IdRange[]; gid: IdRange[] } | undefined): { spec: UsernsSpec; record: (containerId: string) => void }
{
  if (plan.kind === 'map') return { spec: plan.spec, record: () => {} };
  if (ranges === undefined) throw new Error('allocateUserns: auto without subordinate ranges');
  const taken = listUsernsAllocations(db);
  const size = plan.size;
  const pick = (kind: 'uid' | 'gid') => {
    const start = chooseRange(ranges[kind], taken.map((a) => a[kind]), size);
    if (start === undefined) {
      throw invalid('userns.exhausted', `--userns=auto: no free range of ${size} subordinate ${kind}s is left for user "${SUBID_USER}"`,
        'remove containers, ask for a smaller size=, or add ranges');
    }
    return start;
  };
  const uid = pick('uid');
  const gid = pick('gid');
  return {
    spec: { mode: 'auto', uidMap: [{ containerID: 0, hostID: uid, size }], gidMap: [{ containerID: 0, hostID: gid, size }] },
    record: (containerId) => recordUsernsAllocation(db, { containerId, uid: { start: uid, size }, gid: { start: gid, size } }),
  };
}

/** The host uid or gid that `id` inside the container is, or undefined when it is not mapped. */
export function hostIdOf(maps: readonly IdMapping[], id: number): number | undefined {
  for (const m of maps) if (id >= m.containerID && id < m.containerID + m.size) return m.hostID + (id - m.containerID);
  return undefined;
}

/**
 * Host ids back to the container's, for packing a user namespace container's files (commit,
 * export). An id outside the maps is kept: an image layer seen without its idmap is already the
 * container's.
 */
export function containerIds(ns: UsernsSpec | undefined): ((id: number, kind: 'uid' | 'gid') => number) | undefined {
  if (ns === undefined) return undefined;
  return (id, kind) => {
    for (const m of kind === 'uid' ? ns.uidMap : ns.gidMap) if (id >= m.hostID && id < m.hostID + m.size) return m.containerID + (id - m.hostID);
    return id;
  };
}

/** Container ids to the host's (cp into the container); an id outside the maps is the overflow uid. */
export function hostIds(ns: UsernsSpec | undefined): ((id: number, kind: 'uid' | 'gid') => number) | undefined {
  if (ns === undefined) return undefined;
  return (id, kind) => hostIdOf(kind === 'uid' ? ns.uidMap : ns.gidMap, id) ?? OVERFLOW_ID;
}
