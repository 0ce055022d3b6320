// `berth load` / `berth import`: an image archive (OCI layout or docker-archive) or a plain
// root filesystem tarball, gzipped or not, from a file or stdin, into the content store.
// All or nothing: every digest is checked, and on any failure what this import added
// (blobs, layer directories) is removed again and no record is written.
import { step } from '../common/fault.js';
import { createReadStream, createWriteStream, existsSync, readFileSync, rmSync, statSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { BerthError, corrupt, invalid, isBerthError, notFound, unavailable } from '../common/errors.js';
import { archiveNames, stageArchive, syncStaged, writeStaged, type StagedFile } from './archive.js';
import { discardAll, EarlyLayer } from './early-layer.js';
import { dockerEntryCount, goArch, ociEntries, planDocker, planOci, rootfsConfig, MEDIA, type ConfigChanges, type ImportPlan } from './formats.js';
import { discardUnused } from './gc.js';
import { normalizeName, splitName } from './reference.js';
import { pool } from './registry/progress.js';
import { StreamedLayer } from './streamed-layer.js';
import { adoptBlob, hasBlob, isGzip, layerDir, makeStaging, maybeGunzip, openMaybeCompressed, sha256 } from './store.js';
import type { ImageContext, ImageSummary } from './types.js';

export interface ImportOptions {
  /** Run defaults for a root filesystem tarball (docker import --change); archives carry their own config. */
  changes?: ConfigChanges;
}

interface Made {
  blobs: string[];
  layers: string[];
  /** Layers unpacking since the archive was read; whatever is not committed is dropped at the end. */
  early: EarlyLayer[];
  /** Diff ids already checked in this import against a blob's bytes (an image loaded under two names). */
  checked: Map<string, { digest: string; size: number }>;
}

function newMade(): Made {
  return { blobs: [], layers: [], early: [], checked: new Map() };
}

export async function importImage(ctx: ImageContext, source: string, name?: string, opts: ImportOptions = {}): Promise<ImageSummary> {
  const label = source === '-' ? 'image from stdin' : `image archive ${source}`;
  // A bad name is refused before any work is done.
  const given = name === undefined ? undefined : normalizeName(name);
  if (source !== '-' && !existsSync(source)) {
    throw notFound('image.source_not_found', `no such file: ${source}`);
  }
  const staging = makeStaging(ctx.root);
  const made = newMade();
  const early = { ctx, open: made.early };
  try {
    const { file, names } = await openArchive(source, staging);
    let plan: ImportPlan;
    if (names.has('index.json') && names.has('oci-layout')) {
      plan = planOci(await readingArchive(() => stageArchive(file, staging, early)));
    } else if (names.has('manifest.json')) {
      plan = planDocker(await readingArchive(() => stageArchive(file, staging, early)));
    } else {
      plan = await planRootfs(ctx, file, staging, opts.changes ?? {}, made.early);
    }
    const tag = given ?? (plan.name ? normalizeArchiveName(plan.name) : undefined);
    return await commit(ctx, plan, staging, tag, made);
  } catch (e) {
    await discardAll(made.early);
    discardUnused(ctx, made);
    throw asImportError(label, e);
  } finally {
    await discardAll(made.early);
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * `berth load`: every image an archive holds (each name of each, as podman load does), all or
 * nothing. A plain root filesystem tarball is refused: that is `berth import`.
 */
export async function loadImages(ctx: ImageContext, source: string): Promise<ImageSummary[]> {
  const label = source === '-' ? 'image from stdin' : `image archive ${source}`;
  if (source !== '-' && !existsSync(source)) throw notFound('image.source_not_found', `no such file: ${source}`);
  const staging = makeStaging(ctx.root);
  const made = newMade();
  try {
    // One pass over the archive, from the file or straight from stdin: its files are written once (they
    // become the blobs by hard links) as its names are learnt, and its layers unpack as they stream by.
    const input = source === '-' ? await maybeGunzip(process.stdin, 'the archive') : source;
    const c = await readingArchive(() => stageArchive(input, staging, { ctx, open: made.early }));
    if (c.entries === 0) throw corrupt('image.corrupt', 'it holds no files (an empty tar stream)');
    const isOci = c.files.has('index.json') && c.files.has('oci-layout');
    if (!isOci && !c.files.has('manifest.json')) {
      throw invalid('image.not_an_archive', `${source === '-' ? 'stdin' : source} is not an image archive (no index.json or manifest.json)`,
        'a root filesystem tarball is imported with `berth import FILE NAME`');
    }
    const plans: Array<{ plan: ImportPlan; tags: Array<string | undefined> }> = [];
    if (isOci) {
      const fits = (d: { platform?: { os?: string; architecture?: string } }) =>
        !d.platform || ((d.platform.os ?? 'linux') === 'linux' && (d.platform.architecture ?? goArch()) === goArch());
      const list = ociEntries(c).filter(fits);
      if (list.length === 0) plans.push({ plan: planOci(c), tags: [] });
      for (const d of list) {
        const plan = planOci(c, d);
        plans.push({ plan, tags: [plan.name ? normalizeArchiveName(plan.name) : undefined] });
      }
    } else {
      const n = Math.max(1, dockerEntryCount(c));
      for (let i = 0; i < n; i++) {
        const plan = planDocker(c, i);
        const tags = (plan.names ?? []).map(normalizeArchiveName).filter((t): t is string => t !== undefined);
        plans.push({ plan, tags: tags.length > 0 ? tags : [undefined] });
      }
    }
    const out: ImageSummary[] = [];
    for (const p of plans) for (const t of p.tags.length > 0 ? p.tags : [undefined]) out.push(await commit(ctx, p.plan, staging, t, made));
    return out;
  } catch (e) {
    await discardAll(made.early);
    discardUnused(ctx, made);
    throw asImportError(label, e);
  } finally {
    await discardAll(made.early);
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Archive names that do not parse (an OCI ref.name that is only a tag, say) are dropped, not fatal. */
function normalizeArchiveName(n: string): string | undefined {
  try {
    return normalizeName(n);
  } catch {
    return undefined;
  }
}

async function planRootfs(ctx: ImageContext, file: string, staging: string, changes: ConfigChanges, open: EarlyLayer[]): Promise<ImportPlan> {
  // The tarball itself becomes the layer blob; copied in, so the user's file is never linked into the store.
  // Unpacked while it is copied: the diff id is the unpacker's hash, and the unpacked directory is
  // committed under it; no second read to digest it first.
  const layerFile = await stageCopy(file, join(staging, 'rootfs'), ctx, open);
  const got = await layerFile.early?.result();
  const diffId = got && !(got instanceof Error) ? got.diffId : (await ctx.layers.digest(openMaybeCompressed(layerFile.path, 'the tarball'))).diffId;
  const cfg = rootfsConfig(diffId, changes, new Date().toISOString());
  const config = stageBuffer(staging, 'config', cfg.data);
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
    layers: [{ mediaType: isGzip(layerFile.path) ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: layerFile.digest, size: layerFile.size }],
  };
  return { config, image: cfg.image, manifest: { data: Buffer.from(JSON.stringify(manifest)) }, layers: [{ file: layerFile, diffId }], name: undefined };
}

async function commit(ctx: ImageContext, plan: ImportPlan, staging: string, tag: string | undefined, made: Made): Promise<ImageSummary> {
  const manifest = 'file' in plan.manifest ? plan.manifest.file : stageBuffer(staging, 'manifest', plan.manifest.data);
  const blobs: StagedFile[] = [plan.config, manifest, ...plan.layers.map((l) => l.file)];
  for (const b of blobs) {
    syncStaged(b);
    if (adoptBlob(ctx.root, b.path, b.digest)) made.blobs.push(b.digest);
  }
  // Layers are independent directories: most began unpacking as the archive was read (early); the
  // rest unpack now, at once, on as many threads as CPUs.
  const sizes = await pool(plan.layers.map((l) => async () => {
    const seen = made.checked.get(l.diffId);
    if (seen?.digest === l.file.digest && existsSync(layerDir(ctx.root, l.diffId))) return seen.size;
    const r = (await l.file.early?.take(ctx.root, l.diffId)) ?? (await StreamedLayer.fromFile(ctx, l.diffId, l.file.path, l.file.size));
    if (r.created) made.layers.push(l.diffId);
    made.checked.set(l.diffId, { digest: l.file.digest, size: r.size });
    return r.size;
  }), plan.layers.length);
  const id = plan.config.digest;
  const size = sizes.reduce((a, b) => a + b, 0);
  const created = typeof plan.image.created === 'string' ? plan.image.created : new Date().toISOString();
  const configText = readFileSync(plan.config.path, 'utf8');
  ctx.store.transaction(() => {
    // A concurrent rmi may have collected what we found already in the store; blobs we can
    // put back from staging, a vanished layer directory means trying again.
    for (const b of blobs) if (!hasBlob(ctx.root, b.digest)) adoptBlob(ctx.root, b.path, b.digest);
    for (const l of plan.layers) {
      if (!existsSync(layerDir(ctx.root, l.diffId))) {
        throw unavailable('image.concurrent_removal', `layer ${l.diffId} was removed while importing`, 'run the import again');
      }
    }
    plan.layers.forEach((l, i) => ctx.store.insertLayer({ diffId: l.diffId, blobDigest: l.file.digest, size: sizes[i]! }));
    ctx.store.insertImage({ id, manifestDigest: manifest.digest, config: configText, layers: plan.layers.map((l) => l.diffId), size, created });
    if (tag !== undefined) ctx.store.setTag(tag, id);
  });
  made.blobs = [];
  made.layers = [];
  step('image.recorded');
  const rt = tag === undefined ? { repository: '<none>', tag: '<none>' } : splitName(tag);
  return { ...rt, id, created, size };
}

/** The archive as a file: stdin is copied into staging first. */
async function archiveFile(source: string, staging: string): Promise<string> {
  if (source !== '-') return source;
  const file = join(staging, 'stdin');
  await pipeline(process.stdin, createWriteStream(file));
  return file;
}

/** The archive as a file and the names of its entries. */
async function openArchive(source: string, staging: string): Promise<{ file: string; names: Set<string> }> {
  const file = await archiveFile(source, staging);
  const { names, entries } = await readingArchive(() => archiveNames(file));
  if (entries === 0) throw corrupt('image.corrupt', 'it holds no files (an empty tar stream)');
  return { file, names };
}

/** Errors from reading the archive itself (bad gzip, bad tar) mean the archive is damaged. */
async function readingArchive<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (isBerthError(e)) throw e;
    // Writing what was read failed (a full or read-only disk): that is the disk, not the archive.
    const code = (e as { code?: unknown }).code;
    if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'EROFS') throw e;
    throw corrupt('image.corrupt', `cannot read it as a tar archive (${(e as Error).message})`);
  }
}

function asImportError(label: string, e: unknown): unknown {
  if (e instanceof BerthError && e.kind === 'Corrupt') {
    return new BerthError('Corrupt', 'image.corrupt', `${label} is corrupt: ${e.message}`, {
      hint: 'the file is damaged or truncated; save or export the image again',
      cause: e,
    });
  }
  return e;
}

function stageBuffer(staging: string, name: string, data: Buffer): StagedFile {
  const path = join(staging, name);
  writeFileSync(path, data, { mode: 0o600 });
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { path, digest: sha256(data), size: data.length };
}

async function stageCopy(from: string, to: string, ctx: ImageContext, open: EarlyLayer[]): Promise<StagedFile> {
  const size = statSync(from).size;
  return writeStaged(createReadStream(from), to, (have) => EarlyLayer.start(ctx, to, have, size, open));
}
