// `berth commit` (a container's writable layer becomes a new image layer on top of its image)
// and `berth export` (a container's whole filesystem as one tar).
import { createWriteStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { createImage } from '../image/create.js';
import { imageLayerDirs, resolveImage } from '../image/images.js';
import type { OciContainerConfig } from '../image/types.js';
import { packDir } from '../storage/pack.js';
import { containerIds } from './userns.js';
import { prepareSnapshot, snapshotPaths } from '../storage/overlay.js';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { run } from '../sys/exec.js';
import { lookup } from './containers.js';
import type { EngineContext } from './context.js';
import { imageContext } from './parts.js';
import { lockContainer } from './lock.js';
import { dropStaleViews } from './container-fs.js';

export type { OciContainerConfig };

export interface CommitOptions {
  author?: string;
  message?: string;
  /** Config changes (Dockerfile instructions CMD, ENTRYPOINT, ENV, …), applied after the container's own. */
  changes?: (c: OciContainerConfig) => void;
}

export async function commitContainer(ctx: EngineContext, ref: string, name: string | undefined,
  opts: CommitOptions = {}): Promise<{ id: string; name: string | undefined }>
{
  const c = lookup(ctx, ref);
  const image = resolveImage(imageContext(ctx).store, c.imageId);
  const base = image.config.config ?? {};
  const config: OciContainerConfig = {
    ...base,
    Env: c.spec.env,
    Entrypoint: c.spec.entrypoint.length > 0 ? c.spec.entrypoint : null,
    Cmd: c.spec.cmd.length > 0 ? c.spec.cmd : null,
    WorkingDir: c.spec.workdir === '/' ? base.WorkingDir ?? '' : c.spec.workdir,
    User: c.spec.user === '0' && !base.User ? '' : c.spec.user,
  };
  opts.changes?.(config);
  const { upper } = snapshotPaths(ctx.paths.root, c.id);
  const staging = mkdtempSync(join(ctx.paths.root, 'tmp', 'commit-'));
  try {
    // A running container's last writes reach the upper directory before it is read.
    run('sync', ['-f', upper], { allowFail: true });
    const tarPath = join(staging, 'layer.tar');
    const ids = containerIds(c.spec.userns);
    await packDir(upper, createWriteStream(tarPath, { mode: 0o600 }), { overlayWhiteouts: true, ...(ids ? { ids } : {}) });
    const made = await createImage(imageContext(ctx), {
      parent: image,
      config,
      layerTar: tarPath,
      createdBy: `berth commit ${c.name}`,
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.message ? { comment: opts.message } : {}),
      ...(name ? { tags: [name] } : {}),
    });
    return { id: made.id, name: made.repoTags[0] };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Writes the container's filesystem (its image's layers with its own changes on top) as a tar. */
export async function exportContainer(ctx: EngineContext, ref: string, out: Writable): Promise<void> {
  const c = lookup(ctx, ref);
  const { merged } = snapshotPaths(ctx.paths.root, c.id);
  const lock = lockContainer(ctx, c.id);
  let target: string | undefined;
  try {
    dropStaleViews(join(ctx.paths.runroot, 'export'), c.id);
    const ids = containerIds(c.spec.userns);
    if (isMounted(merged)) {
      await packDir(merged, out, ids ? { ids } : {});
      return;
    }
    // Stopped: mount its overlay privately (read-only) for as long as the export takes; the
    // lock keeps a start from mounting the same upper directory meanwhile.
    const image = resolveImage(imageContext(ctx).store, c.imageId);
    const snap = prepareSnapshot(ctx.paths.root, c.id, imageLayerDirs(ctx.paths.root, image));
    mkdirSync(join(ctx.paths.runroot, 'export'), { recursive: true, mode: 0o700 });
    target = mkdtempSync(join(ctx.paths.runroot, 'export', `${c.id.slice(0, 12)}-`));
    mount({ ...snap.mount, options: [...snap.mount.options, 'ro'] }, target);
    await packDir(target, out, ids ? { ids } : {});
  } finally {
    if (target !== undefined) {
      try {
        if (isMounted(target)) unmount(target);
      } catch {
        unmount(target, { lazy: true });
      }
      rmSync(target, { recursive: true, force: true });
    }
    lock.release();
  }
}
