// Names taken from untrusted input (tar entries, archive manifests) read as paths inside a root.
import { posix } from 'node:path';

/** Cleans a path lexically as if the root were `/`: "../../etc/x" → "etc/x", "/abs/x" → "abs/x", "./" → "". */
export function cleanInRoot(name: string): string {
  const n = posix.normalize('/' + name);
  return n.replace(/^\/+/, '').replace(/\/+$/, '');
}
