// Unpacks one layer (an uncompressed tar) into a directory that overlayfs will use as a lower
// layer. The tar is untrusted: names are cleaned as if `dest` were `/`, parent symlinks are
// followed inside `dest` only, the last component is never followed (files are created with
// O_EXCL|O_NOFOLLOW after unlinking whatever was there), and hard links must point inside.
// OCI whiteouts become overlayfs whiteouts, so the layer can be used by the kernel directly.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fchownSync,
  futimesSync,
  linkSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  rmSync,
  symlinkSync,
  chmodSync,
  writeSync,
} from 'node:fs';
import { posix } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { corrupt, isBerthError } from '../common/errors.js';
import { run } from '../sys/exec.js';
import { inUserNamespace } from '../sys/rootless.js';
import { cleanInRoot, resolveInRoot } from './chroot.js';
import { DirCache } from './dir-cache.js';

/**
 * A full or read-only disk is the machine's trouble, not the layer's: passed on as it is, so the
 * front says "no space left" (common/system-errors.ts) instead of blaming the image.
 */
function ofTheMachine(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS';
}

export interface UnpackResult {
  /** Bytes of regular-file content written. */
  size: number;
  /** "sha256:<hex>" of the uncompressed tar stream, as the OCI config's rootfs.diff_ids names it. */
  diffId: string;
}

interface DirTime {
  rel: string;
  path: string;
  mtime: Date;
}

/** One unpack's place: its root, and what it knows of the directories made there so far. */
interface Place {
  dest: string;
  /** dest + "/": the prefix of every host path resolveInRoot returns below dest. */
  prefix: string;
  dirs: DirCache;
}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE = '.wh..wh..opq';

/** The tar's entries, with a sha256 of its bytes as they stream by (the layer's diff id). */
function hashedEntries(input: NodeJS.ReadableStream | Readable) {
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const extract = tar.extract();
  const piping = pipeline(input as Readable, tap, extract as unknown as NodeJS.WritableStream);
  return { hash, extract, piping };
}

/**
 * `plainFiles`: the tar is not a layer (cp): ".wh." names are ordinary files, never whiteouts.
 * `owner`: every entry is owned so, whatever the tar says (cp without -a). `ids`: the owner on the
 * host of an entry's owner (cp into a container in a user namespace), applied after `owner`.
 */
export async function unpackLayer(input: NodeJS.ReadableStream | Readable, destGiven: string,
  opts: { plainFiles?: boolean; owner?: { uid: number; gid: number }; ids?: (id: number, kind: 'uid' | 'gid') => number } = {}): Promise<UnpackResult>
{
  const ids = opts.ids;
  const { hash, extract, piping } = hashedEntries(input);
  piping.catch(() => undefined); // awaited below; this keeps an early loop exit from leaving it unhandled
  const dirTimes: DirTime[] = [];
  // One spelling of dest (no trailing slash, no "." or ".."): every path below it is compared by prefix.
  const dest = posix.resolve(destGiven);
  const place: Place = { dest, prefix: dest === '/' ? '/' : `${dest}/`, dirs: new DirCache() };
  let size = 0;
  try {
    for await (const entry of extract) {
      const owned = opts.owner ? { ...entry.header, uid: opts.owner.uid, gid: opts.owner.gid } : entry.header;
      const h = ids ? { ...owned, uid: ids(owned.uid ?? 0, 'uid'), gid: ids(owned.gid ?? 0, 'gid') } : owned;
      size += await applyEntry(place, h, entry, dirTimes, opts.plainFiles === true);
    }
    await piping;
  } catch (e) {
    extract.destroy();
    if (isBerthError(e) || ofTheMachine(e)) throw e;
    throw corrupt('layer.corrupt', `layer is not a valid tar stream: ${(e as Error).message}`);
  }
  // Directory times last: creating their children changed them. A later entry may have replaced
  // a directory on the way by a symlink; then the recorded path would lead elsewhere, so skip it.
  // In slices: on the main thread (unpack-pool.ts) a layer of thousands of directories would
  // otherwise hold up the downloads sharing its event loop.
  let n = 0;
  for (const d of dirTimes.reverse()) {
    if (d.rel === '' || resolveInRoot(dest, d.rel, { cache: place.dirs }) === d.path) lutimesSync(d.path, d.mtime, d.mtime);
    if (++n % 512 === 0) await new Promise((r) => setImmediate(r));
  }
  return { size, diffId: `sha256:${hash.digest('hex')}` };
}

