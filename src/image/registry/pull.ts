// `berth pull`: a manifest (picked out of an index for the platform), its config and its layers
// from a registry into the content store. Every blob is checked against its digest. Blobs
// download in parallel into blobs/sha256/.tmp-pull-<hex> (never visible under their digest
// until verified); a pull that was killed resumes there with a Range request. A blob already
// in the store is not fetched again. On a failure, what this pull added is removed again.
import { step } from '../../common/fault.js';
import { closeSync, createWriteStream, existsSync, mkdirSync, fsyncSync, openSync, readFileSync, rmSync, writeSync, statSync, truncateSync,
  createReadStream } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { corrupt, invalid, isBerthError, notFound, unavailable } from '../../common/errors.js';
import { MEDIA, goArch, type Descriptor } from '../formats.js';
import { discardUnused } from '../gc.js';
import { parseReference, type Reference } from '../reference.js';
import { adoptBlob, blobPath, ensureLayer, hasBlob, hexOf, layerDir, openMaybeCompressed, sha256, writeBlob } from '../store.js';
import type { ImageContext, OciImage } from '../types.js';
import { defaultAuthFile, getCredentials } from './auth.js';
import { RegistryClient } from './client.js';
import { registriesConfig } from './config.js';
import { readAll } from './http.js';
import { pidAlive } from '../../sys/proc.js';
import { pool, type TransferProgress, silentProgress } from './progress.js';
import { type BlobFollower, StreamedLayer } from '../streamed-layer.js';

export interface PullOptions {
  tlsVerify?: boolean;
  /** "os/arch[/variant]"; default linux/<this machine>. */
  platform?: string;
  authFile?: string;
  progress?: TransferProgress;
  /** Layers downloaded at once (their unpacking is limited to the CPUs apart from this). */
  parallel?: number;
}

export interface PullResult {
  /** The stored name ("registry/repo:tag"), or undefined when pulled by digest only. */
  name: string | undefined;
  id: string;
  /** Digest of the image manifest stored (the platform's, not the index's). */
  manifestDigest: string;
}

export const MANIFEST_ACCEPT = [
  MEDIA.ociIndex,
  MEDIA.dockerList,
  MEDIA.ociManifest,
  MEDIA.dockerManifest,
].join(', ');

const SCHEMA1 = /application\/vnd\.docker\.distribution\.manifest\.v1/;

interface Platform {
  os: string;
  architecture: string;
  variant: string | undefined;
}

export function parsePlatform(text: string | undefined): Platform {
  if (text === undefined || text === '') return { os: 'linux', architecture: goArch(), variant: undefined };
  const [os, architecture, variant] = text.split('/');
  if (!os || !architecture) throw invalid('image.bad_platform', `invalid --platform "${text}": expected os/arch[/variant], e.g. linux/amd64`);
  return { os, architecture, variant };
}

/** The candidates a user's reference names: itself when it has a registry, else one per search registry. */
export function pullCandidates(input: string, search: readonly string[]): Array<Reference & { domain: string }> {
  const r = parseReference(input);
  if (r.domain !== '') return [r];
  return search.map((d) => ({ ...r, domain: d, path: d === 'docker.io' && !r.path.includes('/') ? `library/${r.path}` : r.path }));
}

interface Made {
  blobs: string[];
  layers: string[];
}

export async function pullImage(ctx: ImageContext, input: string, opts: PullOptions = {}): Promise<PullResult> {
  const cfg = registriesConfig(ctx.root);
  const candidates = pullCandidates(input, cfg.search);
  const platform = parsePlatform(opts.platform);
  const authFile = opts.authFile ?? defaultAuthFile(ctx.root);
  const progress = opts.progress ?? silentProgress;
  const misses: string[] = [];
  for (const ref of candidates) {
    const insecure = cfg.insecure.includes(ref.domain);
    const client = new RegistryClient(ref.domain, ref.path, {
      tlsVerify: (opts.tlsVerify ?? true) && !insecure,
      plainHttp: insecure,
      credentials: getCredentials(authFile, ref.domain),
      actions: 'pull',
    });
    const wanted = ref.digest ?? ref.tag ?? 'latest';
    let top: Fetched;
    try {
      top = await fetchManifest(client, wanted, ref.digest);
    } catch (e) {
      // Only "not there" moves on to the next search registry; anything else is the answer.
      if (isBerthError(e) && e.kind === 'NotFound' && candidates.length > 1) {
        misses.push(`${ref.domain}/${ref.path}`);
        continue;
      }
      throw e;
    }
    progress.message(`Trying to pull ${ref.domain}/${ref.path}:${ref.tag ?? (ref.digest ? '' : 'latest')}${ref.digest ? `@${ref.digest}` : ''}...`);
    const name = ref.tag !== undefined || ref.digest === undefined ? `${ref.domain}/${ref.path}:${ref.tag ?? 'latest'}` : undefined;
    return await pullManifest(ctx, client, top, { platform, name, progress, parallel: opts.parallel ?? 8 });
  }
  throw notFound('image.not_found', `image ${input} not found in ${misses.join(', ')}`, 'check the name and tag');
}

