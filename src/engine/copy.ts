// cp: files between a container and the host, as Docker's `cp` names them. Container paths are
// hostile: they are resolved inside the container's root as a chroot would (storage/chroot.ts),
// and what is written is unpacked by the layer unpacker, which never follows a symlink out of
// its destination. Both directions go through a tar stream, so `-` (a tar on stdin or stdout)
// and a host path are the same code.
import { lstatSync, mkdirSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, posix, resolve } from 'node:path';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { invalid, notFound } from '../common/errors.js';
import { resolveInRoot } from '../storage/chroot.js';
import { packDir } from '../storage/pack.js';
import { unpackLayer } from '../storage/unpack.js';
import type { EngineContext } from './context.js';
import { withContainerRoot } from './container-fs.js';
import { lookup } from './container-records.js';
import { hostIds } from './userns.js';

/** One end of a copy on the host: a path, or a tar stream (`-`). */
export type HostEnd = { path: string } | { stream: Readable } | { stream: Writable };

export interface CopyOptions {
  /** -a: keep the source's owners (otherwise root in the container, the caller on the host). */
  archive?: boolean;
  /** -L: follow a symlink named as the source. */
  followLink?: boolean;
}

const lstatOrNull = (p: string): Stats | null => {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
};
// A path resolveInRoot returned is real directories all the way but for the root itself, which
// for a running container is /proc/PID/root, a link: stat follows that one, and only that one.
const statOrNull = (p: string): Stats | null => {
  try {
    return statSync(p);
  } catch {
    return null;
  }
};
const lstatIn = (root: string, p: string) => (p === root ? statOrNull(p) : lstatOrNull(p));

const MAX_LINKS = 40;

/**
 * The host path of `rel` in `root`, as a chroot would resolve it: every directory on the way
 * through resolveInRoot, and a symlink as the last component followed the same way (Docker
 * follows a destination link), so the answer is a real file, a real directory, or absent.
 */
export function resolveLeaf(root: string, rel: string, opts: { followLast: boolean }): string {
  let path = posix.resolve('/', rel);
  for (let hops = 0;; hops++) {
    if (path === '/') return resolveInRoot(root, '/');
    let dir: string;
    try {
      dir = resolveInRoot(root, posix.dirname(path));
    } catch (e) {
      throw notFound('cp.no_parent', `no such directory: ${posix.dirname(path)}`, (e as Error).message);
    }
    const abs = posix.join(dir, posix.basename(path));
    const st = lstatOrNull(abs);
    if (!opts.followLast || !st?.isSymbolicLink()) return abs;
    if (hops >= MAX_LINKS) throw invalid('cp.link_loop', `too many levels of symbolic links: ${rel}`);
    const target = readlinkSync(abs);
    // The link's directory, as the container names it: the resolved host directory less the root.
    const inCtr = `/${posix.relative(resolveInRoot(root, '/'), dir)}`;
    path = target.startsWith('/') ? posix.resolve('/', target) : posix.resolve(inCtr, target);
  }
}

/** Where a source named `src` lands under an existing `destDir`, or as `dest` itself. */
interface Placement {
  dir: string;
  name: string;
}

/**
 * Docker's rules: into an existing directory under the source's own name; else as the
 * destination's name in its (existing) parent. "SRC/." copies the directory's contents.
 */
export function place(destHost: string, destExists: Stats | null, destText: string, srcIsDir: boolean): Placement {
  if (destExists?.isDirectory()) return { dir: destHost, name: '' };
  if (destExists && srcIsDir) throw invalid('cp.dir_to_file', `cannot copy a directory to a file: ${destText}`);
  if (!destExists && destText.endsWith('/') && !srcIsDir) throw invalid('cp.no_dest_dir', `destination directory ${destText} does not exist`);
  const parent = dirname(destHost);
  if (!statOrNull(parent)?.isDirectory()) throw notFound('cp.no_parent', `no such directory: ${posix.dirname(destText.replace(/\/+$/, '')) || '/'}`);
  return { dir: parent, name: basename(destHost) };
}

interface PackOne {
  /** The name to archive it under; "" keeps its own (or, for contents, no prefix at all). */
  as: string;
  contentsOnly: boolean;
  owner?: { uid: number; gid: number } | undefined;
  /** Host directories whose contents are left out (a running container's /proc, /sys and /dev). */
  skip?: readonly string[];
}

/** Tars `abs` (a file, a directory or a link). */
async function packOne(abs: string, out: Writable, o: PackOne): Promise<void> {
  const base = basename(abs);
  const from = o.contentsOnly ? abs : dirname(abs);
  const skipped = (rel: string) => (o.skip ?? []).some((d) => posix.join(from, rel).startsWith(`${d}/`));
  const owner = o.owner ? { owner: o.owner } : {};
  if (o.contentsOnly) {
    await packDir(abs, out, { rename: (rel) => (o.as ? `${o.as}/${rel}` : rel), exclude: skipped, ...owner });
    return;
  }
  const name = o.as || base;
  await packDir(from, out, {
    exclude: (rel) => (rel !== base && !rel.startsWith(`${base}/`)) || skipped(rel),
    rename: (rel) => name + rel.slice(base.length),
    ...owner,
  });
}

