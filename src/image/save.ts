// `berth image save`: images from the store as one tar archive, in either layout import.ts reads.
//   oci-archive:    oci-layout, index.json (one entry per name, annotated with the name),
//                   blobs/sha256/<hex> for every manifest, config and layer blob (as stored).
//   docker-archive: manifest.json, <config hex>.json, <diff id hex>/layer.tar (uncompressed,
//                   as `docker load` and `podman load` expect), repositories.
// The archive is streamed; nothing in the store is changed.
import { createReadStream, readFileSync, statSync, rmSync, mkdtempSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { corrupt, invalid, unavailable } from '../common/errors.js';
import { MEDIA, type Descriptor } from './formats.js';
import { resolveImage } from './images.js';
import { parseReference, splitName } from './reference.js';
import { blobPath, isGzip, makeStaging } from './store.js';
import type { ImageContext, ImageRecord } from './types.js';

import type { ArchiveFormat } from '../common/archive-formats.js';

export { ARCHIVE_FORMATS, type ArchiveFormat } from '../common/archive-formats.js';

interface StoredManifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

interface Chosen {
  image: ImageRecord;
  /** The names to write for it: the one the user gave, or all of its tags when given by id. */
  names: string[];
  manifest: StoredManifest;
  manifestBytes: Buffer;
}

const MTIME = new Date(0);

/** Reads an image's stored manifest; every image in the store has one (import makes it when an archive lacks it). */
export function storedManifest(root: string, image: ImageRecord): { manifest: StoredManifest; bytes: Buffer } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(blobPath(root, image.manifestDigest));
  } catch {
    throw corrupt('image.corrupt', `manifest ${image.manifestDigest} of image ${image.id} is missing from the store`);
  }
  const manifest = JSON.parse(bytes.toString('utf8')) as StoredManifest;
  if (!manifest.config || !Array.isArray(manifest.layers) || manifest.layers.length !== image.layers.length) {
    throw corrupt('image.corrupt', `manifest ${image.manifestDigest} does not describe image ${image.id}`);
  }
  return { manifest, bytes };
}

function choose(ctx: ImageContext, refs: readonly string[]): Chosen[] {
  if (refs.length === 0) throw invalid('cli.missing_argument', 'no image given to save');
  const byId = new Map<string, Chosen>();
  for (const ref of refs) {
    const image = resolveImage(ctx.store, ref);
    const named = image.repoTags.find((t) => refNames(ref).includes(t));
    let c = byId.get(image.id);
    if (!c) {
      const m = storedManifest(ctx.root, image);
      c = { image, names: [], manifest: m.manifest, manifestBytes: m.bytes };
      byId.set(image.id, c);
    }
    for (const n of named ? [named] : image.repoTags) if (!c.names.includes(n)) c.names.push(n);
  }
  return [...byId.values()];
}

/** The stored names a reference could have matched (to keep only the tag the user named). */
function refNames(ref: string): string[] {
  try {
    const r = parseReference(ref);
    const tag = r.tag ?? 'latest';
    if (r.domain) return [`${r.domain}/${r.path}:${tag}`];
    return [`localhost/${r.path}:${tag}`, `docker.io/${r.path.includes('/') ? r.path : `library/${r.path}`}:${tag}`];
  } catch {
    return [];
  }
}

/** Writes the archive of `refs` to `out` (a file stream or stdout); resolves when all is written. */
export async function saveImages(ctx: ImageContext, refs: readonly string[], out: Writable, format: ArchiveFormat): Promise<void> {
  const chosen = choose(ctx, refs);
  const pack = tar.pack();
  const piping = pipeline(pack as unknown as Readable, out);
  piping.catch(() => undefined);
  const staging = format === 'docker-archive' ? makeStaging(ctx.root) : undefined;
  try {
    if (format === 'oci-archive') await writeOci(ctx, chosen, pack);
    else await writeDocker(ctx, chosen, pack, staging!);
    pack.finalize();
    await piping;
  } catch (e) {
    pack.destroy(e as Error);
    throw (e as NodeJS.ErrnoException)?.code === 'EPIPE' ? unavailable('output.closed', 'the output was closed before the archive was complete') : e;
  } finally {
    if (staging) rmSync(staging, { recursive: true, force: true });
  }
}

type Pack = ReturnType<typeof tar.pack>;

