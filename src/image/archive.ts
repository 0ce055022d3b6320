// Reads image archives (tar, possibly gzipped) from a file: the names they hold, and their
// files staged to disk with each one's digest, so the format readers can look things up.
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';
import { corrupt } from '../common/errors.js';
import { cleanInRoot } from '../common/paths.js';
import { openMaybeCompressed } from './store.js';

export interface StagedFile {
  /** Host path of the staged copy. */
  path: string;
  digest: string;
  size: number;
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

async function eachEntry(path: string, fn: (h: Header, body: AsyncIterable<unknown>) => Promise<void>): Promise<void> {
  const extract = tar.extract();
  const piping = pipeline(openMaybeCompressed(path, 'the archive'), extract as unknown as NodeJS.WritableStream);
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

/** Copies every regular file of the archive into dir (fsync'd, digested) and records links. */
export async function stageArchive(path: string, dir: string): Promise<ArchiveContents> {
  const out = new ArchiveContents();
  let n = 0;
  await eachEntry(path, async (h, body) => {
    out.entries++;
    const name = cleanInRoot(h.name);
    if (h.type === 'symlink') {
      out.links.set(name, cleanInRoot(posix.join(posix.dirname(name), h.linkname)));
    } else if (h.type === 'link') {
      out.links.set(name, cleanInRoot(h.linkname));
    } else if (h.type === 'file' || h.type === 'contiguous-file') {
      const staged = join(dir, `f${n++}`);
      out.files.set(name, await stageBody(body, staged));
      return;
    }
    await drain(body);
  });
  return out;
}

async function stageBody(body: AsyncIterable<unknown>, path: string): Promise<StagedFile> {
  const hash = createHash('sha256');
  const fd = openSync(path, 'wx', 0o600);
  let size = 0;
  try {
    for await (const c of body) {
      const chunk = c as Buffer;
      hash.update(chunk);
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      size += chunk.length;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { path, digest: `sha256:${hash.digest('hex')}`, size };
}

export function parseJson<T>(file: StagedFile | undefined, what: string, read: (p: string) => string): T {
  if (!file) throw corrupt('image.corrupt', `archive has no ${what}`);
  try {
    return JSON.parse(read(file.path)) as T;
  } catch {
    throw corrupt('image.corrupt', `${what} is not valid JSON`);
  }
}