interface Fetched {
  bytes: Buffer;
  digest: string;
  mediaType: string;
  doc: ManifestDoc;
}

interface ManifestDoc {
  schemaVersion?: number;
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Array<Descriptor & { platform?: { os?: string; architecture?: string; variant?: string } }>;
}

async function fetchManifest(client: RegistryClient, ref: string, expected: string | undefined): Promise<Fetched> {
  const res = await client.call('GET', `manifests/${ref}`, { headers: { accept: MANIFEST_ACCEPT }, ok: [200] });
  const bytes = await readAll(res.body, 4 << 20);
  const digest = sha256(bytes);
  const claimed = res.headers['docker-content-digest'];
  if (expected !== undefined && digest !== expected) {
    throw corrupt('registry.digest_mismatch', `manifest ${client.label}@${expected} has digest ${digest}`);
  }
  if (expected === undefined && typeof claimed === 'string' && claimed.startsWith('sha256:') && claimed !== digest) {
    throw corrupt('registry.digest_mismatch', `manifest ${client.label}:${ref} has digest ${digest}, the registry said ${claimed}`);
  }
  let doc: ManifestDoc;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as ManifestDoc;
  } catch {
    throw corrupt('registry.bad_manifest', `manifest ${client.label}:${ref} is not valid JSON`);
  }
  const header = String(res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const mediaType = doc.mediaType ?? (doc.manifests ? MEDIA.ociIndex : header || MEDIA.ociManifest);
  if (SCHEMA1.test(mediaType) || doc.schemaVersion === 1) {
    throw unavailable('image.unsupported', `${client.label}:${ref} has a Docker schema 1 manifest, which berth does not read`,
      'push the image again with a current tool');
  }
  return { bytes, digest, mediaType, doc };
}

function choosePlatform(client: RegistryClient, list: NonNullable<ManifestDoc['manifests']>, p: Platform): Descriptor {
  const fits = list.filter((d) => (d.platform?.os ?? 'linux') === p.os && (d.platform?.architecture ?? p.architecture) === p.architecture);
  const exact = p.variant === undefined ? fits : fits.filter((d) => d.platform?.variant === p.variant);
  const chosen = exact[0] ?? (p.variant === undefined ? undefined : fits[0]);
  if (!chosen) {
    const have = list.map((d) => `${d.platform?.os}/${d.platform?.architecture}${d.platform?.variant ? `/${d.platform.variant}` : ''}`).join(', ');
    throw notFound('image.no_platform', `${client.label} has no image for ${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''} (it has ${have})`,
      'choose one with --platform');
  }
  return chosen;
}

