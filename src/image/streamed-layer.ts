// One layer of a pull, unpacked while its blob downloads (LayerUnpacker.follow). The downloader
// calls begin() at each attempt (a restarted download starts the layer over in a fresh
// directory) and grow() as bytes reach the file; finish() comes after the blob's digest is
// verified, so a layer is committed under its diff id only from verified bytes. abort() leaves
// nothing: the worker is stopped before its directory is removed.
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import { blobPath, checkDiffId, commitLayer, ensureLayer, type EnsuredLayer, layerDir, makeLayerTmp, openMaybeCompressed } from './store.js';
import type { FollowedLayer, LayerUnpacker } from './records.js';

export interface BlobFollower {
  /** A download attempt begins; the partial file already holds `have` bytes. */
  begin(partial: string, have: number): Promise<void>;
  grow(bytes: number): void;
}

export class StreamedLayer implements BlobFollower {
  private job: FollowedLayer | undefined;
  private fd: number | undefined;
  private tmp: string | undefined;

  constructor(
    private readonly ctx: { root: string; layers: LayerUnpacker },
    private readonly diffId: string | Promise<string>,
    private readonly digest: string,
  ) {}

  async begin(partial: string, have: number): Promise<void> {
    await this.abort();
    this.tmp = makeLayerTmp(this.ctx.root);
    this.fd = openSync(partial, 'r');
    this.job = await this.ctx.layers.follow!(this.fd, this.tmp);
    this.job.grow(have);
  }

  /**
   * A blob file already complete and verified (load, import, a build step): unpacked by the pool
   * all the same (the main thread first, then workers). A diff id still being computed (a build step's) is awaited only to commit; a
   * layer that turns out to exist already then loses the rename and its copy is dropped.
   */
  static async fromFile(ctx: { root: string; layers: LayerUnpacker }, diffId: string | Promise<string>, path: string, size: number): Promise<EnsuredLayer> {
    if (!ctx.layers.follow || (typeof diffId === 'string' && existsSync(layerDir(ctx.root, diffId)))) {
      const id = await diffId;
      return ensureLayer(ctx, id, () => openMaybeCompressed(path, `layer ${id}`));
    }
    const s = new StreamedLayer(ctx, diffId, '');
    try {
      await s.begin(path, size);
      return await s.finish();
    } catch (e) {
      await s.abort();
      throw e;
    }
  }

  grow(bytes: number): void {
    this.job?.grow(bytes);
  }

  /** After a verified download; without one (the blob was there or came from a racing pull) it unpacks from the blob. */
  async finish(): Promise<EnsuredLayer> {
    const job = this.job;
    const tmp = this.tmp;
    const diffId = await this.diffId;
    if (!job || tmp === undefined) {
      return ensureLayer(this.ctx, diffId, () => openMaybeCompressed(blobPath(this.ctx.root, this.digest), `layer ${this.digest}`));
    }
    try {
      const r = await job.finish();
      checkDiffId(diffId, r.diffId);
      this.job = undefined;
      this.tmp = undefined;
      return { ...r, created: commitLayer(this.ctx.root, tmp, diffId) };
    } finally {
      this.close();
    }
  }

  async abort(): Promise<void> {
    const job = this.job;
    this.job = undefined;
    if (job) await job.cancel();
    this.close();
    if (this.tmp !== undefined) rmSync(this.tmp, { recursive: true, force: true });
    this.tmp = undefined;
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
