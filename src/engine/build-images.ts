// What the builder needs from images, as engine operations over plain data: resolve a base,
// commit a step (config only, or a layer made from a directory), look into an image's files,
// remember steps in the build cache, tag the result. The builder never sees a layer directory,
// a mount or a database row; it hands over ids, configs and directories it filled itself.
//
// Worked example, the step `COPY app/ /srv/` on top of image P:
//   const hit = lookupBuildStep(ctx, key);            // undefined: not built before
//   const img = await commitDirStep(ctx, { parent: P.id, config, createdBy: 'COPY app/ /srv/',
//     configSteps: [], fill: async (root) => { cpSync('ctx/app', join(root, 'srv'), ...) } });
//   rememberBuildStep(ctx, key, img.id);              // the next build's lookup finds img
import { createReadStream, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalid } from '../common/errors.js';
import { mark } from '../common/timing.js';
import { createImage } from '../image/create.js';
import { imageLayerDirs, resolveImage } from '../image/images.js';
import type { ImageRecord, OciContainerConfig } from '../image/types.js';
import { lookupBuildCache, storeBuildCache } from '../state/build-cache.js';
import { unpackLayer } from '../storage/unpack.js';
import { start } from '../sys/exec.js';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { pidAlive } from '../sys/proc.js';
import type { EngineContext } from './context.js';
import { tagImage } from './transfer.js';
import { packLayerDir } from './pack-layer.js';
import { imageContext } from './parts.js';

export type { OciContainerConfig };
export { ensureImage, type PullOptions, type PullPolicy } from './registry.js';

/** An image as a build step sees it: its id and its run config (a copy the caller owns). */
export interface BuildImage {
  /** "sha256:<hex>". */
  id: string;
  config: OciContainerConfig;
}

/** What every image-making step says about itself. */
export interface CommitStepOptions {
  /** The image the step starts from; undefined: scratch. */
  parent: string | undefined;
  /** The new image's config. */
  config: OciContainerConfig;
  /** The history line of the step ("COPY a /b", "RUN make"). */
  createdBy: string;
  /** Config-only instructions folded into this image, as empty history entries before createdBy's. */
  configSteps: string[];
}

