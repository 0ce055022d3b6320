// Image verbs as the CLI and the API reach them: image/ does the work against this root.
import type { EngineContext } from './context.js';
import { imageContext } from './parts.js';
import type { ImportOptions } from '../image/import.js';
import { listImages as ls, inspectImage as ins, removeImage as rm, resolveImage, imageHistory as hist } from '../image/images.js';

// image/import.js (archives, tar, gzip) is loaded only by the commands that import.
export const importImage = async (ctx: EngineContext, source: string, name?: string, opts?: ImportOptions) =>
  (await import('../image/import.js')).importImage(imageContext(ctx), source, name, opts);
export const listImages = (ctx: EngineContext, opts: { all?: boolean } = {}) => ls(imageContext(ctx).store, opts);
export const inspectImage = (ctx: EngineContext, ref: string) => ins(imageContext(ctx).store, ref);
export const imageHistory = (ctx: EngineContext, ref: string) => hist(imageContext(ctx).store, ref);
export const removeImage = (ctx: EngineContext, ref: string, opts: { force?: boolean }) => rm(imageContext(ctx), ref, opts);
export const imageExists = (ctx: EngineContext, ref: string): boolean => {
  try {
    resolveImage(imageContext(ctx).store, ref);
    return true;
  } catch {
    return false;
  }
};