function addBuffer(pack: Pack, name: string, data: Buffer | string): Promise<void> {
  return new Promise((res, rej) => {
    pack.entry({ name, mtime: MTIME, mode: 0o644 }, typeof data === 'string' ? data : data, (err) => (err ? rej(err) : res())).on('error', () => undefined);
  });
}

function addDir(pack: Pack, name: string): Promise<void> {
  return new Promise((res, rej) => {
    pack.entry({ name, type: 'directory', mtime: MTIME, mode: 0o755 }, (err) => (err ? rej(err) : res())).on('error', () => undefined);
  });
}

async function addFile(pack: Pack, name: string, path: string): Promise<void> {
  const size = statSync(path).size;
  await new Promise<void>((res, rej) => {
    const entry = pack.entry({ name, size, mtime: MTIME, mode: 0o644 }, (err) => (err ? rej(err) : res()));
    entry.on('error', rej);
    const src = createReadStream(path);
    src.on('error', (e) => {
      entry.destroy(e);
      rej(e);
    });
    src.pipe(entry as unknown as Writable);
  });
}

function blobFile(root: string, digest: string, what: string): string {
  const p = blobPath(root, digest);
  try {
    statSync(p);
  } catch {
    throw corrupt('image.corrupt', `${what} ${digest} is missing from the store`, 'pull or load the image again');
  }
  return p;
}

async function writeOci(ctx: ImageContext, chosen: Chosen[], pack: Pack): Promise<void> {
  await addBuffer(pack, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index: { schemaVersion: 2; mediaType: string; manifests: Descriptor[] } = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: [] };
  const written = new Set<string>();
  await addDir(pack, 'blobs/');
  await addDir(pack, 'blobs/sha256/');
  const blob = async (digest: string, what: string) => {
    if (written.has(digest)) return;
    written.add(digest);
    await addFile(pack, `blobs/sha256/${digest.slice(7)}`, blobFile(ctx.root, digest, what));
  };
  for (const c of chosen) {
    for (const l of c.manifest.layers) await blob(l.digest, 'layer');
    await blob(c.manifest.config.digest, 'image config');
    await blob(c.image.manifestDigest, 'manifest');
    const desc = { mediaType: c.manifest.mediaType ?? MEDIA.ociManifest, digest: c.image.manifestDigest, size: c.manifestBytes.length };
    if (c.names.length === 0) index.manifests.push(desc);
    for (const n of c.names) {
      // ref.name carries only the tag by the spec; containerd's annotation keeps the full name (podman and skopeo read both).
      index.manifests.push({ ...desc, annotations: { 'io.containerd.image.name': n, 'org.opencontainers.image.ref.name': splitName(n).tag } });
    }
  }
  await addBuffer(pack, 'index.json', JSON.stringify(index));
}

async function writeDocker(ctx: ImageContext, chosen: Chosen[], pack: Pack, staging: string): Promise<void> {
  const entries: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
  const repositories: Record<string, Record<string, string>> = {};
  const written = new Set<string>();
  for (const c of chosen) {
    const layers: string[] = [];
    for (const [i, l] of c.manifest.layers.entries()) {
      const diffId = c.image.layers[i]!;
      const name = `${diffId.slice(7)}/layer.tar`;
      layers.push(name);
      if (written.has(name)) continue;
      written.add(name);
      const src = blobFile(ctx.root, l.digest, 'layer');
      await addDir(pack, `${diffId.slice(7)}/`);
      if (isGzip(src)) {
        // A tar entry needs its size up front, so the layer is uncompressed to staging first.
        const tmp = mkdtempSync(join(staging, 'layer-'));
        const plain = join(tmp, 'layer.tar');
        await pipeline(createReadStream(src), createGunzip(), createWriteStream(plain, { mode: 0o600 }));
        await addFile(pack, name, plain);
        rmSync(tmp, { recursive: true, force: true });
      } else {
        await addFile(pack, name, src);
      }
    }
    const configName = `${c.image.id.slice(7)}.json`;
    if (!written.has(configName)) {
      written.add(configName);
      await addFile(pack, configName, blobFile(ctx.root, c.image.id, 'image config'));
    }
    entries.push({ Config: configName, RepoTags: c.names, Layers: layers });
    for (const n of c.names) {
      const { repository, tag } = splitName(n);
      (repositories[repository] ??= {})[tag] = c.image.layers.at(-1)?.slice(7) ?? '';
    }
  }
  await addBuffer(pack, 'manifest.json', JSON.stringify(entries));
  await addBuffer(pack, 'repositories', JSON.stringify(repositories));
}