async function pullManifest(
  ctx: ImageContext,
  client: RegistryClient,
  top: Fetched,
  o: { platform: Platform; name: string | undefined; progress: TransferProgress; parallel: number },
): Promise<PullResult> {
  let m = top;
  for (let depth = 0; m.doc.manifests; depth++) {
    if (depth > 3) throw corrupt('registry.bad_manifest', `${client.label}: image indexes nested too deep`);
    const d = choosePlatform(client, m.doc.manifests, o.platform);
    m = await fetchManifest(client, d.digest, d.digest);
  }
  const { config: cdesc, layers } = m.doc;
  if (!cdesc || !Array.isArray(layers)) throw corrupt('registry.bad_manifest', `manifest ${m.digest} of ${client.label} has no config or layers`);
  for (const l of layers) {
    if (/zstd/.test(l.mediaType ?? ''))
      throw unavailable('image.unsupported', `layer ${l.digest} of ${client.label} is zstd-compressed, which berth cannot read yet`);
    if (/nondistributable|foreign/.test(l.mediaType ?? '')) throw unavailable('image.unsupported', `layer ${l.digest} of ${client.label} is a foreign layer`);
    hexOf(l.digest);
  }
  const made: Made = { blobs: [], layers: [] };
  try {
    const cres = await client.call('GET', `blobs/${cdesc.digest}`, { ok: [200] });
    const configBytes = await readAll(cres.body, 16 << 20);
    if (sha256(configBytes) !== cdesc.digest)
      throw corrupt('registry.digest_mismatch', `image config ${cdesc.digest} of ${client.label} has digest ${sha256(configBytes)}`);
    let image: OciImage;
    try {
      image = JSON.parse(configBytes.toString('utf8')) as OciImage;
    } catch {
      throw corrupt('registry.bad_manifest', `image config ${cdesc.digest} is not valid JSON`);
    }
    const diffIds = image.rootfs?.diff_ids;
    if (!Array.isArray(diffIds) || diffIds.length !== layers.length) {
      throw corrupt('registry.bad_manifest', `manifest ${m.digest} has ${layers.length} layers but its config names ${diffIds?.length ?? 0}`);
    }
    const sizes = await pool(layers.map((l, i) => async () => {
      const diffId = diffIds[i]!;
      // A layer already here is only checked against its blob, in this thread: nothing to overlap.
      if (!ctx.layers.follow || hasBlob(ctx.root, l.digest) || existsSync(layerDir(ctx.root, diffId))) {
        const created = await downloadBlob(ctx.root, client, l, o.progress);
        if (created) made.blobs.push(l.digest);
        const r = await ensureLayer(ctx, diffId, () => openMaybeCompressed(blobPath(ctx.root, l.digest), `layer ${l.digest}`));
        if (r.created) made.layers.push(diffId);
        return r.size;
      }
      const streamed = new StreamedLayer(ctx, diffId, l.digest);
      try {
        const created = await downloadBlob(ctx.root, client, l, o.progress, streamed);
        if (created) made.blobs.push(l.digest);
        const r = await streamed.finish();
        if (r.created) made.layers.push(diffId);
        return r.size;
      } catch (e) {
        await streamed.abort();
        throw e;
      }
    }), o.parallel);
    o.progress.message(`Writing manifest to image destination`);
    for (const [bytes, digest] of [[configBytes, cdesc.digest], [m.bytes, m.digest]] as const) {
      if (writeBlob(ctx.root, bytes, digest).created) made.blobs.push(digest);
    }
    const id = cdesc.digest;
    const size = sizes.reduce((a, b) => a + b, 0);
    ctx.store.transaction(() => {
      for (const l of layers) {
        if (!hasBlob(ctx.root, l.digest)) throw unavailable('image.concurrent_removal', `blob ${l.digest} was removed while pulling`, 'run the pull again');
      }
      for (const d of diffIds) {
        if (!existsSync(layerDir(ctx.root, d))) throw unavailable('image.concurrent_removal', `layer ${d} was removed while pulling`, 'run the pull again');
      }
      if (!hasBlob(ctx.root, id)) writeBlob(ctx.root, configBytes, id);
      if (!hasBlob(ctx.root, m.digest)) writeBlob(ctx.root, m.bytes, m.digest);
      diffIds.forEach((d, i) => ctx.store.insertLayer({ diffId: d, blobDigest: layers[i]!.digest, size: sizes[i]! }));
      const created = typeof image.created === 'string' ? image.created : new Date().toISOString();
      ctx.store.insertImage({ id, manifestDigest: m.digest, config: configBytes.toString('utf8'), layers: diffIds, size, created });
      if (o.name !== undefined) ctx.store.setTag(o.name, id);
    });
    made.blobs = [];
    made.layers = [];
    step('image.recorded');
    return { name: o.name, id, manifestDigest: m.digest };
  } catch (e) {
    discardUnused(ctx, made);
    throw e;
  }
}

/** The partial download of a blob: resumable, and invisible under the blob's name. */
export function partialPath(root: string, digest: string): string {
  return join(root, 'blobs', 'sha256', `.tmp-pull-${hexOf(digest)}`);
}

async function hashFile(path: string, upTo: number): Promise<Hash> {
  const h = createHash('sha256');
  if (upTo > 0) { for await (const c of createReadStream(path, { end: upTo - 1 })) h.update(c as Buffer); }
  return h;
}

/**
 * Fetches one blob into the store, verified. Returns whether it was added (false: it was there).
 * Dropped connections resume from the bytes already written.
 */
