// The stat of one path in a container, for the API's HEAD/GET archive (the docker CLI's cp asks
// it before copying, to learn whether the destination is a directory or a link). The path is
// resolved inside the container's root as cp resolves it, so a link cannot point the stat out.
import { lstatSync, statSync } from 'node:fs';
import { posix } from 'node:path';
import { notFound } from '../common/errors.js';
import { resolveInRoot } from '../storage/chroot.js';
import type { EngineContext } from './context.js';
import { withContainerRoot } from './container-fs.js';
import { resolveLeaf } from './copy.js';

export interface PathStat {
  name: string;
  size: number;
  /** The st_mode bits. */
  mode: number;
  mtime: Date;
  /** For a link, the container path it resolves to; '' otherwise. */
  linkTarget: string;
}

export async function statContainerPath(ctx: EngineContext, ref: string, path: string): Promise<PathStat> {
  return withContainerRoot(ctx, ref, { writable: false }, async (root) => {
    const top = resolveInRoot(root, '/');
    let abs: string;
    try {
      abs = resolveLeaf(root, path, { followLast: false });
    } catch {
      throw notFound('cp.no_source', `Could not find the file ${path} in container ${ref}`);
    }
    // The root of a running container is /proc/PID/root, a link that only stat follows.
    const st = (() => {
      try {
        return abs === top ? statSync(abs) : lstatSync(abs);
      } catch {
        return null;
      }
    })();
    if (!st) throw notFound('cp.no_source', `Could not find the file ${path} in container ${ref}`);
    let linkTarget = '';
    if (st.isSymbolicLink()) {
      try {
        linkTarget = `/${posix.relative(top, resolveLeaf(root, path, { followLast: true }))}`;
      } catch {
        linkTarget = '';
      }
    }
    return { name: posix.basename(posix.resolve('/', path)) || '/', size: st.size, mode: st.mode, mtime: st.mtime, linkTarget };
  });
}
