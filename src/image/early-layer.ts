// A layer of an image archive unpacked while the archive is still being read (load, import).
// An archive's manifest and config may come after its layers, so which entries are layers, and
// their diff ids, are known only at the end: an entry that looks like a layer (gzip, or a tar
// header) is unpacked on a worker, following its blob file as it is written, into a private
// directory. At commit the plan's diff id is checked against what the worker hashed, and only
// then is the directory renamed to its layer's name. Entries that turn out not to be layers,
// and every directory when the import fails, are dropped (discard) after their worker stops.
import { closeSync, openSync, rmSync } from 'node:fs';
import type { FollowedLayer, LayerUnpacker, UnpackedLayer } from './records.js';
import { checkDiffId, commitLayer, type EnsuredLayer, makeLayerTmp } from './store.js';

/** Workers' jobs not yet through: more would only hold descriptors and directories in a queue. */
const MAX_PENDING = 8;
/** Below this an entry is cheaper to unpack at commit than to start a worker job for. */
const MIN_SIZE = 64 << 10;

export class EarlyLayer {
  private outcome: Promise<UnpackedLayer | Error> | undefined;
  private taken = false;
  private claimed = false;

  private constructor(private readonly root: string, private readonly job: FollowedLayer, private fd: number | undefined, private readonly tmp: string) {}

  /** Whether the first bytes of an entry are a gzip stream or a tar header. */
  static looksLikeLayer(head: Buffer): boolean {
    if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    return head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
  }

  /** Starts following `path` (already holding `have` bytes), or undefined when it is not worth it. */
  static async start(ctx: { root: string; layers: LayerUnpacker }, path: string, have: number, size: number,
    open: EarlyLayer[]): Promise<EarlyLayer | undefined>
  {
    if (!ctx.layers.follow || size < MIN_SIZE || open.filter((l) => !l.settled).length >= MAX_PENDING) return undefined;
    const tmp = makeLayerTmp(ctx.root);
    const fd = openSync(path, 'r');
    try {
      const job = await ctx.layers.follow(fd, tmp);
      const l = new EarlyLayer(ctx.root, job, fd, tmp);
      open.push(l);
      job.grow(have);
      return l;
    } catch (e) {
      closeSync(fd);
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  private settled = false;

  grow(bytes: number): void {
    this.job.grow(bytes);
  }

  /** The entry is completely written: the worker reads to its end and hashes it. */
  end(): void {
    this.outcome = this.job.finish().then((r) => r, (e: unknown) => e as Error).finally(() => {
      this.settled = true;
      this.close();
    });
  }

  /** What the worker made of the whole entry (an Error when it is no layer), once it is through. */
  async result(): Promise<UnpackedLayer | Error | undefined> {
    return this.outcome && (await this.outcome);
  }

  /**
   * The unpacked directory under the diff id the image config claims, checked against the bytes;
   * undefined when the worker failed (the caller unpacks the blob itself and reports its error).
   */
  async take(root: string, diffId: string): Promise<EnsuredLayer | undefined> {
    // Claimed before waiting: a manifest may list one blob twice, and only one can have the directory.
    if (this.claimed || !this.outcome) return undefined;
    this.claimed = true;
    const r = await this.outcome;
    if (r instanceof Error) return undefined;
    checkDiffId(diffId, r.diffId);
    this.taken = true;
    return { ...r, created: commitLayer(root, this.tmp, diffId) };
  }

  /** Stops the worker (if still running) and removes the directory unless it became a layer. */
  async discard(): Promise<void> {
    if (this.taken) return;
    this.taken = true;
    // A job still queued is dropped unsettled, so its result is not awaited here.
    if (!this.settled) await this.job.cancel();
    this.close();
    rmSync(this.tmp, { recursive: true, force: true });
  }

  private close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** Drops every early layer not committed; safe to call more than once. */
export async function discardAll(open: EarlyLayer[]): Promise<void> {
  for (const l of open.splice(0)) await l.discard();
}
