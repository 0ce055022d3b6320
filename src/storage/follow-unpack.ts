// One layer unpacked from a blob file that is still being written, on whichever thread runs it:
// an unpack worker (unpack-worker.ts) or the main thread (unpack-pool.ts). Both run this same
// code, so a hostile layer meets the same checks, and fails with the same error, on either.
// The job is told how many bytes of the file are written (grow) and that it is complete
// (finish); it reads up to there, gunzips when the blob is gzip, and hands the tar to unpackLayer.
// Every read, gunzip step and file write is a short slice between two awaits, so on the main
// thread the downloads it shares the event loop with keep flowing.
import { read } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BerthError, corrupt, type ErrorKind, isBerthError, unavailable } from '../common/errors.js';
import { unpackLayer, type UnpackResult } from './unpack.js';

/** What the pool tells a worker. */
export type ToWorker =
  | { type: 'start'; id: number; fd: number; dir: string; avail: number; finished: boolean }
  | { type: 'grow'; id: number; avail: number }
  | { type: 'finish'; id: number }
  | { type: 'cancel'; id: number };

/** How a job ended, as a worker posts it (and the main thread's own job reports it too). */
export type FromWorker =
  | { type: 'done'; id: number; diffId: string; size: number }
  | { type: 'error'; id: number; message: string; berth: boolean; kind?: string; code?: string; hint?: string };

export interface FollowJob {
  fd: number;
  avail: number;
  finished: boolean;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

export type JobUpdate = { type: 'grow'; avail: number } | { type: 'finish' } | { type: 'cancel' };

// 64 KiB reads: each one is an off-heap buffer until the next collection; 256 KiB ones cost RSS, not speed.
const CHUNK = 64 << 10;

export function newJob(fd: number, avail: number, finished: boolean): FollowJob {
  return { fd, avail, finished, cancelled: false, wake: undefined };
}

export function updateJob(job: FollowJob, m: JobUpdate): void {
  if (m.type === 'grow') job.avail = Math.max(job.avail, m.avail);
  else if (m.type === 'finish') job.finished = true;
  else job.cancelled = true;
  const w = job.wake;
  job.wake = undefined;
  w?.();
}

function readAt(fd: number, len: number, pos: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const b = Buffer.allocUnsafe(len);
    read(fd, b, 0, len, pos, (e, n) => (e ? reject(e) : resolve(b.subarray(0, n))));
  });
}

async function waitFor(job: FollowJob, ready: () => boolean): Promise<void> {
  while (!ready()) {
    if (job.cancelled) throw new Error('cancelled');
    if (job.finished) return;
    await new Promise<void>((r) => (job.wake = r));
  }
  if (job.cancelled) throw new Error('cancelled');
}

async function* bytes(job: FollowJob): AsyncGenerator<Buffer> {
  let off = 0;
  for (;;) {
    await waitFor(job, () => off < job.avail);
    if (off >= job.avail) return;
    const b = await readAt(job.fd, Math.min(CHUNK, job.avail - off), off);
    if (b.length === 0) throw new Error(`blob ends at ${off} bytes, expected ${job.avail}`);
    off += b.length;
    yield b;
  }
}

export async function unpackFollowing(job: FollowJob, dir: string): Promise<UnpackResult> {
  await waitFor(job, () => job.avail >= 4);
  const head = job.avail > 0 ? await readAt(job.fd, Math.min(4, job.avail), 0) : Buffer.alloc(0);
  if (head.length === 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    throw unavailable('image.unsupported', 'the layer is zstd-compressed, which berth cannot read yet', 'recompress the image with gzip');
  }
  const raw = Readable.from(bytes(job), { objectMode: false });
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (e) => stream.destroy(e));
  return unpackLayer(stream, dir);
}

/** A job's failure as plain data, the form it crosses a thread in. */
export function errorMessage(id: number, e: unknown): FromWorker {
  const err = e as Error & { kind?: string; code?: string; hint?: string };
  const out: FromWorker = { type: 'error', id, message: err.message, berth: isBerthError(e) };
  if (err.kind !== undefined) out.kind = err.kind;
  if (err.code !== undefined) out.code = err.code;
  if (err.hint !== undefined) out.hint = err.hint;
  return out;
}

/** The error a failed job's message stands for, wherever the job ran. */
export function toError(m: Extract<FromWorker, { type: 'error' }>): Error {
  if (m.berth && m.kind !== undefined && m.code !== undefined) {
    return new BerthError(m.kind as ErrorKind, m.code, m.message, m.hint === undefined ? {} : { hint: m.hint });
  }
  // A full or read-only disk keeps its errno across the worker, so the front says so (common/system-errors.ts).
  if (m.code === 'ENOSPC' || m.code === 'EDQUOT' || m.code === 'EROFS') return Object.assign(new Error(m.message), { code: m.code });
  return corrupt('layer.corrupt', `layer could not be unpacked: ${m.message}`);
}