export async function downloadBlob(root: string, client: RegistryClient, d: Descriptor, progress: TransferProgress, follow?: BlobFollower): Promise<boolean> {
  const id = d.digest;
  progress.start(id, d.size);
  if (hasBlob(root, d.digest)) {
    progress.done(id, 'exists');
    return false;
  }
  const partial = partialPath(root, d.digest);
  mkdirSync(dirname(partial), { recursive: true, mode: 0o755 });
  const release = await lockPartial(`${partial}.lock`, () => hasBlob(root, d.digest));
  if (release === undefined) {
    progress.done(id, 'exists');
    return false;
  }
  try {
    return await fetchInto(root, client, d, progress, partial, follow);
  } finally {
    release();
  }
}

/**
 * One writer per partial blob across berth processes: a lock file holding the writer's pid.
 * A lock whose process is gone (killed) is taken over. Resolves with a release function, or
 * undefined when the blob appeared meanwhile (the other pull finished it).
 */
async function lockPartial(lock: string, done: () => boolean): Promise<(() => void) | undefined> {
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lock, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = 0;
    try {
      owner = Number(readFileSync(lock, 'utf8'));
    } catch {
      continue;
    }
    // A half-written lock (pid 0) is treated as live for a moment; a dead owner's lock is broken.
    if (owner > 0 && !pidAlive(owner)) {
      rmSync(lock, { force: true });
      continue;
    }
    if (done()) return undefined;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function fetchInto(
  root: string,
  client: RegistryClient,
  d: Descriptor,
  progress: TransferProgress,
  partial: string,
  follow: BlobFollower | undefined,
): Promise<boolean> {
  const id = d.digest;
  for (let attempt = 0;; attempt++) {
    let have = 0;
    try {
      have = statSync(partial).size;
    } catch {
      closeSync(openSync(partial, 'a', 0o600));
    }
    if (have > d.size) {
      truncateSync(partial, 0);
      have = 0;
    }
    const hash = await hashFile(partial, have);
    progress.advance(id, have);
    await follow?.begin(partial, have);
    try {
      if (have < d.size || d.size === 0) {
        const res = await client.call('GET', `blobs/${d.digest}`, { headers: have > 0 ? { range: `bytes=${have}-` } : {}, ok: [200, 206] });
        if (res.status === 200 && have > 0) {
          // The registry ignored the range: start over.
          res.body.destroy();
          rmSync(partial, { force: true });
          continue;
        }
        const out = createWriteStream(partial, { flags: 'a' });
        let written = have;
        await new Promise<void>((resolve, reject) => {
          res.body.on('data', (c: Buffer) => {
            hash.update(c);
            progress.advance(id, c.length);
            // The follower may read only what has reached the file.
            const ok = out.write(c, (e) => {
              if (e) return;
              written += c.length;
              follow?.grow(written);
            });
            if (!ok) {
              res.body.pause();
              out.once('drain', () => res.body.resume());
            }
          });
          res.body.on('end', () => out.end());
          const fail = (e: Error) => {
            out.destroy();
            reject(e);
          };
          res.body.on('error', fail);
          res.body.on('aborted', () => fail(Object.assign(new Error('connection aborted'), { code: 'ECONNRESET' })));
          out.on('error', fail);
          out.on('finish', resolve);
        });
      }
      const got = statSync(partial).size;
      if (got !== d.size) throw Object.assign(new Error(`connection closed after ${got} of ${d.size} bytes`), { code: 'ECONNRESET' });
      const digest = `sha256:${hash.digest('hex')}`;
      if (digest !== d.digest) {
        rmSync(partial, { force: true });
        // A resumed download may have continued someone else's broken partial: once more from zero.
        if (have > 0) continue;
        throw corrupt('registry.digest_mismatch', `blob ${d.digest} of ${client.label} has digest ${digest}`,
          'the registry sent damaged data; nothing was stored');
      }
      const fd = openSync(partial, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      const created = adoptBlob(root, partial, d.digest);
      rmSync(partial, { force: true });
      progress.done(id, 'done');
      return created;
    } catch (e) {
      if (!isBerthError(e) && attempt < 3) continue;
      if (isBerthError(e) && e.code === 'registry.unreachable' && attempt < 3) continue;
      throw isBerthError(e) ? e
        : unavailable('registry.download', `downloading blob ${d.digest} from ${client.label} failed: ${(e as Error).message}`,
          'run the pull again; it resumes where it stopped');
    }
  }
}
