// The image records: finding an image by what a user typed, listing, inspecting, removing.
import { conflict, invalid, notFound } from '../common/errors.js';
import { shortId } from '../common/ids.js';
import { collectUnused, emptyTrash } from './gc.js';
import { candidateNames, looksLikeId, parseReference, splitName } from './reference.js';
import type { ImageStore, StoredImage } from './records.js';
import { layerDir } from './store.js';
import type { ImageConfig, ImageContext, ImageInspect, ImageRecord, ImageSummary, OciImage } from './types.js';

function toRecord(store: ImageStore, row: StoredImage): ImageRecord {
  return {
    id: row.id,
    manifestDigest: row.manifestDigest,
    config: JSON.parse(row.config) as OciImage,
    layers: row.layers,
    size: row.size,
    created: row.created,
    repoTags: store.tagsOf(row.id),
  };
}

interface Lookup {
  row: StoredImage;
  /** The stored tag the reference named, when it named one (not an id or digest). */
  tag: string | undefined;
}

function lookup(store: ImageStore, ref: string): Lookup | undefined {
  if (ref.includes('@')) {
    const r = parseReference(ref);
    const row = r.digest === undefined ? undefined : store.imageByDigest(r.digest);
    return row && { row, tag: undefined };
  }
  let names: string[] = [];
  try {
    names = candidateNames(ref);
  } catch (e) {
    // "sha256:abc…" is not a name but may be an id.
    if (!looksLikeId(ref)) throw e;
  }
  for (const name of names) {
    const id = store.imageIdForTag(name);
    const row = id === undefined ? undefined : store.image(id);
    if (row) return { row, tag: name };
  }
  if (!looksLikeId(ref)) return undefined;
  const hex = ref.replace(/^sha256:/, '');
  const rows = store.imagesByIdPrefix(hex, 2);
  if (rows.length > 1) throw invalid('image.ambiguous', `image id prefix "${ref}" matches more than one image`, 'give more digits of the id');
  return rows[0] && { row: rows[0], tag: undefined };
}

function notFoundError(ref: string) {
  return notFound('image.not_found', `image not found: ${ref}`,
    'import it with `berth load -i FILE` (or `berth import FILE NAME`), or build it; `berth images` lists what there is');
}

/** The image a reference names: a tag (short names tried as localhost/ then docker.io/library/), NAME@digest, or an id (prefix of ≥ 3 hex). */
export function resolveImage(store: ImageStore, ref: string): ImageRecord {
  const l = lookup(store, ref);
  if (!l) throw notFoundError(ref);
  return toRecord(store, l.row);
}

/** One entry per tag, newest image first; untagged images appear once as <none>:<none> (build-cache steps only with all). */
export function listImages(store: ImageStore, opts: { all?: boolean } = {}): ImageSummary[] {
  // Untagged images the builder made for its steps are the build cache: shown only with -a, as Docker does.
  const rows = store.imageList({ buildCache: opts.all ?? false });
  return rows.map((r) => ({
    ...(r.name === null ? { repository: '<none>', tag: '<none>' } : splitName(r.name)),
    id: r.id,
    created: r.created,
    size: r.size,
  }));
}

/** The image as `docker image inspect` shows it. */
export function inspectImage(store: ImageStore, ref: string): ImageInspect {
  const img = resolveImage(store, ref);
  const c = imageConfig(img);
  return {
    Id: img.id,
    RepoTags: img.repoTags,
    RepoDigests: img.repoTags.map((t) => `${splitName(t).repository}@${img.manifestDigest}`),
    Created: img.created,
    Author: img.config.author ?? '',
    Architecture: img.config.architecture,
    Os: img.config.os,
    Size: img.size,
    Config: {
      User: c.User,
      Env: c.Env,
      Cmd: c.Cmd,
      Entrypoint: c.Entrypoint,
      WorkingDir: c.WorkingDir,
      ExposedPorts: Object.fromEntries(c.ExposedPorts.map((p) => [p, {}])),
      Volumes: Object.fromEntries(c.Volumes.map((v) => [v, {}])),
      Labels: c.Labels,
      StopSignal: c.StopSignal,
      Healthcheck: c.Healthcheck,
    },
    RootFS: { Type: 'layers', Layers: img.layers },
  };
}

