// Mounting through mount(8)/umount(8), and reading what is mounted from the kernel's own table.
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MountSpec } from '../common/types.js';
import { run } from './exec.js';

export function mount(spec: MountSpec, target: string): void {
  const args = ['-t', spec.type];
  if (spec.options.length > 0) args.push('-o', spec.options.join(','));
  args.push(spec.source, target);
  run('mount', args);
}

/** Unmounts target; with `lazy`, detaches it now and lets the kernel finish when it is no longer busy. */
export function unmount(target: string, opts: { lazy?: boolean } = {}): void {
  run('umount', opts.lazy ? ['-l', target] : [target]);
}

/**
 * isMounted for a mount of a filesystem of its own (an overlay, a tmpfs; not a bind mount of
 * the same filesystem): its device differs from its parent directory's. Two stats instead of
 * reading every mount of the host, which grows with the number of running containers.
 */
export function isOwnFsMounted(target: string): boolean {
  try {
    return statSync(target).dev !== statSync(dirname(target)).dev;
  } catch {
    return false;
  }
}

/** True when something is mounted exactly at target (not merely on a parent). */
export function isMounted(target: string, mountinfo = '/proc/self/mountinfo'): boolean {
  let path: string;
  try {
    path = realpathSync(target);
  } catch {
    return false;
  }
  return mountPoints(readFileSync(mountinfo, 'utf8')).includes(path);
}

/** The mount points listed in a mountinfo text (field 5, with the kernel's octal escapes undone). */
export function mountPoints(mountinfo: string): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    out.push(f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}
