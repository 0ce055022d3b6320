// COPY's directory copy in one walk: each entry is created once with its final mode, owner and
// file times, instead of fs.cpSync (which stats source and destination, re-stats the source for
// its times and chmods every file) followed by a second walk that sets owners. Small files are
// read whole (the cache key's hash has just read them, so they come from the page cache) and
// written with O_EXCL, which never follows a link already at the destination; big ones go
// through copy_file_range, or a reflink where the filesystem has one.
import {
  chmodSync,
  constants,
  copyFileSync,
  cpSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  type Stats,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export interface TreeCopy {
  /** Relative paths (from the source root) the ignore file hides. */
  exclude: (rel: string) => boolean;
  owner: { uid: number; gid: number } | undefined;
  /** --chmod: the mode of every copied entry but symlinks. */
  mode: number | undefined;
}

const SMALL_FILE = 1 << 20;
const umask = process.umask();

/** Makes `to` free for a new entry: a file or link there from an earlier source is replaced. */
function retryFree<T>(to: string, make: () => T): T {
  try {
    return make();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || lstatSync(to).isDirectory()) throw e;
    unlinkSync(to);
    return make();
  }
}

function own(to: string, st: Stats, o: TreeCopy): void {
  if (o.owner) lchownSync(to, o.owner.uid, o.owner.gid);
  else if (st.uid !== 0 || st.gid !== 0) lchownSync(to, 0, 0);
}

function copyFile(from: string, to: string, st: Stats, o: TreeCopy): void {
  const mode = o.mode ?? st.mode & 0o7777;
  if (st.size <= SMALL_FILE) {
    const data = readFileSync(from);
    retryFree(to, () => writeFileSync(to, data, { flag: 'wx', mode }));
    // open(2) applies the umask and may drop set-id bits: only then is a chmod needed.
    if ((mode & umask) !== 0 || (mode & 0o7000) !== 0) chmodSync(to, mode);
  } else {
    retryFree(to, () => copyFileSync(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE));
    chmodSync(to, mode);
  }
  own(to, st, o);
  // Whole seconds, as the layer tar holds them: the layer directory is what its tar describes.
  const secs = Math.floor(st.mtimeMs / 1000);
  lutimesSync(to, secs, secs);
}

/**
 * Copies the directory `src` (at `rel` under the source root) into the existing directory `to`:
 * its entries, not the directory itself, as `cp -a src/. to` would, less excluded paths.
 */
export function copyTree(src: string, rel: string, to: string, o: TreeCopy): void {
  for (const n of readdirSync(src)) {
    const r = rel === '' ? n : `${rel}/${n}`;
    if (o.exclude(r)) continue;
    const from = join(src, n);
    const dest = join(to, n);
    const st = lstatSync(from);
    if (st.isFile()) copyFile(from, dest, st, o);
    else if (st.isDirectory()) {
      let made = false;
      try {
        mkdirSync(dest, { mode: 0o700 });
        made = true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        if (!lstatSync(dest).isDirectory()) {
          rmSync(dest, { force: true });
          mkdirSync(dest, { mode: 0o700 });
          made = true;
        }
      }
      copyTree(from, r, dest, o);
      // Like cpSync: a directory gets its source's mode (after its children are in), not its times.
      if (made || o.mode !== undefined) chmodSync(dest, o.mode ?? st.mode & 0o7777);
      own(dest, st, o);
    } else if (st.isSymbolicLink()) {
      const target = readlinkSync(from);
      retryFree(dest, () => symlinkSync(target, dest));
      own(dest, st, o);
    } else {
      // FIFOs, sockets, devices: whatever cpSync does with them (it refuses most), as before.
      cpSync(from, dest, { verbatimSymlinks: true, preserveTimestamps: true, force: true });
      own(dest, st, o);
      if (o.mode !== undefined) chmodSync(dest, o.mode);
    }
  }
}
