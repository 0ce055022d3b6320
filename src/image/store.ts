// The content store under the root: blobs/sha256/<hex> (immutable, named by their digest) and
// layers/<hex of diff id>/ (unpacked once, shared by every image that has the layer).
// Files appear atomically (temp, fsync, link or rename) so a crash or a racing import never
// leaves a half-written blob or layer under its final name.
import { step } from '../common/fault.js';
import { nodeCrypto, nodeStream, nodeZlib } from '../common/lazy.js';
import {
  chmodSync,
  closeSync,
  createReadStream,
  fsyncSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { corrupt, unavailable } from '../common/errors.js';
import type { LayerUnpacker } from './records.js';

const DIGEST = /^sha256:([a-f0-9]{64})$/;

export function hexOf(digest: string): string {
  const m = DIGEST.exec(digest);
  if (!m) throw corrupt('image.corrupt', `"${digest}" is not a sha256 digest`);
  return m[1]!;
}

export function blobPath(root: string, digest: string): string {
  return join(root, 'blobs', 'sha256', hexOf(digest));
}

export function layerDir(root: string, diffId: string): string {
  return join(root, 'layers', hexOf(diffId));
}

/** A private scratch directory under <root>/tmp, on the same filesystem as the store. */
export function makeStaging(root: string): string {
  const tmp = join(root, 'tmp');
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  sweepStale(root);
  return mkdtempSync(join(tmp, 'import-'));
}

const STALE_MS = 24 * 3600 * 1000;

/**
 * Removes what a killed import or rmi left: staging dirs and half-unpacked layers older than a
 * day (no import runs that long), and layer directories already renamed for deletion.
 */
export function sweepStale(root: string, now = Date.now()): void {
  const old = (p: string) => {
    try {
      return now - statSync(p).mtimeMs > STALE_MS;
    } catch {
      return false;
    }
  };
  const list = (d: string) => {
    try {
      return readdirSync(d);
    } catch {
      return [];
    }
  };
  for (const n of list(join(root, 'tmp'))) {
    const p = join(root, 'tmp', n);
    if (n.startsWith('import-') && old(p)) rmSync(p, { recursive: true, force: true });
  }
  for (const n of list(join(root, 'layers'))) {
    const p = join(root, 'layers', n);
    if (n.startsWith('.trash-') || (n.startsWith('.tmp-') && old(p))) rmSync(p, { recursive: true, force: true });
  }
  for (const n of list(join(root, 'blobs', 'sha256'))) {
    const p = join(root, 'blobs', 'sha256', n);
    if (n.startsWith('.tmp-') && old(p)) rmSync(p, { force: true });
  }
}

export function sha256(data: Buffer | string): string {
  return `sha256:${nodeCrypto().createHash('sha256').update(data).digest('hex')}`;
}

/** Writes bytes as a blob (verifying `expected` when given). Returns whether this call created it. */
export function writeBlob(root: string, data: Buffer, expected?: string): { digest: string; created: boolean } {
  const digest = sha256(data);
  if (expected !== undefined && expected !== digest) {
    throw corrupt('image.corrupt', `blob ${expected} has digest ${digest}`);
  }
  const dir = join(root, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tmp = join(dir, `.tmp-${nodeCrypto().randomBytes(8).toString('hex')}`);
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeFileSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    return { digest, created: adoptBlob(root, tmp, digest) };
  } finally {
    rmSync(tmp, { force: true });
  }
}

/**
 * Puts an already fsync'd file whose digest the caller computed into the store under that
 * digest, by hard link: the staged copy stays until the caller drops its staging directory.
 * Returns false when the blob was already there.
 */
export function adoptBlob(root: string, staged: string, digest: string): boolean {
  const dir = join(root, 'blobs', 'sha256');
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  try {
    linkSync(staged, blobPath(root, digest));
    step('image.blob');
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

export function hasBlob(root: string, digest: string): boolean {
  return existsSync(blobPath(root, digest));
}

/** Opens a file, gunzipping it when it starts with the gzip magic; zstd is refused by name. */
export function openMaybeCompressed(path: string, what: string): Readable {
  const head = Buffer.alloc(4);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, head, 0, 4, 0);
  } finally {
    closeSync(fd);
  }
  const raw = createReadStream(path);
  if (n >= 2 && head[0] === 0x1f && head[1] === 0x8b) return raw.pipe(nodeZlib().createGunzip());
  if (n === 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    raw.destroy();
    throw unavailable('image.unsupported', `${what} is zstd-compressed, which berth cannot read yet`, 'recompress the image with gzip');
  }
  return raw;
}

/** A stream gunzipped when it starts with the gzip magic (stdin, which cannot be peeked at by path). */
export async function maybeGunzip(src: Readable, what: string): Promise<Readable> {
  const it = src[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < 4 && !done) {
    const n = await it.next();
    if (n.done) done = true;
    else {
      head.push(n.value);
      have += n.value.length;
    }
  }
  const first = Buffer.concat(head);
  if (first.length >= 4 && first.readUInt32LE(0) === 0xfd2fb528) {
    src.destroy();
    throw unavailable('image.unsupported', `${what} is zstd-compressed, which berth cannot read yet`, 'recompress the image with gzip');
  }
  async function* all(): AsyncGenerator<Buffer> {
    if (first.length > 0) yield first;
    if (done) return;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  const raw = nodeStream().Readable.from(all(), { objectMode: false });
  if (!(first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b)) return raw;
  const gz = nodeZlib().createGunzip();
  raw.on('error', (e) => gz.destroy(e));
  return raw.pipe(gz);
}

export function isGzip(path: string): boolean {
  const head = Buffer.alloc(2);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

export interface EnsuredLayer {
  diffId: string;
  size: number;
  /** True when this call unpacked it (so an import that fails must remove it again). */
  created: boolean;
}

/**
 * Makes layers/<diffId>/ from a layer stream, checking the stream really has that diff id.
 * An existing directory is reused after the stream is digested (a lying archive must not get
 * someone else's layer under its own claim). Two imports racing on one layer each unpack into
 * a private temp directory; the rename loser drops its copy.
 */
export async function ensureLayer(ctx: { root: string; layers: LayerUnpacker }, expectedDiffId: string, open: () => Readable): Promise<EnsuredLayer> {
  const { root } = ctx;
  const final = layerDir(root, expectedDiffId);
  if (existsSync(final)) {
    const r = await ctx.layers.digest(open());
    checkDiffId(expectedDiffId, r.diffId);
    return { ...r, created: false };
  }
  const parent = join(root, 'layers');
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const tmp = mkdtempSync(join(parent, '.tmp-'));
  try {
    // A layer without a "./" entry leaves the root as mkdtemp made it (0700); a rootfs needs 0755.
    chmodSync(tmp, 0o755);
    const r = await ctx.layers.unpack(open(), tmp);
    checkDiffId(expectedDiffId, r.diffId);
    return { ...r, created: commitLayer(root, tmp, expectedDiffId) };
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

/** A private directory under layers/ to unpack one layer into, 0755 like a rootfs. */
export function makeLayerTmp(root: string): string {
  const parent = join(root, 'layers');
  mkdirSync(parent, { recursive: true, mode: 0o755 });
  const tmp = mkdtempSync(join(parent, '.tmp-'));
  chmodSync(tmp, 0o755);
  return tmp;
}

/**
 * Renames an unpacked (and diff-id-checked) directory to its layer's name. Returns false when a
 * racing import got there first; then this copy is dropped.
 */
export function commitLayer(root: string, tmp: string, diffId: string): boolean {
  const dest = layerDir(root, diffId);
  // A build's layer can be the first this root ever holds: nothing has made layers/ yet.
  mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
  try {
    renameSync(tmp, dest);
    step('image.layer');
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
    rmSync(tmp, { recursive: true, force: true });
    return false;
  }
}

export function checkDiffId(expected: string, got: string): void {
  if (expected !== got) throw corrupt('image.corrupt', `layer ${expected} has diff id ${got}`);
}

/** Moves a layer directory out of the way inside a transaction; the slow rm happens after. */
export function trashLayer(root: string, diffId: string): string | undefined {
  const dir = layerDir(root, diffId);
  const trash = join(root, 'layers', `.trash-${nodeCrypto().randomBytes(8).toString('hex')}`);
  try {
    renameSync(dir, trash);
    return trash;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

export function removeBlob(root: string, digest: string): void {
  try {
    unlinkSync(blobPath(root, digest));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

export function fileSize(path: string): number {
  return statSync(path).size;
}
