// Moving images in and out of this root (archives, tags, pruning, registries), as the CLI and
// the API reach them: image/ does the work.
import type { Writable } from 'node:stream';
import type { EngineContext } from './context.js';
import { imageContext } from './parts.js';
import { loadImages as loadImages_ } from '../image/import.js';
import { saveImages as save, ARCHIVE_FORMATS, type ArchiveFormat } from '../image/save.js';
import { pruneImages as prune, tagImage as tag, type PruneResult } from '../image/manage.js';
import { diskUsage as usage, diskUsageDetail as usageDetail, type UsageDetail, type UsageLine } from '../image/usage.js';

export { ARCHIVE_FORMATS, type ArchiveFormat, type PruneResult, type UsageDetail, type UsageLine };

const ictx = (ctx: EngineContext) => (imageContext(ctx));

export const saveImages = (ctx: EngineContext, refs: readonly string[], out: Writable, format: ArchiveFormat) => save(ictx(ctx), refs, out, format);
export const loadImages = (ctx: EngineContext, source: string) => loadImages_(ictx(ctx), source);
export const tagImage = (ctx: EngineContext, src: string, dst: string) => tag(ictx(ctx), src, dst);
export const pruneImages = (ctx: EngineContext, opts: { all?: boolean }) => prune(ictx(ctx), opts);
export const diskUsage = (ctx: EngineContext) => usage(ictx(ctx));
export const diskUsageDetail = (ctx: EngineContext) => usageDetail(ictx(ctx));
