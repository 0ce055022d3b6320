// The one way berth replaces a file outside the instances file. A reader (runc, aardvark-dns,
// a container's resolver, the next berth) sees the old file or the new one, never a torn one,
// and after a crash the name holds one of the two: the data is synced before the rename, and
// the directory after it, so the rename itself survives a power cut.
import { closeSync, createWriteStream, fchmodSync, fsync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { basename, dirname, join } from 'node:path';
// node:crypto (and the streams it loads) costs milliseconds at start; ps writes no file.
import { nodeCrypto } from '../common/lazy.js';

export interface AtomicWriteOptions {
  /** The file's mode, applied exactly (the umask does not narrow it). Default 0644. */
  mode?: number;
  /** Makes the directory (and its parents) first, with this mode. */
  mkdirMode?: number;
  /**
   * false: not synced (two fsyncs fewer), for a file written again before each use, so that a
   * power cut may lose it (a bundle's config.json). Readers still see the old file or the new one.
   */
  durable?: boolean;
}

/**
 * Writes `data` to `path` atomically. The temporary file lives in the same directory (a rename
 * is atomic only within one filesystem) under a random dot-name, so two writers never share it.
 */
export function writeFileAtomic(path: string, data: string | Buffer, opts: AtomicWriteOptions = {}): void {
  const dir = dirname(path);
  if (opts.mkdirMode !== undefined) mkdirSync(dir, { recursive: true, mode: opts.mkdirMode });
  const tmp = join(dir, `.${basename(path)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
  try {
    try {
      fchmodSync(fd, opts.mode ?? 0o644);
      const buf = typeof data === 'string' ? Buffer.from(data) : data;
      for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
      if (opts.durable !== false) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  if (opts.durable !== false) syncDir(dir);
}

export interface StagedFile {
  /** Waits for the data to be synced, then gives the file its name (and syncs that). */
  commit: () => Promise<void>;
  /** Removes the staged file: the old one stays as it was. */
  abort: () => Promise<void>;
}

/**
 * writeFileAtomic in two halves, so that its slowest part overlaps other work: the data is
 * written now and synced on libuv's thread pool, which goes on while the caller waits on a
 * program; the name changes only at `commit`. Exactly one of commit and abort must be called.
 */
export function stageFileAtomic(path: string, data: string, opts: { mode?: number } = {}): StagedFile {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
  let synced: Promise<void>;
  try {
    fchmodSync(fd, opts.mode ?? 0o644);
    const buf = Buffer.from(data);
    for (let off = 0; off < buf.length;) off += writeSync(fd, buf, off, buf.length - off);
    synced = new Promise<void>((resolve, reject) => fsync(fd, (e) => (e ? reject(e) : resolve())));
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  // Seen by commit or abort; until then a failed sync must not count as unhandled.
  synced.catch(() => undefined);
  // The descriptor is closed only once the thread pool is done with it.
  const settle = async () => {
    try {
      await synced;
    } finally {
      closeSync(fd);
    }
  };
  return {
    commit: async () => {
      try {
        await settle();
        renameSync(tmp, path);
      } catch (e) {
        rmSync(tmp, { force: true });
        throw e;
      }
      syncDir(dir);
    },
    abort: async () => {
      try {
        await settle();
      } catch { /* the file goes either way */ }
      rmSync(tmp, { force: true });
    },
  };
}

/**
 * The same for a stream (an image archive, an exported rootfs): `produce` writes into the
 * temporary file, and only a complete one takes the name. The file is opened before `produce`
 * runs: a lazily opened stream could create it after a failure had removed it.
 */
export async function writeStreamAtomic(path: string, produce: (out: Writable) => Promise<unknown>, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${nodeCrypto().randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', opts.mode ?? 0o644);
  try {
    await produce(createWriteStream('', { fd, autoClose: false }));
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch { /* closed already */ }
    rmSync(tmp, { force: true });
    throw e;
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
