// Makes a new image on top of a parent (or from scratch): the parent's layers, an optional new
// layer from a tar file, and a new config. Used by `commit` and by the builder for each step.
// Like import, all or nothing: on failure, what this call added is removed again.
import { step } from '../common/fault.js';
import { createReadStream, createWriteStream, existsSync, rmSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { createGzip } from 'node:zlib';
import { unavailable } from '../common/errors.js';
import { MEDIA, goArch, type Descriptor } from './formats.js';
import { discardUnused } from './gc.js';
import { normalizeName } from './reference.js';
import { storedManifest } from './save.js';
import { StreamedLayer } from './streamed-layer.js';
import { adoptBlob, commitLayer, hasBlob, layerDir, makeStaging, writeBlob } from './store.js';
import type { ImageContext, ImageRecord, OciContainerConfig, OciImage } from './types.js';

export interface NewImage {
  /** Undefined: from scratch. */
  parent: ImageRecord | undefined;
  config: OciContainerConfig;
  /** An uncompressed tar of the new layer, if the step made one. */
  layerTar?: string;
  /**
   * A new layer already made by the caller: `dir` holds its files exactly as the tar `blob`
   * (gzip, on the store's filesystem) describes them, with these digests. The directory is moved
   * into the store as the layer and the blob linked in, so nothing is unpacked again.
   */
  packedLayer?: { dir: string; blob: string; diffId: string; digest: string; blobSize: number; size: number };
  /** What the history entry says made it ("RUN make", "berth commit"). */
  createdBy: string;
  /** Config-only instructions (ENV, CMD…) folded into this image, as empty history entries before createdBy's. */
  configSteps?: string[];
  author?: string;
  comment?: string;
  tags?: string[];
}

const OCI_LAYER: Record<string, string> = {
  'application/vnd.docker.image.rootfs.diff.tar.gzip': MEDIA.ociLayerGzip,
  'application/vnd.docker.image.rootfs.diff.tar': MEDIA.ociLayer,
};

/**
 * One read of the layer tar gives its diff id and its gzip blob with that blob's digest. Level 1:
 * berth's own layers are made often and pushed rarely, and level 6 tripled a COPY step's time for
 * a blob about 10% smaller. Digests describe whatever bytes were written, so either level is exact.
 */
async function gzipFile(from: string, to: string): Promise<{ diffId: string; digest: string; size: number }> {
  const raw = createHash('sha256');
  const h = createHash('sha256');
  let size = 0;
  const tapRaw = new Transform({
    transform(c: Buffer, _e, cb) {
      raw.update(c);
      cb(null, c);
    },
  });
  const tap = new Transform({
    transform(c: Buffer, _e, cb) {
      h.update(c);
      size += c.length;
      cb(null, c);
    },
  });
  await pipeline(createReadStream(from), tapRaw, createGzip({ level: 1 }), tap, createWriteStream(to, { mode: 0o600 }));
  return { diffId: `sha256:${raw.digest('hex')}`, digest: `sha256:${h.digest('hex')}`, size };
}

export async function createImage(ctx: ImageContext, n: NewImage): Promise<ImageRecord> {
  const tags = (n.tags ?? []).map((t) => normalizeName(t));
  const created = new Date().toISOString();
  const parentLayers: Descriptor[] = n.parent
    ? storedManifest(ctx.root, n.parent).manifest.layers.map((l) => ({ mediaType: OCI_LAYER[l.mediaType] ?? l.mediaType, digest: l.digest, size: l.size }))
    : [];
  const staging = makeStaging(ctx.root);
  const made = { blobs: [] as string[], layers: [] as string[] };
  try {
    let layer: { diffId: string; desc: Descriptor; size: number } | undefined;
    const p = n.packedLayer;
    if (p !== undefined) {
      if (existsSync(layerDir(ctx.root, p.diffId))) rmSync(p.dir, { recursive: true, force: true });
      else {
        // Counted before the rename: a failure after it (the image.layer step) must take the layer away again.
        made.layers.push(p.diffId);
        if (!commitLayer(ctx.root, p.dir, p.diffId)) made.layers.pop();
      }
      if (adoptBlob(ctx.root, p.blob, p.digest)) made.blobs.push(p.digest);
      layer = { diffId: p.diffId, desc: { mediaType: MEDIA.ociLayerGzip, digest: p.digest, size: p.blobSize }, size: p.size };
    } else if (n.layerTar !== undefined) {
      const gz = join(staging, 'layer.tar.gz');
      // The blob is compressed while a worker unpacks the layer from the plain tar: neither waits for the other.
      const gzipping = gzipFile(n.layerTar, gz);
      gzipping.catch(() => undefined);
      // One layer is the main thread's own job in the unpack pool (storage/unpack-pool.ts): a RUN
      // step's small layer starts no worker.
      const r = await StreamedLayer.fromFile(ctx, gzipping.then((g) => g.diffId), n.layerTar, statSync(n.layerTar).size);
      if (r.created) made.layers.push(r.diffId);
      const { diffId, digest, size } = await gzipping;
      if (adoptBlob(ctx.root, gz, digest)) made.blobs.push(digest);
      layer = { diffId, desc: { mediaType: MEDIA.ociLayerGzip, digest, size }, size: r.size };
    }
    const history = [...(n.parent?.config.history ?? [])];
    for (const step of n.configSteps ?? []) history.push({ created, created_by: step, empty_layer: true });
    history.push({ created, created_by: n.createdBy, ...(n.comment ? { comment: n.comment } : {}), ...(layer ? {} : { empty_layer: true }) });
    const image: OciImage = {
      created,
      ...(n.author ? { author: n.author } : {}),
      architecture: n.parent?.config.architecture ?? goArch(),
      os: n.parent?.config.os ?? 'linux',
      config: n.config,
      rootfs: { type: 'layers', diff_ids: [...(n.parent?.layers ?? []), ...(layer ? [layer.diffId] : [])] },
      history,
    };
    const configBytes = Buffer.from(JSON.stringify(image));
    const config = writeBlob(ctx.root, configBytes);
    if (config.created) made.blobs.push(config.digest);
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.ociManifest,
      config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: configBytes.length },
      layers: [...parentLayers, ...(layer ? [layer.desc] : [])],
    };
    const manifestBytes = Buffer.from(JSON.stringify(manifest));
    const m = writeBlob(ctx.root, manifestBytes);
    if (m.created) made.blobs.push(m.digest);
    const size = (n.parent?.size ?? 0) + (layer?.size ?? 0);
    ctx.store.transaction(() => {
      for (const d of image.rootfs.diff_ids) {
        if (!existsSync(layerDir(ctx.root, d))) throw unavailable('image.concurrent_removal', `layer ${d} was removed while making the image`, 'try again');
      }
      for (const l of manifest.layers) {
        if (!hasBlob(ctx.root, l.digest)) throw unavailable('image.concurrent_removal', `blob ${l.digest} was removed while making the image`, 'try again');
      }
      if (layer) ctx.store.insertLayer({ diffId: layer.diffId, blobDigest: layer.desc.digest, size: layer.size });
      ctx.store.insertImage({ id: config.digest, manifestDigest: m.digest, config: configBytes.toString('utf8'), layers: image.rootfs.diff_ids, size,
        created });
      for (const t of tags) ctx.store.setTag(t, config.digest);
    });
    made.blobs = [];
    made.layers = [];
    step('image.recorded');
    return { id: config.digest, manifestDigest: m.digest, config: image, layers: image.rootfs.diff_ids, size, created, repoTags: tags };
  } catch (e) {
    discardUnused(ctx, made);
    throw e;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
