// Path resolution for writing into a directory that stands in for `/`. A layer is hostile: its
// names and symlinks are interpreted as they would be inside the container (chroot semantics),
// so nothing it says can reach a host path outside the root. Like Docker's FollowSymlinkInScope.
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import { posix } from 'node:path';
import { corrupt } from '../common/errors.js';
import { cleanInRoot } from '../common/paths.js';
import type { DirCache, DirNode } from './dir-cache.js';

const MAX_LINKS = 255;

export { cleanInRoot };

/**
 * Resolves `rel` inside `root`, following every symlink met on the way as if `root` were `/`,
 * and returns the host path of the result. Every component of the returned path is a real
 * directory (or absent, when `create` is false and it does not exist yet).
 * With `create`, missing directories are made (mode 0755), as tar does for implied parents.
 * Example: with root/evil -> /tmp/outside, resolveInRoot(root, "evil/x") is root/tmp/outside/x.
 * `cache`: the directories of `root` already known to be real ones (an unpack's, dir-cache.ts);
 * they are walked without a syscall, and the ones checked or made here are added.
 */
export function resolveInRoot(root: string, rel: string, opts: { create?: boolean; cache?: DirCache } = {}): string {
  const queue = cleanInRoot(rel).split('/').filter((c) => c !== '' && c !== '.');
  const stack: string[] = [];
  const cache = opts.cache;
  // nodes[i] is the cache's node of stack[0..i), kept in step with stack; empty without a cache.
  const nodes: DirNode[] = cache ? [cache.root] : [];
  let links = 0;
  while (queue.length > 0) {
    const c = queue.shift()!;
    if (c === '..') {
      if (stack.length > 0) nodes.pop();
      stack.pop();
      continue;
    }
    if (cache) {
      const known = cache.child(nodes[nodes.length - 1]!, c);
      if (known) {
        stack.push(c);
        nodes.push(known);
        continue;
      }
    }
    const host = posix.join(root, ...stack, c);
    let st;
    try {
      st = lstatSync(host);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      if (!opts.create) {
        // Nothing below a missing component can be a symlink, so the rest resolves lexically.
        stack.push(c);
        for (const r of queue) {
          if (r === '..') stack.pop();
          else if (r !== '.' && r !== '') stack.push(r);
        }
        return posix.join(root, ...stack);
      }
      mkdirSync(host, { mode: 0o755 });
      if (cache) nodes.push(cache.add(nodes[nodes.length - 1]!, c));
      stack.push(c);
      continue;
    }
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw corrupt('layer.bad_entry', `too many levels of symbolic links resolving "${rel}"`);
      const target = readlinkSync(host);
      if (target.startsWith('/')) {
        stack.length = 0;
        nodes.length = cache ? 1 : 0;
      }
      queue.unshift(...target.split('/').filter((x) => x !== '' && x !== '.'));
      continue;
    }
    if (!st.isDirectory()) {
      throw corrupt('layer.bad_entry', `"${rel}": component "${[...stack, c].join('/')}" is not a directory`);
    }
    if (cache) nodes.push(cache.add(nodes[nodes.length - 1]!, c));
    stack.push(c);
  }
  return posix.join(root, ...stack);
}
