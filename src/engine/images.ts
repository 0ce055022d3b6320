// Image verbs as the CLI and the API reach them: image/ does the work against this root.
import type { EngineContext } from './context.js';
import type { ImportOptions } from '../image/import.js';
import { listImages as ls, inspectImage as ins, removeImage as rm, resolveImage, imageHistory as hist } from '../image/images.js';

// image/import.js (archives, tar, gzip) is loaded only by the commands that import.
export const importImage = async (ctx: EngineContext, source: string, name?: string, opts?: ImportOptions) =>
  (await import('../image/import.js')).importImage({ db: ctx.db, root: ctx.paths.root }, source, name, opts);
export const listImages = (ctx: EngineContext, opts: { all?: boolean } = {}) => ls(ctx.db, opts);
export const inspectImage = (ctx: EngineContext, ref: string) => ins(ctx.db, ref);
export const imageHistory = (ctx: EngineContext, ref: string) => hist(ctx.db, ref);
export const removeImage = (ctx: EngineContext, ref: string, opts: { force?: boolean }) => rm({ db: ctx.db, root: ctx.paths.root }, ref, opts);
export const imageExists = (ctx: EngineContext, ref: string): boolean => {
  try { resolveImage(ctx.db, ref); return true; } catch { return false; }
};
