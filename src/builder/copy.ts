// COPY and ADD: sources (globs allowed) from the build context or another stage's filesystem,
// copied into a staging directory that becomes the step's layer. Sources may not leave their
// root; symlinks are copied as symlinks; ADD unpacks local tar archives (plain or gzip).
import { createHash } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  cpSync,
  createReadStream,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readFileSync,
  readlinkSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { invalid, notFound } from '../common/errors.js';
import { copyTree } from './copy-tree.js';
import type { ArchiveCompression, BuildSupport } from '../engine/index.js';

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyRequest {
  /** Unpacks an ADD archive (the engine's, which owns tar handling). */
  unpackArchive: BuildSupport['unpackArchive'];
  /** Sources as written, relative to srcRoot (a leading / means the same). */
  sources: string[];
  /** Absolute destination path in the image (already resolved against WORKDIR). */
  dest: string;
  srcRoot: string;
  /** Context paths the ignore file hides (only for the context). */
  exclude: (rel: string) => boolean;
  owner: Owner | undefined;
  mode: number | undefined;
  add: boolean;
  /** The metadata of a directory as the image has it, to give parents the same in the layer. */
  imageDir: (path: string) => { mode: number; uid: number; gid: number; mtime: Date } | undefined;
  what: string;
}

const GLOB = /[*?[]/;

function segRe(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const j = seg.indexOf(']', i);
      if (j < 0) {
        re += '\\[';
        continue;
      }
      re += `[${seg.slice(i + 1, j).replace(/^!/, '^')}]`;
      i = j;
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function clean(rel: string, what: string): string {
  const n = posix.normalize(`/${rel}`).slice(1);
  if (n.startsWith('..')) throw invalid('build.outside_context', `${what}: "${rel}" is outside the build context`);
  return n.replace(/\/+$/, '');
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The relative paths a source pattern names under root. */
export function matchSource(root: string, pattern: string, exclude: (rel: string) => boolean, what: string): string[] {
  const rel = clean(pattern, what);
  if (!GLOB.test(rel)) {
    if (rel !== '' && (exclude(rel) || !exists(join(root, rel)))) {
      throw notFound('build.source_not_found',
        `${what}: "${pattern}" not found in the build context${rel !== '' && exclude(rel) ? ' (it is excluded by the ignore file)' : ''}`);
    }
    return [rel];
  }
  let found = [''];
  for (const seg of rel.split('/')) {
    const next: string[] = [];
    for (const base of found) {
      if (!GLOB.test(seg)) {
        const p = base === '' ? seg : `${base}/${seg}`;
        if (exists(join(root, p))) next.push(p);
        continue;
      }
      const re = segRe(seg);
      let names: string[] = [];
      try {
        names = readdirSync(join(root, base)).sort();
      } catch { /* not a directory */ }
      for (const n of names) if (re.test(n)) next.push(base === '' ? n : `${base}/${n}`);
    }
    found = next;
  }
  found = found.filter((f) => !exclude(f));
  if (found.length === 0) throw notFound('build.source_not_found', `${what}: no files match "${pattern}" in the build context`);
  return found;
}

const SMALL_FILE = 1 << 20;

/** A digest of the sources' names, types, modes and contents: the COPY step's cache input. */
export async function hashSources(root: string, rels: readonly string[], exclude: (rel: string) => boolean): Promise<string> {
  const h = createHash('sha256');
  const walk = async (rel: string): Promise<void> => {
    const p = join(root, rel);
    const st = lstatSync(p);
    h.update(`${rel}\0${st.mode}\0`);
    if (st.isSymbolicLink()) h.update(readlinkSync(p));
    // A stream per small file costs more in event-loop turns than the read: small ones are read at once.
    else if (st.isFile()) {
      if (st.size <= SMALL_FILE) h.update(readFileSync(p));
      else for await (const c of createReadStream(p)) h.update(c as Buffer);
    } else if (st.isDirectory()) {
      for (const n of readdirSync(p).sort()) {
        const r = rel === '' ? n : `${rel}/${n}`;
        if (!exclude(r)) await walk(r);
      }
    }
    h.update('\0');
  };
  for (const r of rels) await walk(r);
  return h.digest('hex');
}

/** A local archive ADD unpacks: a tar, plain or compressed (by magic, like Docker; the name does not matter). */
function isTarArchive(path: string): ArchiveCompression | undefined {
  const head = Buffer.alloc(512);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (n >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (n >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (n >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
  return undefined;
}

/** Makes dest's parent directories in the layer, with the metadata the image gives them. */
function makeParents(layerRoot: string, dir: string, req: CopyRequest): void {
  const parts = dir.split('/').filter(Boolean);
  let cur = '';
  for (const part of parts) {
    cur += `/${part}`;
    const p = join(layerRoot, cur);
    if (exists(p)) continue;
    mkdirSync(p, { mode: 0o755 });
    const meta = req.imageDir(cur);
    if (meta) {
      lchownSync(p, meta.uid, meta.gid);
      chmodSync(p, meta.mode & 0o7777);
      lutimesSync(p, meta.mtime, meta.mtime);
    } else {
      chmodSync(p, 0o755);
      if (req.owner) lchownSync(p, req.owner.uid, req.owner.gid);
    }
  }
}

function applyOwnerMode(path: string, req: CopyRequest): void {
  const st = lstatSync(path);
  if (req.owner) lchownSync(path, req.owner.uid, req.owner.gid);
  else if (st.uid !== 0 || st.gid !== 0) lchownSync(path, 0, 0);
  if (req.mode !== undefined && !st.isSymbolicLink()) chmodSync(path, req.mode);
  if (st.isDirectory()) { for (const n of readdirSync(path)) applyOwnerMode(join(path, n), req); }
}

/** Copies the request's sources into layerRoot (the new layer's tree). */
export async function copyInto(layerRoot: string, req: CopyRequest): Promise<void> {
  const rels = req.sources.flatMap((s) => matchSource(req.srcRoot, s, req.exclude, req.what));
  const destIsDir = req.dest.endsWith('/') || rels.length > 1 || req.sources.length > 1;
  if ((rels.length > 1 || req.sources.length > 1) && !req.dest.endsWith('/')) {
    throw invalid('build.bad_destination', `${req.what}: with several sources the destination "${req.dest}" must end with /`);
  }
  const dest = posix.normalize(req.dest).replace(/\/+$/, '') || '/';
  for (const rel of rels) {
    const src = join(req.srcRoot, rel);
    const st = lstatSync(src);
    if (st.isDirectory()) {
      makeParents(layerRoot, dest, req);
      copyTree(src, rel, join(layerRoot, dest), { exclude: req.exclude, owner: req.owner, mode: req.mode });
      continue;
    }
    const archive = req.add && st.isFile() ? isTarArchive(src) : undefined;
    if (archive) {
      makeParents(layerRoot, dest, req);
      await req.unpackArchive({ archive: src, compression: archive, dest: join(layerRoot, dest) });
      if (req.owner || req.mode !== undefined) applyOwnerMode(join(layerRoot, dest), req);
      continue;
    }
    const imageHasDir = req.imageDir(dest) !== undefined;
    const target = destIsDir || imageHasDir || exists(join(layerRoot, dest)) && lstatSync(join(layerRoot, dest)).isDirectory()
      ? posix.join(dest, posix.basename(rel))
      : dest;
    makeParents(layerRoot, posix.dirname(target), req);
    cpSync(src, join(layerRoot, target), { verbatimSymlinks: true, preserveTimestamps: true, force: true });
    applyOwnerMode(join(layerRoot, target), req);
  }
}
