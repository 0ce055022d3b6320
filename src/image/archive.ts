// Reads image archives (tar, possibly gzipped) from a file or a stream: the names they hold, and
// their files written once to disk with each one's digest, so the format readers can look things
// up. Entries that look like layers start unpacking while they are written (early-layer.ts).
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { corrupt } from '../common/errors.js';
import { cleanInRoot } from '../common/paths.js';
import { EarlyLayer } from './early-layer.js';
import type { LayerUnpacker } from './records.js';
import { openMaybeCompressed } from './store.js';

export interface StagedFile {
  /** Host path of the staged file (it becomes the blob by a hard link, never a copy). */
  path: string;
  digest: string;
  size: number;
  /** Not yet fsync'd (see syncStaged). */
  unsynced?: boolean;
  /** Unpacked while the archive was read, when the entry looked like a layer. */
  early?: EarlyLayer;
}

/** Flushes a staged file before it is linked into the store (deferred so reading never waits on the disk). */
export function syncStaged(f: StagedFile): void {
  if (!f.unsynced) return;
  const fd = openSync(f.path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  f.unsynced = false;
}

export class ArchiveContents {
  readonly files = new Map<string, StagedFile>();
  readonly links = new Map<string, string>();
  /** Entries of every type read. */
  entries = 0;

  /** The file at an archive path, following the archive's own links (old docker save shares layers so). */
  get(name: string): StagedFile | undefined {
    let n = cleanInRoot(name);
    for (let i = 0; i < 16; i++) {
      const f = this.files.get(n);
      if (f) return f;
      const next = this.links.get(n);
      if (next === undefined) return undefined;
      n = next;
    }
    return undefined;
  }
}

async function eachEntry(source: string | Readable, fn: (h: Header, body: AsyncIterable<unknown>) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const input = typeof source === 'string' ? openMaybeCompressed(source, 'the archive') : source;
  const piping = pipeline(input, extract as unknown as NodeJS.WritableStream);
  piping.catch(() => undefined);
  try {
    for await (const entry of extract) await fn(entry.header, entry);
    await piping;
  } catch (e) {
    extract.destroy();
    throw e;
  }
}

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of body) {
    // discard
  }
}

/** The cleaned names of the regular files in the archive, and how many entries it has; reads headers only. */
export async function archiveNames(path: string): Promise<{ names: Set<string>; entries: number }> {
  const names = new Set<string>();
  let entries = 0;
  await eachEntry(path, async (h, body) => {
    entries++;
    if (h.type === 'file' || h.type === 'contiguous-file') names.add(cleanInRoot(h.name));
    await drain(body);
  });
  return { names, entries };
}

/**
 * Writes every regular file of the archive into dir (digested; fsync'd later by syncStaged) and
 * records links. With `early`, entries that look like layers unpack on workers as they are
 * written; each one started is pushed onto `early.open`, so the caller can drop them all.
 */
export async function stageArchive(source: string | Readable, dir: string,
  early?: { ctx: { root: string; layers: LayerUnpacker }; open: EarlyLayer[] }): Promise<ArchiveContents>
{
  const out = new ArchiveContents();
  let n = 0;
  await eachEntry(source, async (h, body) => {
    out.entries++;
    const name = cleanInRoot(h.name);
    if (h.type === 'symlink') {
      out.links.set(name, cleanInRoot(posix.join(posix.dirname(name), h.linkname)));
    } else if (h.type === 'link') {
      out.links.set(name, cleanInRoot(h.linkname));
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      const staged = join(dir, `f${n++}`);
      out.files.set(name, await writeStaged(body, staged, early && ((have) => EarlyLayer.start(early.ctx, staged, have, h.size ?? 0, early.open))));
      return;
    }
    await drain(body);
  });
  return out;
}

/** Bytes of an entry's start enough to tell a gzip stream or a tar header. */
const HEAD = 512;

/** Writes a stream to a new file at `path`, hashing it; `startEarly` may begin unpacking it as it grows. */
export async function writeStaged(body: AsyncIterable<unknown>, path: string,
  startEarly?: (have: number) => Promise<EarlyLayer | undefined>): Promise<StagedFile>
{
  const hash = createHash('sha256');
  const fd = openSync(path, 'wx', 0o600);
  let size = 0;
  let head: Buffer | undefined = startEarly ? Buffer.alloc(0) : undefined;
  let early: EarlyLayer | undefined;
  try {
    for await (const c of body) {
      const chunk = c as Buffer;
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      size += chunk.length;
      if (early) early.grow(size);
      else if (head !== undefined && startEarly) {
        head = Buffer.concat([head, chunk.subarray(0, HEAD - head.length)]);
        if (head.length < HEAD) continue;
        early = EarlyLayer.looksLikeLayer(head) ? await startEarly(size) : undefined;
        head = undefined;
      }
    }
  } finally {
    closeSync(fd);
  }
  early?.end();
  const f: StagedFile = { path, digest: `sha256:${hash.digest('hex')}`, size, unsynced: true };
  if (early) f.early = early;
  return f;
}

export function parseJson<T>(file: StagedFile | undefined, what: string, read: (p: string) => string): T {
  if (!file) throw corrupt('image.corrupt', `archive has no ${what}`);
  try {
    return JSON.parse(read(file.path)) as T;
  } catch {
    throw corrupt('image.corrupt', `${what} is not valid JSON`);
  }
}
