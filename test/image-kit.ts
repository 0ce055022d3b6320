// Builds image archives in memory for tests: OCI layouts and docker-archives from layer entries.
import { gzipSync } from 'node:zlib';
import { makeTar, type TarEntry } from '../src/storage/testtar.js';
import { sha256 } from '../src/image/store.js';

export interface TestImage {
  layers: TarEntry[][];
  config?: Record<string, unknown>;
  /** Overrides the diff ids written in the config (to make a lying archive). */
  diffIds?: string[];
  created?: string;
}

export interface BuiltLayers {
  tars: Buffer[];
  diffIds: string[];
  configBytes: Buffer;
}

async function build(img: TestImage): Promise<BuiltLayers> {
  const tars = await Promise.all(img.layers.map((l) => makeTar(l)));
  const diffIds = img.diffIds ?? tars.map((t) => sha256(t));
  const configBytes = Buffer.from(JSON.stringify({
    created: img.created ?? '2024-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: img.config ?? { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  }));
  return { tars, diffIds, configBytes };
}

export async function ociArchive(img: TestImage, refName?: string, mutate?: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const b = await build(img);
  const files = new Map<string, Buffer>();
  const add = (data: Buffer) => {
    const d = sha256(data);
    files.set(`blobs/sha256/${d.slice(7)}`, data);
    return { digest: d, size: data.length };
  };
  const layers = b.tars.map((t) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...add(gzipSync(t)) }));
  const config = { mediaType: 'application/vnd.oci.image.config.v1+json', ...add(b.configBytes) };
  const manifest = add(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers })));
  const index = {
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest,
      ...(refName ? { annotations: { 'org.opencontainers.image.ref.name': refName } } : {}) }],
  };
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  files.set('index.json', Buffer.from(JSON.stringify(index)));
  mutate?.(files);
  return makeTar([...files].map(([name, body]) => ({ name, body })));
}

export async function dockerArchive(img: TestImage, repoTags: string[]): Promise<Buffer> {
  const b = await build(img);
  const configName = `${sha256(b.configBytes).slice(7)}.json`;
  const entries: TarEntry[] = b.tars.map((t, i) => ({ name: `layer${i}/layer.tar`, body: t }));
  entries.push({ name: configName, body: b.configBytes });
  entries.push({ name: 'manifest.json',
    body: JSON.stringify([{ Config: configName, RepoTags: repoTags, Layers: b.tars.map((_, i) => `layer${i}/layer.tar`) }]) });
  return makeTar(entries);
}
