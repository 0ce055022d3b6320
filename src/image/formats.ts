// The two image archive layouts, read into one plan: which staged files are the config,
// the manifest and the layers, every digest checked against what the archive claims.
//   OCI layout:     oci-layout, index.json, blobs/sha256/<hex>   (skopeo, podman save --format oci-archive, docker save ≥ 25)
//   docker-archive: manifest.json, <config>.json, <layer>.tar     (docker save, podman save)
import { readFileSync } from 'node:fs';
import { corrupt, unavailable } from '../common/errors.js';
import { parseJson, type ArchiveContents, type StagedFile } from './archive.js';
import { isGzip, sha256 } from './store.js';
import type { OciImage } from './types.js';

export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
  platform?: { architecture?: string; os?: string };
}

interface Manifest {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  manifests?: Descriptor[];
}

export interface PlannedLayer {
  file: StagedFile;
  /** The diff id the image config claims; checked when the layer is unpacked. */
  diffId: string;
}

export interface ImportPlan {
  config: StagedFile;
  image: OciImage;
  /** Manifest bytes: staged from the archive, or made here for a docker-archive. */
  manifest: { file: StagedFile } | { data: Buffer };
  layers: PlannedLayer[];
  /** The name the archive gives the image, if any. */
  name: string | undefined;
  /** Every name a docker-archive gives it (RepoTags). */
  names?: string[];
}

const read = (p: string) => readFileSync(p, 'utf8');
const HEX_NAME = /(?:^|\/)([a-f0-9]{64})(?:\.json|\.tar)?$/;

export function goArch(): string {
  return ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch] ?? process.arch;
}

function blob(c: ArchiveContents, d: Descriptor, what: string): StagedFile {
  const m = /^sha256:([a-f0-9]{64})$/.exec(d.digest ?? '');
  if (!m) throw corrupt('image.corrupt', `${what} has an unsupported digest "${d.digest}"`);
  const f = c.get(`blobs/sha256/${m[1]}`);
  if (!f) throw corrupt('image.corrupt', `${what} ${d.digest} is missing from the archive`);
  if (f.digest !== d.digest) throw corrupt('image.corrupt', `${what} ${d.digest} has digest ${f.digest}`);
  if (typeof d.size === 'number' && d.size !== f.size) throw corrupt('image.corrupt', `${what} ${d.digest} is ${f.size} bytes, not ${d.size}`);
  return f;
}

function readImage(file: StagedFile): OciImage {
  const image = parseJson<OciImage>(file, 'image config', read);
  if (!image || typeof image !== 'object' || !Array.isArray(image.rootfs?.diff_ids)) {
    throw corrupt('image.corrupt', `image config ${file.digest} has no rootfs.diff_ids`);
  }
  return image;
}

function checkLayerMedia(d: Descriptor): void {
  if (/zstd/.test(d.mediaType ?? '')) {
    throw unavailable('image.unsupported', `layer ${d.digest} is zstd-compressed, which berth cannot read yet`, 'recompress the image with gzip');
  }
  if (/nondistributable|foreign/.test(d.mediaType ?? '')) {
    throw unavailable('image.unsupported', `layer ${d.digest} is a foreign layer (${d.mediaType})`);
  }
}

/** Picks the manifest for this machine out of an index, descending into nested indexes. */
function pickManifest(c: ArchiveContents, index: { manifests?: Descriptor[] }, depth = 0): { desc: Descriptor; indexDesc: Descriptor } {
  const list = index.manifests ?? [];
  if (list.length === 0 || depth > 4) throw corrupt('image.corrupt', 'index.json lists no image manifest');
  const fits = (d: Descriptor) => !d.platform || ((d.platform.os ?? 'linux') === 'linux' && (d.platform.architecture ?? goArch()) === goArch());
  const chosen = list.find(fits);
  if (!chosen) throw unavailable('image.unsupported', `the archive has no image for linux/${goArch()}`);
  if (chosen.mediaType === MEDIA.ociIndex || chosen.mediaType === MEDIA.dockerList) {
    const nested = parseJson<{ manifests?: Descriptor[] }>(blob(c, chosen, 'image index'), 'image index', read);
    return { desc: pickManifest(c, nested, depth + 1).desc, indexDesc: chosen };
  }
  return { desc: chosen, indexDesc: chosen };
}

/** The top-level entries of an OCI layout's index.json (one per image and name). */
export function ociEntries(c: ArchiveContents): Descriptor[] {
  return parseJson<{ manifests?: Descriptor[] }>(c.get('index.json'), 'index.json', read).manifests ?? [];
}

/** The number of images a docker-archive's manifest.json lists. */
export function dockerEntryCount(c: ArchiveContents): number {
  const entries = parseJson<DockerManifestEntry[]>(c.get('manifest.json'), 'manifest.json', read);
  return Array.isArray(entries) ? entries.length : 0;
}

