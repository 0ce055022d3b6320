// The instances file as image/ asks for it (image/records.ts's ImageStore, matched by shape:
// state/ does not import image/). The engine builds one per command and hands it in.
import type { Db } from './db.js';
import { tx } from './db.js';
import { containerSpecs, containerUsingImage, imagesInUse } from './containers.js';
import * as im from './images.js';
import * as ly from './layers.js';

export function imageStore(db: Db) {
  return {
    transaction: <T>(fn: () => T): T => tx(db, fn),
    image: (id: string) => im.imageById(db, id),
    imageByDigest: (digest: string) => im.imageByDigest(db, digest),
    imagesByIdPrefix: (hex: string, limit: number) => im.imagesByIdPrefix(db, hex, limit),
    allImages: () => im.allImageRefs(db),
    unusedImages: (opts: { all: boolean }) => im.unusedImages(db, opts),
    insertImage: (image: im.ImageRow) => im.insertImageRow(db, image),
    deleteImage: (id: string) => im.deleteImageRow(db, id),
    imageList: (opts: { buildCache: boolean }) => im.imageListRows(db, opts),
    untaggedBuildCacheImages: () => im.untaggedBuildCacheImages(db),
    imageIdForTag: (name: string) => im.imageIdForTag(db, name),
    tagsOf: (imageId: string) => im.tagsOfImage(db, imageId),
    setTag: (name: string, imageId: string) => im.setTag(db, name, imageId),
    deleteTag: (name: string) => im.deleteTag(db, name),
    deleteTagsOf: (imageId: string) => im.deleteTagsOfImage(db, imageId),
    insertLayer: (layer: ly.LayerRow) => ly.insertLayerRow(db, layer),
    layer: (diffId: string) => ly.layerRow(db, diffId),
    allLayers: () => ly.allLayerRows(db),
    layerInUse: (diffId: string) => ly.layerInUse(db, diffId),
    blobInUse: (digest: string) => ly.blobInUse(db, digest),
    deleteLayer: (diffId: string) => ly.deleteLayerRow(db, diffId),
    containerUsing: (imageId: string) => containerUsingImage(db, imageId),
    imagesInUse: () => imagesInUse(db),
    containers: () => containerSpecs(db),
  };
}
