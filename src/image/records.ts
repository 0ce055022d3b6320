// What image/ needs from the instances file and from the layer unpacker, as image/ sees them.
// The engine hands in implementations (state/ and storage/ have them); image/ never opens the
// file, writes SQL or unpacks a tar itself.
//
// Contract: store methods act on the caller's transaction when run inside transaction(), so
// deciding and deleting is one step against other berth commands. Example, an rmi of one tag:
//   store.transaction(() => {
//     const id = store.imageIdForTag('localhost/busybox:latest');
//     if (id === undefined) throw notFound(...);
//     store.deleteTag('localhost/busybox:latest');
//     if (store.tagsOf(id).length === 0 && store.containerUsing(id) === undefined) store.deleteImage(id);
//   });
import type { Readable } from 'node:stream';
import type { ImageRow as StoredImage, ImageRefs, LayerRow as StoredLayer } from '../common/rows.js';
export type { ImageRow as StoredImage, ImageRefs, LayerRow as StoredLayer } from '../common/rows.js';

export interface ImageStore {
  /** Runs fn in one write transaction; nested calls join the caller's (as savepoints). */
  transaction<T>(fn: () => T): T;

  image(id: string): StoredImage | undefined;
  /** By manifest digest or config digest. */
  imageByDigest(digest: string): StoredImage | undefined;
  /** Images whose id's hex starts with `hex`, at most `limit`. */
  imagesByIdPrefix(hex: string, limit: number): StoredImage[];
  allImages(): ImageRefs[];
  /** Images no container uses; unless `all`, only untagged ones that are not build-cache steps. */
  unusedImages(opts: { all: boolean }): ImageRefs[];
  /** Ignored when an image with that id exists. */
  insertImage(image: StoredImage): void;
  /** Its tags and build-cache entries go with it. */
  deleteImage(id: string): void;
  /** One row per tag (untagged images once), newest first; untagged build-cache steps only with `buildCache`. */
  imageList(opts: { buildCache: boolean }): Array<{ id: string; created: string; size: number; name: string | null }>;
  untaggedBuildCacheImages(): string[];

  imageIdForTag(name: string): string | undefined;
  /** Sorted. */
  tagsOf(imageId: string): string[];
  /** Moves the name onto the image. */
  setTag(name: string, imageId: string): void;
  deleteTag(name: string): void;
  deleteTagsOf(imageId: string): void;

  /** Ignored when the layer is recorded already. */
  insertLayer(layer: StoredLayer): void;
  layer(diffId: string): StoredLayer | undefined;
  allLayers(): StoredLayer[];
  /** Some image lists it. */
  layerInUse(diffId: string): boolean;
  /** Some image's config or manifest, or some layer record's source, is this blob. */
  blobInUse(digest: string): boolean;
  deleteLayer(diffId: string): void;

  /** The name of a container made from the image, if any. */
  containerUsing(imageId: string): string | undefined;
  imagesInUse(): string[];
  /** Every container with its characteristics document (the engine's shape; image/ reads only its volumes). */
  containers(): Array<{ id: string; status: string; spec: unknown }>;
}

export interface UnpackedLayer {
  /** "sha256:<hex>" of the uncompressed tar stream. */
  diffId: string;
  /** Bytes of regular-file content. */
  size: number;
}

/** Turns layer tar streams into directories (storage/ does it; image/ only checks digests). */
export interface LayerUnpacker {
  /** Unpacks an uncompressed layer stream into `dir`, which exists and is empty. */
  unpack(stream: Readable, dir: string): Promise<UnpackedLayer>;
  /** Reads a layer stream to its end without writing anything. */
  digest(stream: Readable): Promise<UnpackedLayer>;
  /**
   * Starts unpacking, on another thread, the blob (gzip or plain tar) open as `fd` into `dir`
   * while the blob is still being written. Absent: layers unpack with unpack() after download.
   */
  follow?(fd: number, dir: string): Promise<FollowedLayer>;
}

/** A layer unpacking while its blob file grows: see LayerUnpacker.follow. */
export interface FollowedLayer {
  /** The file now holds this many bytes of the blob. */
  grow(bytes: number): void;
  /** The file is complete and verified; resolves when the layer is unpacked. */
  finish(): Promise<UnpackedLayer>;
  /** Stops; resolves once nothing more is written into the directory. */
  cancel(): Promise<void>;
}