async function applyEntry(place: Place, h: Header, body: AsyncIterable<unknown>, dirTimes: DirTime[], plainFiles: boolean): Promise<number> {
  const dest = place.dest;
  const rel = cleanInRoot(h.name);
  const type = h.type ?? 'file';
  if (rel === '') {
    // "./": the root's own metadata. Only a directory entry may describe it.
    if (type === 'directory') {
      setMeta(dest, h, false);
      dirTimes.push({ rel: '', path: dest, mtime: h.mtime ?? new Date(0) });
    }
    return drain(body);
  }
  const parent = resolveInRoot(dest, posix.dirname(rel), { create: true, cache: place.dirs });
  const base = posix.basename(rel);

  if (base.startsWith(WHITEOUT_PREFIX) && !plainFiles) {
    await drain(body);
    if (base === OPAQUE) {
      // trusted.* needs CAP_SYS_ADMIN of the host: in rootless berth's user namespace overlayfs
      // reads user.overlay.* instead (mounted with userxattr, storage/overlay.ts).
      run('setfattr', ['-h', '-n', `${inUserNamespace() ? 'user' : 'trusted'}.overlay.opaque`, '-v', 'y', parent]);
    } else if (!base.startsWith(OPAQUE.slice(0, 8))) {
      // ".wh..wh.*" other than .opq are AUFS bookkeeping (plnk, aufs); they carry nothing for us.
      const name = base.slice(WHITEOUT_PREFIX.length);
      // ".wh.." or ".wh..." would name the parent or its parent: never a thing to delete.
      if (name === '' || name === '.' || name === '..') throw corrupt('layer.bad_entry', `whiteout "${h.name}" names no file`);
      const hidden = posix.join(parent, name);
      removeExisting(place, hidden);
      run('mknod', ['-m', '000', hidden, 'c', '0', '0']);
    }
    return 0;
  }

  const target = posix.join(parent, base);
  switch (type) {
    case 'directory': {
      // Made first, looked at only when something is there: in a fresh layer nothing is.
      if (!tryCreate(() => mkdirSync(target, { mode: 0o700 }))) {
        const st = lstatSync(target);
        if (!st.isDirectory()) {
          removeExisting(place, target);
          mkdirSync(target, { mode: 0o700 });
        }
      }
      place.dirs.add(nodeOf(place, parent), base);
      setMeta(target, h, false);
      dirTimes.push({ rel, path: target, mtime: h.mtime ?? new Date(0) });
      return drain(body);
    }
    case 'file':
    case 'contiguous-file':
      return writeFile(place, target, h, body);
    case 'symlink':
      // The link text is stored verbatim: absolute links are normal in a rootfs, and only
      // resolveInRoot (or the container's own root) ever follows them.
      replacing(place, target, () => symlinkSync(h.linkname ?? '', target));
      setMeta(target, h, true);
      return drain(body);
    case 'link': {
      const linkRel = cleanInRoot(h.linkname ?? '');
      if (linkRel === '') throw corrupt('layer.bad_entry', `hard link "${h.name}" has no target`);
      const from = posix.join(resolveInRoot(dest, posix.dirname(linkRel), { cache: place.dirs }), posix.basename(linkRel));
      const st = lstatOrNull(from);
      if (!st || st.isDirectory()) {
        throw corrupt('layer.bad_entry', `hard link "${h.name}" points to "${h.linkname}", which is not a file in the layer`);
      }
      replacing(place, target, () => linkSync(from, target));
      return drain(body);
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      removeExisting(place, target);
      // A user namespace may not make device nodes: rootless berth leaves them out, as Podman's
      // rootless storage does; the container's /dev is the runtime's, never the image's.
      if (type !== 'fifo' && inUserNamespace()) return drain(body);
      const args = type === 'fifo' ? [target, 'p'] : [target, type === 'character-device' ? 'c' : 'b', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
      run('mknod', args);
      setMeta(target, h, false);
      return drain(body);
    }
    default:
      // PAX and GNU long-name headers are consumed by tar-stream; anything else is not ours.
      return drain(body);
  }
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

async function writeFile(place: Place, target: string, h: Header, body: AsyncIterable<unknown>): Promise<number> {
  let fd = -1;
  replacing(place, target, () => (fd = openSync(target, CREATE, 0o600)));
  let n = 0;
  try {
    for await (const c of body) {
      const chunk = c as Buffer;
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      n += chunk.length;
    }
    // chown before chmod: chown clears setuid/setgid bits.
    fchownSync(fd, h.uid ?? 0, h.gid ?? 0);
    fchmodSync(fd, (h.mode ?? 0o644) & 0o7777);
    const t = h.mtime ?? new Date(0);
    futimesSync(fd, t, t);
  } finally {
    closeSync(fd);
  }
  return n;
}

/** Sets owner, mode and (except for directories, done at the end) mtime on a path that is not followed. */
function setMeta(path: string, h: Header, isLink: boolean): void {
  lchownSync(path, h.uid ?? 0, h.gid ?? 0);
  if (!isLink) chmodSync(path, (h.mode ?? 0o755) & 0o7777);
  const t = h.mtime ?? new Date(0);
  if (h.type !== 'directory') lutimesSync(path, t, t);
}

/**
 * Runs `create` (an O_EXCL open, a symlink, a link: each fails with EEXIST rather than follow or
 * reuse what is there); only when something was there is it removed and `create` run again.
 * One syscall fewer per entry than looking first, in the common case of a fresh directory.
 */
function replacing(place: Place, path: string, create: () => void): void {
  if (tryCreate(create)) return;
  removeExisting(place, path);
  create();
}

function tryCreate(create: () => void): boolean {
  try {
    create();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function removeExisting(place: Place, path: string): void {
  const st = lstatOrNull(path);
  if (!st) return;
  // A directory going away takes the cache's knowledge of it and all below with it; anything
  // else was never in the cache (it holds real directories only).
  if (st.isDirectory()) place.dirs.forget(partsOf(place, path));
  rmSync(path, { recursive: true, force: true });
}

/** The components below dest of a host path resolveInRoot returned (or one joined onto it). */
function partsOf(place: Place, path: string): string[] {
  if (path === place.dest) return [];
  if (!path.startsWith(place.prefix)) throw new Error(`internal: "${path}" is not below "${place.prefix}"`);
  return path.slice(place.prefix.length).split('/');
}

/** The cache's node of a directory resolveInRoot just returned (so every component is cached). */
function nodeOf(place: Place, dir: string): import('./dir-cache.js').DirNode {
  let n = place.dirs.root;
  for (const c of partsOf(place, dir)) n = place.dirs.add(n, c);
  return n;
}

function lstatOrNull(path: string) {
  try {
    return lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function drain(body: AsyncIterable<unknown>): Promise<number> {
  for await (const _ of body) {
    // discard
  }
  return 0;
}

/** The diff id and content size of a layer, without writing anything: checks a layer already unpacked. */
export async function digestLayer(input: NodeJS.ReadableStream | Readable): Promise<UnpackResult> {
  const { hash, extract, piping } = hashedEntries(input);
  piping.catch(() => undefined);
  let size = 0;
  try {
    for await (const entry of extract) {
      const t = entry.header.type;
      if (t === 'file' || t === 'contiguous-file') size += entry.header.size;
      await drain(entry);
    }
    await piping;
  } catch (e) {
    extract.destroy();
    if (ofTheMachine(e)) throw e;
    throw corrupt('layer.corrupt', `layer is not a valid tar stream: ${(e as Error).message}`);
  }
  return { size, diffId: `sha256:${hash.digest('hex')}` };
}