/** A path's kind and metadata as an image's merged filesystem shows it. */
export interface ImagePathInfo {
  type: 'directory' | 'file' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

export type ArchiveCompression = 'gzip' | 'tar' | 'xz' | 'bzip2';

const toBuildImage = (img: ImageRecord): BuildImage => ({ id: img.id, config: structuredClone(img.config.config ?? {}) });
const parentRecord = (ctx: EngineContext, id: string | undefined) => (id === undefined ? undefined : resolveImage(imageContext(ctx).store, id));
const ictx = imageContext;

/** The image a name, id or id prefix names. Throws NotFound (kind 'NotFound') when there is none. */
export function findBuildImage(ctx: EngineContext, ref: string): BuildImage {
  return toBuildImage(resolveImage(imageContext(ctx).store, ref));
}

/** The image a step with this cache key made before, if it is still here. */
export function lookupBuildStep(ctx: EngineContext, key: string): BuildImage | undefined {
  const id = lookupBuildCache(ctx.db, key);
  if (id === undefined) return undefined;
  try {
    return findBuildImage(ctx, id);
  } catch {
    return undefined;
  }
}

/** Remembers that the step with this cache key made image `imageId`. */
export function rememberBuildStep(ctx: EngineContext, key: string, imageId: string): void {
  storeBuildCache(ctx.db, key, imageId);
}

/** Gives image `imageId` the name `name`; returns the stored name ("localhost/app:latest"). */
export function tagBuiltImage(ctx: EngineContext, imageId: string, name: string): string {
  return tagImage(ctx, imageId, name);
}

/** A new image with no new layer: `parent`'s layers under a new config and history. */
export async function commitConfigStep(ctx: EngineContext, o: CommitStepOptions): Promise<BuildImage> {
  return toBuildImage(await createImage(ictx(ctx), {
    parent: parentRecord(ctx, o.parent),
    config: o.config,
    createdBy: o.createdBy,
    configSteps: o.configSteps,
  }));
}

/**
 * A new image whose one new layer is a directory that `fill` writes: the engine makes an empty
 * directory, `fill` puts the layer's files in it (owners, modes and times as they are to be in
 * the image), the engine packs it and commits the image, and removes the directory whatever happens.
 * If `fill` throws, nothing is committed.
 */
export async function commitDirStep(ctx: EngineContext, o: CommitStepOptions & { fill: (root: string) => Promise<void> }): Promise<BuildImage> {
  const staging = stagingDir(ctx, 'copy-');
  try {
    const root = join(staging, 'root');
    mkdirSync(root, { mode: 0o755 });
    await o.fill(root);
    mark('copy: files written');
    const blob = join(staging, 'layer.tar.gz');
    const packed = await packLayerDir(root, blob);
    mark('copy: layer packed');
    const img = toBuildImage(await createImage(ictx(ctx), {
      parent: parentRecord(ctx, o.parent),
      config: o.config,
      packedLayer: { dir: root, blob, ...packed },
      createdBy: o.createdBy,
      configSteps: o.configSteps,
    }));
    mark('copy: image committed');
    return img;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** A private directory under the root's tmp/ for one step's files; the caller removes it. */
export function stagingDir(ctx: EngineContext, prefix: string): string {
  const dir = join(ctx.paths.root, 'tmp');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return mkdtempSync(join(dir, prefix));
}

/**
 * What is at `path` (absolute, in the image) in image `imageId`, reading its layers top down;
 * undefined when no layer has it or the uppermost one that does deleted it (a whiteout).
 */
export function statInImage(ctx: EngineContext, imageId: string, path: string): ImagePathInfo | undefined {
  return statInLayers(layerDirsOf(ctx, imageId), path)?.info;
}

/** The text of the file at `path` in image `imageId`, or undefined when it has none there. */
export function readInImage(ctx: EngineContext, imageId: string, path: string): string | undefined {
  const hit = statInLayers(layerDirsOf(ctx, imageId), path);
  if (hit?.info.type !== 'file') return undefined;
  try {
    return readFileSync(hit.path, 'utf8');
  } catch {
    return undefined;
  }
}

function layerDirsOf(ctx: EngineContext, imageId: string): string[] {
  return imageLayerDirs(ctx.paths.root, resolveImage(imageContext(ctx).store, imageId));
}

function statInLayers(dirs: readonly string[], path: string): { path: string; info: ImagePathInfo } | undefined {
  for (const d of dirs) {
    const p = join(d, path);
    let s;
    try {
      s = lstatSync(p);
    } catch {
      continue;
    }
    // overlayfs marks a path deleted in an upper layer with a 0:0 character device.
    if (s.isCharacterDevice() && s.rdev === 0) return undefined;
    const type = s.isDirectory() ? 'directory' : s.isFile() ? 'file' : s.isSymbolicLink() ? 'symlink' : 'other';
    return { path: p, info: { type, mode: s.mode, uid: s.uid, gid: s.gid, mtime: s.mtime } };
  }
  return undefined;
}

/**
 * Runs `fn` with a read-only view of image `imageId`'s whole filesystem at a path (COPY --from
 * reads it). The view is gone when fn's promise settles. A one-layer image is its layer
 * directory; a deeper one is a read-only overlay mounted under the runroot, named with this
 * process's pid so that sweepBuildMounts can tell a killed build's view from a live one.
 */
export async function withImageFiles<T>(ctx: EngineContext, imageId: string, fn: (root: string) => Promise<T>): Promise<T> {
  const dirs = layerDirsOf(ctx, imageId);
  if (dirs.length === 1) return fn(dirs[0]!);
  const empty = join(ctx.paths.root, 'empty');
  mkdirSync(empty, { recursive: true, mode: 0o755 });
  // overlayfs needs two lower directories to mount read-only without an upper one.
  const lowers = dirs.length === 0 ? [empty, empty] : dirs;
  const parent = join(ctx.paths.runroot, 'build');
  mkdirSync(parent, { recursive: true, mode: 0o700 });
  const target = mkdtempSync(join(parent, `from-${process.pid}-`));
  try {
    mount({ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`, 'ro'] }, target);
    return await fn(target);
  } finally {
    if (isMounted(target)) unmount(target);
    rmSync(target, { recursive: true, force: true });
  }
}

/** Removes the COPY --from views of builds that were killed (their pid is gone). */
export function sweepBuildMounts(ctx: EngineContext): void {
  const dir = join(ctx.paths.runroot, 'build');
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = /^from-(\d+)-/.exec(n);
    if (!m || pidAlive(Number(m[1]))) continue;
    const p = join(dir, n);
    if (isMounted(p)) unmount(p, { lazy: true });
    rmSync(p, { recursive: true, force: true });
  }
}

/**
 * Unpacks a local tar archive (ADD): `compression` as the caller detected it from its magic,
 * into directory `dest`, with the same confinement as an image layer (nothing lands outside
 * dest). xz and bzip2 are read through their programs. Throws InvalidArgument if the archive is bad.
 */
export async function unpackArchive(o: { archive: string; compression: ArchiveCompression; dest: string }): Promise<void> {
  const a = openArchive(o.archive, o.compression);
  await unpackLayer(a.stream, o.dest);
  await a.done();
}

function openArchive(path: string, c: ArchiveCompression): { stream: Readable; done: () => Promise<void> } {
  if (c === 'tar') return { stream: createReadStream(path), done: async () => undefined };
  if (c === 'gzip') return { stream: createReadStream(path).pipe(createGunzip()), done: async () => undefined };
  const p = start(c, ['-dc', path], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<number>((res) => p.on('close', (code) => res(code ?? 1)));
  return {
    stream: p.stdout!,
    done: async () => {
      const code = await exited;
      if (code !== 0) throw invalid('build.bad_archive', `${path}: ${c} failed: ${err.trim()}`);
    },
  };
}