/** The name a source is copied under: its own, not its link target's (-L). */
const ownName = (p: string) => posix.basename(posix.resolve('/', p)) || '';

function splitDot(p: string): { path: string; contents: boolean } {
  const m = /^(.*?)\/+\.\/?$/.exec(p);
  return m ? { path: m[1] || '/', contents: true } : { path: p, contents: false };
}

/** Container → host: CONTAINER:SRC to a host path or to a tar stream. */
export async function copyFromContainer(ctx: EngineContext, ref: string, srcPath: string, dest: { path: string } | { stream: Writable },
  o: CopyOptions = {}): Promise<void>
{
  // The container's / is copied as its contents: it has no name of its own.
  const src = posix.resolve('/', srcPath) === '/' ? { path: '/', contents: true } : splitDot(srcPath);
  await withContainerRoot(ctx, ref, { writable: false }, async (root) => {
    const abs = resolveLeaf(root, src.path, { followLast: o.followLink === true || src.contents });
    const st = lstatIn(root, abs);
    if (!st) throw notFound('cp.no_source', `could not find the file ${srcPath} in container ${ref}`);
    const isDir = st.isDirectory();
    if (src.contents && !isDir) throw invalid('cp.not_dir', `${srcPath}: not a directory`);
    const owner = o.archive ? undefined : { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
    // The kernel's filesystems the runtime mounts in a running container are not its files.
    const skip = ['proc', 'sys', 'dev'].map((d) => posix.join(resolveInRoot(root, '/'), d));
    if ('stream' in dest) {
      await packOne(abs, dest.stream, { as: ownName(src.path), contentsOnly: src.contents, owner, skip });
      return;
    }
    const destHost = resolve(dest.path);
    const p = place(destHost, lstatOrNull(destHost), dest.path, isDir);
    const name = p.name;
    if (src.contents && name === '') {
      await pipeTar((w) => packOne(abs, w, { as: '', contentsOnly: true, owner, skip }), p.dir);
      return;
    }
    if (src.contents) mkdirSync(posix.join(p.dir, name));
    await pipeTar((w) => packOne(abs, w, { as: name || ownName(src.path), contentsOnly: src.contents, owner, skip }), p.dir);
  });
}

/** Host → container: a host path or a tar stream to CONTAINER:DEST. */
export async function copyToContainer(ctx: EngineContext, ref: string, src: { path: string } | { stream: Readable }, destPath: string,
  o: CopyOptions = {}): Promise<void>
{
  if ('path' in src && lstatOrNull(resolve(src.path)) === null) throw notFound('cp.no_source', `no such file or directory: ${src.path}`);
  // In a user namespace an owner inside is written as its host id (root as the mapped root).
  const ids = hostIds(lookup(ctx, ref).spec.userns);
  await withContainerRoot(ctx, ref, { writable: true }, async (root) => {
    const destAbs = resolveLeaf(root, destPath, { followLast: true });
    const destSt = lstatIn(root, destAbs);
    if ('stream' in src) {
      if (!destSt?.isDirectory()) throw invalid('cp.dest_not_dir', `destination "${destPath}" must be a directory when copying from a tar stream`);
      // As from a host path, and as Docker's: the container's root owns what comes in, unless -a;
      // in a user namespace, that root (or the tar's owners, with -a) as the host sees them.
      await unpackLayer(src.stream, destAbs, { plainFiles: true, ...(o.archive ? {} : { owner: { uid: 0, gid: 0 } }), ...(ids ? { ids } : {}) });
      return;
    }
    const s = splitDot(src.path);
    // The host is trusted: -L follows its link however it points.
    const hostSrc = o.followLink || s.contents ? realpathSync(resolve(s.path)) : resolve(src.path);
    const st = lstatOrNull(hostSrc)!;
    const owner = o.archive ? undefined : { uid: 0, gid: 0 };
    const p = place(destAbs, destSt, destPath, st.isDirectory() && !(st.isSymbolicLink()));
    if (s.contents && p.name === '') {
      await pipeTar((w) => packOne(hostSrc, w, { as: '', contentsOnly: true, owner }), p.dir, ids);
      return;
    }
    if (s.contents) mkdirSync(posix.join(p.dir, p.name));
    await pipeTar((w) => packOne(hostSrc, w, { as: p.name || ownName(s.path), contentsOnly: s.contents, owner }), p.dir, ids);
  });
}

async function pipeTar(produce: (w: Writable) => Promise<void>, destDir: string, ids?: (id: number, kind: 'uid' | 'gid') => number): Promise<void> {
  const pass = new PassThrough();
  const producing = produce(pass);
  producing.catch(() => undefined);
  await Promise.all([unpackLayer(pass, destDir, { plainFiles: true, ...(ids ? { ids } : {}) }), producing]);
}
