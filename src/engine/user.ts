// Resolves "USER[:GROUP]" the way runtimes expect it: numbers, looked up in the image's own
// /etc/passwd and /etc/group (never the host's).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../common/errors.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

function readLines(rootfs: string, file: string): string[][] {
  try {
    return readFileSync(join(rootfs, file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(':'));
  } catch {
    return [];
  }
}

export function resolveUser(rootfs: string, spec: string): ResolvedUser {
  const [u = '', g] = (spec || '0').split(':');
  const passwd = readLines(rootfs, 'etc/passwd');
  const groups = readLines(rootfs, 'etc/group');
  let uid: number;
  let gid: number | undefined;
  let home = '/';
  let userName: string | undefined;
  if (/^\d+$/.test(u)) {
    uid = Number(u);
    const p = passwd.find((f) => f[2] === u);
    if (p) {
      gid = Number(p[3]);
      home = p[5] || '/';
      userName = p[0];
    }
  } else {
    const p = passwd.find((f) => f[0] === u);
    if (!p) throw invalid('user.not_found', `unable to find user ${u}: no matching entries in the image's /etc/passwd`);
    uid = Number(p[2]);
    gid = Number(p[3]);
    home = p[5] || '/';
    userName = u;
  }
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const gr = groups.find((f) => f[0] === g);
      if (!gr) throw invalid('group.not_found', `unable to find group ${g}: no matching entries in the image's /etc/group`);
      gid = Number(gr[2]);
    }
  }
  const additionalGids = userName === undefined ? [] :
    groups.filter((f) => (f[3] ?? '').split(',').includes(userName)).map((f) => Number(f[2])).filter((n) => n !== gid);
  return { uid, gid: gid ?? 0, additionalGids, home };
}

/** --group-add: numbers as they are, names from the image's /etc/group (Docker resolves them at start). */
export function resolveGroups(rootfs: string, names: readonly string[]): number[] {
  if (names.length === 0) return [];
  const groups = readLines(rootfs, 'etc/group');
  return names.map((g) => {
    if (/^\d+$/.test(g)) return Number(g);
    const gr = groups.find((f) => f[0] === g);
    if (!gr) throw invalid('group.not_found', `unable to find group ${g}: no matching entries in the image's /etc/group`);
    return Number(gr[2]);
  });
}