/** Plans the image for this machine, or the one a given index entry names. */
export function planOci(c: ArchiveContents, entry?: Descriptor): ImportPlan {
  const index = entry ? { manifests: [entry] } : parseJson<{ manifests?: Descriptor[] }>(c.get('index.json'), 'index.json', read);
  const { desc, indexDesc } = pickManifest(c, index);
  const manifestFile = blob(c, desc, 'manifest');
  const manifest = parseJson<Manifest>(manifestFile, `manifest ${desc.digest}`, read);
  if (!manifest.config || !Array.isArray(manifest.layers)) throw corrupt('image.corrupt', `manifest ${desc.digest} has no config or layers`);
  const config = blob(c, manifest.config, 'image config');
  const image = readImage(config);
  if (image.rootfs.diff_ids.length !== manifest.layers.length) {
    throw corrupt('image.corrupt', `manifest ${desc.digest} has ${manifest.layers.length} layers but its config names ${image.rootfs.diff_ids.length}`);
  }
  const layers = manifest.layers.map((d, i) => {
    checkLayerMedia(d);
    return { file: blob(c, d, 'layer'), diffId: image.rootfs.diff_ids[i]! };
  });
  const a = { ...(indexDesc.annotations ?? {}), ...(desc.annotations ?? {}) };
  let name = a['io.containerd.image.name'];
  if (name === undefined && c.get('manifest.json')) name = dockerRepoTags(c)[0];
  name ??= a['org.opencontainers.image.ref.name'];
  return { config, image, manifest: { file: manifestFile }, layers, name };
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

function dockerRepoTags(c: ArchiveContents): string[] {
  try {
    const m = parseJson<DockerManifestEntry[]>(c.get('manifest.json'), 'manifest.json', read);
    return m[0]?.RepoTags ?? [];
  } catch {
    return [];
  }
}

export function planDocker(c: ArchiveContents, which = 0): ImportPlan {
  const entries = parseJson<DockerManifestEntry[]>(c.get('manifest.json'), 'manifest.json', read);
  const e = Array.isArray(entries) ? entries[which] : undefined;
  if (!e || typeof e.Config !== 'string' || !Array.isArray(e.Layers)) throw corrupt('image.corrupt', 'manifest.json describes no image');
  const config = c.get(e.Config);
  if (!config) throw corrupt('image.corrupt', `image config ${e.Config} is missing from the archive`);
  checkNamedDigest(e.Config, config);
  const image = readImage(config);
  if (image.rootfs.diff_ids.length !== e.Layers.length) {
    throw corrupt('image.corrupt', `manifest.json has ${e.Layers.length} layers but the config names ${image.rootfs.diff_ids.length}`);
  }
  const layers = e.Layers.map((p, i) => {
    const f = c.get(p);
    if (!f) throw corrupt('image.corrupt', `layer ${p} is missing from the archive`);
    if (p.startsWith('blobs/')) checkNamedDigest(p, f);
    return { file: f, diffId: image.rootfs.diff_ids[i]! };
  });
  // The OCI manifest the archive did not carry, so every image in the store has one.
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: { mediaType: MEDIA.ociConfig, digest: config.digest, size: config.size },
    layers: layers.map((l) => ({ mediaType: isGzip(l.file.path) ? MEDIA.ociLayerGzip : MEDIA.ociLayer, digest: l.file.digest, size: l.file.size })),
  };
  return { config, image, manifest: { data: Buffer.from(JSON.stringify(manifest)) }, layers, name: e.RepoTags?.[0], names: e.RepoTags ?? [] };
}

/** Files named by their digest (docker's "<hex>.json", "blobs/sha256/<hex>") must have it. */
function checkNamedDigest(name: string, f: StagedFile): void {
  const m = HEX_NAME.exec(name);
  if (m && `sha256:${m[1]}` !== f.digest) throw corrupt('image.corrupt', `${name} has digest ${f.digest}`);
}

export interface ConfigChanges {
  cmd?: string[];
  env?: string[];
  entrypoint?: string[];
  workdir?: string;
  exposedPorts?: string[];
}

/** The config of an image made from a plain root filesystem tarball, as `docker import` makes it. */
export function rootfsConfig(diffId: string, changes: ConfigChanges, created: string): { image: OciImage; data: Buffer; digest: string } {
  const config: NonNullable<OciImage['config']> = {};
  if (changes.env) config.Env = changes.env;
  if (changes.entrypoint) config.Entrypoint = changes.entrypoint;
  if (changes.cmd) config.Cmd = changes.cmd;
  if (changes.workdir) config.WorkingDir = changes.workdir;
  if (changes.exposedPorts) config.ExposedPorts = Object.fromEntries(changes.exposedPorts.map((p) => [p.includes('/') ? p : `${p}/tcp`, {}]));
  const image: OciImage = {
    created,
    architecture: goArch(),
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'berth import' }],
  };
  const data = Buffer.from(JSON.stringify(image));
  return { image, data, digest: sha256(data) };
}