export interface HistoryEntry {
  /** The image's id on the newest entry; "<missing>" below it, as Docker shows layers it cannot name. */
  id: string;
  created: string;
  createdBy: string;
  /** Unpacked bytes of the layer the entry made; 0 for a config-only step. */
  size: number;
  comment: string;
}

/**
 * `docker history`: the config's history, newest first, each non-empty entry matched to its layer
 * bottom-up. An image without history (imported) gets one entry per layer, so sizes still add up.
 */
export function imageHistory(store: ImageStore, ref: string): HistoryEntry[] {
  const img = resolveImage(store, ref);
  const layerSize = (diffId: string | undefined): number => (diffId === undefined ? 0 : (store.layer(diffId)?.size ?? 0));
  const hist = img.config.history ?? [];
  const entries: HistoryEntry[] = [];
  let next = 0;
  if (hist.length === 0) {
    for (const diffId of img.layers) entries.push({ id: '<missing>', created: img.created, createdBy: '', size: layerSize(diffId), comment: '' });
  } else {
    for (const h of hist) {
      const size = h.empty_layer ? 0 : layerSize(img.layers[next++]);
      entries.push({ id: '<missing>', created: h.created ?? img.created, createdBy: h.created_by ?? '', size, comment: h.comment ?? '' });
    }
  }
  entries.reverse();
  if (entries[0]) entries[0].id = img.id;
  return entries;
}

export interface RemoveResult {
  untagged: string[];
  /** Image id first, then nothing else: layers and blobs are collected silently. */
  deleted: string[];
}

/**
 * Docker's rmi. By tag: untag, and delete the image when it was the last tag. By id: delete the
 * image (refused when it has several tags, unless force). Refused while a container uses it,
 * unless force; a forced removal of an image in use only untags it, because the container's
 * overlay still reads its layers.
 */
export function removeImage(ctx: ImageContext, ref: string, opts: { force?: boolean } = {}): RemoveResult {
  const force = opts.force ?? false;
  const result: RemoveResult = { untagged: [], deleted: [] };
  const { store } = ctx;
  const trash = store.transaction(() => {
    const l = lookup(store, ref);
    if (!l) throw notFoundError(ref);
    const img = toRecord(store, l.row);
    const untag = l.tag !== undefined ? [l.tag] : img.repoTags;
    if (l.tag === undefined && img.repoTags.length > 1 && !force) {
      throw conflict('image.multiple_tags', `image ${shortId(img.id)} has several tags (${img.repoTags.join(', ')})`,
        'remove the tags one by one, or use --force');
    }
    const lastTag = img.repoTags.every((t) => untag.includes(t));
    const user = store.containerUsing(img.id);
    if (lastTag && user !== undefined && !force) {
      throw conflict('image.in_use', `image ${ref} is in use by container ${user}`, `remove the container first (berth rm ${user}), or use --force`);
    }
    for (const t of untag) store.deleteTag(t);
    result.untagged = untag;
    if (!lastTag || user !== undefined) return [];
    store.deleteImage(img.id);
    result.deleted = [img.id];
    return collectUnused(ctx, { blobs: [img.id, img.manifestDigest], layers: img.layers });
  });
  emptyTrash(trash);
  return result;
}

/** The overlay lower directories of an image, uppermost first (the order overlayfs's lowerdir wants). */
export function imageLayerDirs(root: string, image: ImageRecord): string[] {
  return [...image.layers].reverse().map((d) => layerDir(root, d));
}

/** The image's run defaults, Docker's empty defaults filled in. */
export function imageConfig(image: ImageRecord): ImageConfig {
  const c = image.config.config ?? {};
  return {
    Env: c.Env ?? [],
    Entrypoint: c.Entrypoint ?? [],
    Cmd: c.Cmd ?? [],
    WorkingDir: c.WorkingDir ?? '',
    User: c.User ?? '',
    ExposedPorts: Object.keys(c.ExposedPorts ?? {}),
    Labels: c.Labels ?? {},
    StopSignal: c.StopSignal || undefined,
    Healthcheck: c.Healthcheck ?? undefined,
    Volumes: Object.keys(c.Volumes ?? {}),
  };
}
