// Packs a directory into a tar stream: a container's filesystem for `export`, or its writable
// overlay layer for `commit` and `build`, where overlayfs's whiteouts (a 0:0 character device,
// a directory marked trusted.overlay.opaque=y) become the OCI ones (.wh.NAME, .wh..wh..opq).
// Names are sorted and nothing is followed, so the same tree gives the same tar.
import { createReadStream, lstatSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Header } from 'tar-stream';

type Headers = Partial<Header> & { name: string };
import { unavailable } from '../common/errors.js';
import { run } from '../sys/exec.js';

export interface PackOptions {
  /** Convert overlayfs whiteouts to OCI whiteouts (for a writable layer). */
  overlayWhiteouts?: boolean;
  /** Entries (relative, no leading slash) to leave out, with everything under them. */
  exclude?: (rel: string) => boolean;
  /** The name each entry (and hard link target) is archived under; `cp` renames its top entry. */
  rename?: (rel: string) => string;
  /** Archive every entry as owned by this user and group (Docker's cp without -a). */
  owner?: { uid: number; gid: number };
  /**
   * The id to archive for an owner on the host: a container in a user namespace writes its
   * root's files as a subordinate uid, which its image must hold as 0 again.
   */
  ids?: (id: number, kind: 'uid' | 'gid') => number;
}

const major = (rdev: number) => (rdev >> 8) & 0xfff;
const minor = (rdev: number) => (rdev & 0xff) | ((rdev >> 12) & 0xfff00);

/** Directories under dir marked opaque by overlayfs, as paths relative to dir. */
export function opaqueDirs(dir: string): Set<string> {
  const r = run('getfattr', ['-R', '-h', '--absolute-names', '-n', 'trusted.overlay.opaque', dir], { allowFail: true });
  const out = new Set<string>();
  let file: string | undefined;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('# file: ')) file = line.slice(8);
    else if (file !== undefined && /^trusted\.overlay\.opaque="y"$/.test(line.trim())) {
      out.add(file === dir ? '' : file.slice(dir.length + 1));
    }
  }
  return out;
}

// A stream per small file costs more event-loop turns than its read; a layer has thousands of them.
const SMALL_FILE = 1 << 20;

function fileBody(path: string, size: number): Readable | Buffer | undefined {
  if (size === 0) return undefined;
  if (size > SMALL_FILE) return createReadStream(path);
  const b = readFileSync(path);
  // The file changed between lstat and read: the header's size is what the tar must hold.
  if (b.length !== size) throw unavailable('pack.changed', `${path} changed while it was being archived`, 'try again');
  return b;
}

/**
 * Writes the tar of `dir` to `out`; resolves when it is all written, with the bytes of its
 * regular file entries (hard links not counted: a layer's content size as unpack counts it).
 */
export async function packDir(dir: string, out: Writable, opts: PackOptions = {}): Promise<number> {
  const pack = tar.pack();
  const piping = pipeline(pack as unknown as Readable, out);
  piping.catch(() => undefined);
  const opaque = opts.overlayWhiteouts ? opaqueDirs(dir) : new Set<string>();
  const inodes = new Map<string, string>();
  let fileBytes = 0;
  const entry = (h0: Headers, body?: Readable | Buffer): Promise<void> =>
    new Promise((res, rej) => {
      const h: Headers = opts.rename
        ? { ...h0, name: opts.rename(h0.name), ...(h0.type === 'link' && h0.linkname ? { linkname: opts.rename(h0.linkname) } : {}) } : h0;
      const done = (err?: Error | null) => (err ? rej(err) : res());
      // A file entry without a body must be given an empty one, or tar-stream waits for its end.
      if (!body || Buffer.isBuffer(body)) {
        // Errors reach us through `done` and the pipeline; a listener keeps them from being fatal events.
        const e = h.type === 'file' ? pack.entry(h, body ?? Buffer.alloc(0), done) : pack.entry(h, done);
        e.on('error', () => undefined);
        return;
      }
      const e = pack.entry(h, done);
      e.on('error', rej);
      body.on('error', (err) => {
        e.destroy(err);
        rej(err);
      });
      body.pipe(e as unknown as Writable);
    });
  const meta = (rel: string, st: Stats): Headers => ({
    name: rel,
    mode: st.mode & 0o7777,
    uid: opts.owner?.uid ?? (opts.ids ? opts.ids(st.uid, 'uid') : st.uid),
    gid: opts.owner?.gid ?? (opts.ids ? opts.ids(st.gid, 'gid') : st.gid),
    mtime: st.mtime,
  });
  const walk = async (rel: string): Promise<void> => {
    const abs = rel === '' ? dir : join(dir, rel);
    const names = readdirSync(abs).sort();
    if (opaque.has(rel)) await entry({ name: rel === '' ? '.wh..wh..opq' : `${rel}/.wh..wh..opq`, type: 'file', size: 0, mode: 0o644, mtime: new Date(0) });
    for (const n of names) {
      const r = rel === '' ? n : `${rel}/${n}`;
      if (opts.exclude?.(r)) continue;
      const p = join(abs, n);
      const st = lstatSync(p);
      if (st.isDirectory()) {
        await entry({ ...meta(`${r}/`, st), type: 'directory' });
        await walk(r);
      } else if (st.isSymbolicLink()) {
        await entry({ ...meta(r, st), type: 'symlink', linkname: readlinkSync(p) });
      } else if (st.isCharacterDevice() && opts.overlayWhiteouts && st.rdev === 0) {
        await entry({ name: rel === '' ? `.wh.${n}` : `${rel}/.wh.${n}`, type: 'file', size: 0, mode: 0o644, mtime: new Date(0) });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await entry({ ...meta(r, st), type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
      } else if (st.isFIFO()) {
        await entry({ ...meta(r, st), type: 'fifo' });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first !== undefined) {
          await entry({ ...meta(r, st), type: 'link', linkname: first });
        } else {
          if (st.nlink > 1) inodes.set(key, r);
          fileBytes += st.size;
          await entry({ ...meta(r, st), type: 'file', size: st.size }, fileBody(p, st.size));
        }
      }
      // Sockets are not archived (tar cannot restore them either).
    }
  };
  try {
    await walk('');
    pack.finalize();
    await piping;
    return fileBytes;
  } catch (e) {
    pack.destroy(e as Error);
    throw closedOutput(e);
  }
}

/** A reader that went away (`berth export | head`) is the user's doing, not a bug. */
export function closedOutput(e: unknown): unknown {
  return (e as NodeJS.ErrnoException)?.code === 'EPIPE'
    ? unavailable('output.closed', 'the output was closed before the archive was complete')
    : e;
}
