// The host's device nodes, as a privileged container gets them (runc's HostDevices): every
// character and block device under /dev, except the pseudo-terminals, shared memory, message
// queues and the console, which the container has of its own.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface HostDevice {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

const SKIP_DIRS = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

// Linux's new_encode_dev layout, which st_rdev uses.
export const devMajor = (rdev: number) => Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
export const devMinor = (rdev: number) => Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);

/** `root` stands in for /dev in tests; the paths returned are always under /dev. */
export function hostDevices(root = '/dev', inside = '/dev'): HostDevice[] {
  const out: HostDevice[] = [];
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return out;
  }
  for (const name of names.sort()) {
    const p = join(root, name);
    const path = join(inside, name);
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue; // gone while we looked
    }
    if (st.isDirectory()) {
      if (!SKIP_DIRS.has(name)) out.push(...hostDevices(p, path));
      continue;
    }
    if (path === '/dev/console') continue;
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
    if (type === undefined) continue;
    out.push({ path, type, major: devMajor(st.rdev), minor: devMinor(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
  }
  return out;
}

/** One device node (symlinks followed, as Docker's --device does), or undefined when `path` is none. */
export function deviceNode(path: string): HostDevice | undefined {
  let st;
  try {
    st = statSync(path);
  } catch {
    return undefined;
  }
  const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined;
  if (type === undefined) return undefined;
  return { path, type, major: devMajor(st.rdev), minor: devMinor(st.rdev), fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
}
