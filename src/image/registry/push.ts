// `berth push`: an image's blobs and manifest, as stored, to a registry. A blob the repository
// has already is skipped (HEAD); one another repository of the same registry is known to hold
// (the image's other names there) is mounted instead of uploaded; the rest are uploaded whole
// (POST, then PUT with the digest, which the registry checks). The manifest goes last.
import { createReadStream, statSync } from 'node:fs';
import { corrupt, invalid, unavailable } from '../../common/errors.js';
import { MEDIA } from '../formats.js';
import { resolveImage } from '../images.js';
import { parseReference, splitName } from '../reference.js';
import { storedManifest } from '../save.js';
import { blobPath } from '../store.js';
import type { ImageContext } from '../types.js';
import { defaultAuthFile, getCredentials } from './auth.js';
import { RegistryClient } from './client.js';
import { registriesConfig } from './config.js';
import { drain } from './http.js';
import { pool, silentProgress, type TransferProgress } from './progress.js';

export interface PushOptions {
  tlsVerify?: boolean;
  authFile?: string;
  progress?: TransferProgress;
  parallel?: number;
}

export interface PushResult {
  /** "registry/repo:tag" pushed to. */
  destination: string;
  manifestDigest: string;
}

/** The repository paths on `domain` the image is known under, other than `except`: candidates to mount from. */
function mountSources(repoTags: readonly string[], domain: string, except: string): string[] {
  const out = new Set<string>();
  for (const t of repoTags) {
    const { repository } = splitName(t);
    const slash = repository.indexOf('/');
    if (repository.slice(0, slash) === domain && repository.slice(slash + 1) !== except) out.add(repository.slice(slash + 1));
  }
  return [...out];
}

export async function pushImage(ctx: ImageContext, source: string, destination: string | undefined, opts: PushOptions = {}): Promise<PushResult> {
  const image = resolveImage(ctx.store, source);
  const destText = destination ?? image.repoTags.find((t) => t === source) ??
    (source.includes('/') || image.repoTags.length === 0 ? source : image.repoTags[0]!);
  const dest = parseReference(destText);
  if (dest.digest !== undefined) throw invalid('image.bad_reference', `cannot push to a digest reference "${destText}"`, 'give a tag instead');
  if (dest.domain === '') throw invalid('image.bad_reference', `"${destText}" names no registry`, 'push to REGISTRY/NAME[:TAG], e.g. localhost:5000/app:1');
  const tag = dest.tag ?? 'latest';
  const cfg = registriesConfig(ctx.root);
  const insecure = cfg.insecure.includes(dest.domain);
  const from = mountSources(image.repoTags, dest.domain, dest.path);
  const client = new RegistryClient(dest.domain, dest.path, {
    tlsVerify: (opts.tlsVerify ?? true) && !insecure,
    plainHttp: insecure,
    credentials: getCredentials(opts.authFile ?? defaultAuthFile(ctx.root), dest.domain),
    actions: 'pull,push',
    mountFrom: from,
  });
  const progress = opts.progress ?? silentProgress;
  const { manifest, bytes } = storedManifest(ctx.root, image);
  const blobs = [...manifest.layers, manifest.config];
  for (const b of blobs) {
    try {
      const size = statSync(blobPath(ctx.root, b.digest)).size;
      if (size !== b.size) throw corrupt('image.corrupt', `blob ${b.digest} in the store is ${size} bytes, the manifest says ${b.size}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        throw corrupt('image.corrupt', `blob ${b.digest} of image ${source} is missing from the store`, 'pull or load the image again');
      }
      throw e;
    }
  }
  progress.message(`Pushing ${dest.domain}/${dest.path}:${tag}`);
  await pool(blobs.map((b) => () => pushBlob(ctx.root, client, b, from, progress)), opts.parallel ?? 3);
  progress.message('Writing manifest to image destination');
  const res = await client.call('PUT', `manifests/${tag}`, {
    headers: { 'content-type': manifest.mediaType ?? MEDIA.ociManifest, 'content-length': String(bytes.length) },
    body: bytes,
    ok: [200, 201, 202],
  });
  await drain(res.body);
  const claimed = res.headers['docker-content-digest'];
  if (typeof claimed === 'string' && claimed !== image.manifestDigest) {
    throw unavailable('registry.digest_mismatch', `registry ${dest.domain} stored the manifest as ${claimed}, not ${image.manifestDigest}`);
  }
  return { destination: `${dest.domain}/${dest.path}:${tag}`, manifestDigest: image.manifestDigest };
}

async function pushBlob(root: string, client: RegistryClient, b: { digest: string; size: number }, from: readonly string[],
  progress: TransferProgress): Promise<void>
{
  progress.start(b.digest, b.size);
  const head = await client.call('HEAD', `blobs/${b.digest}`, { ok: [200, 404] });
  await drain(head.body);
  if (head.status === 200) {
    progress.done(b.digest, 'exists');
    return;
  }
  let location: string | undefined;
  for (const repo of from) {
    const m = await client.call('POST', `blobs/uploads/?mount=${encodeURIComponent(b.digest)}&from=${encodeURIComponent(repo)}`, {
      headers: { 'content-length': '0' },
      ok: [201, 202],
    });
    await drain(m.body);
    if (m.status === 201) {
      progress.done(b.digest, 'mounted');
      return;
    }
    // 202: the registry could not mount and opened an upload session instead.
    location = locationOf(m.headers.location, client);
    break;
  }
  if (location === undefined) {
    const r = await client.call('POST', 'blobs/uploads/', { headers: { 'content-length': '0' }, ok: [202] });
    await drain(r.body);
    location = locationOf(r.headers.location, client);
  }
  const url = new URL(location);
  url.searchParams.set('digest', b.digest);
  const path = blobPath(root, b.digest);
  const put = await client.call('PUT', url.toString(), {
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.size) },
    body: () => {
      const s = createReadStream(path);
      s.on('data', (c) => progress.advance(b.digest, (c as Buffer).length));
      return s;
    },
    ok: [201, 204],
  });
  await drain(put.body);
  progress.done(b.digest, 'done');
}

function locationOf(header: string | undefined, client: RegistryClient): string {
  if (!header) throw unavailable('registry.error', `registry ${client.registry} opened an upload without a Location`);
  return new URL(header, client.baseUrl()).toString();
}
