// What image/ offers the engine. Everything else in this folder is its own business.
export type { ConfigChanges } from './formats.js';
export { resolveImage, listImages, inspectImage, removeImage, imageLayerDirs, imageConfig, type RemoveResult } from './images.js';
export { importImage, type ImportOptions } from './import.js';
export type { ImageStore, LayerUnpacker, UnpackedLayer, StoredImage, StoredLayer, ImageRefs } from './records.js';
export { normalizeName, parseReference, splitName, candidateNames, type Reference } from './reference.js';
export type { ImageRecord, ImageSummary, ImageConfig, ImageContext, ImageInspect, OciImage, OciContainerConfig, HealthcheckConfig } from './types.js';
