// A worker thread that unpacks layer blobs while they are still being written (see unpack-pool.ts).
// Each job names an open file descriptor (the process shares its fd table with its threads) and
// how many of its bytes are written so far; the worker reads up to there, gunzips when the blob
// is gzip, and hands the tar to unpackLayer, so every check of the one-thread unpacker holds.
import { read } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort } from 'node:worker_threads';
import { createGunzip } from 'node:zlib';
import { isBerthError, unavailable } from '../common/errors.js';
import type { ToWorker, FromWorker } from './unpack-pool.js';
import { unpackLayer } from './unpack.js';

interface Job {
  fd: number;
  avail: number;
  finished: boolean;
  cancelled: boolean;
  wake: (() => void) | undefined;
}

const jobs = new Map<number, Job>();
// 64 KiB reads: each one is an off-heap buffer until the next collection; 256 KiB ones cost RSS, not speed.
const CHUNK = 64 << 10;

function readAt(fd: number, len: number, pos: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const b = Buffer.allocUnsafe(len);
    read(fd, b, 0, len, pos, (e, n) => (e ? reject(e) : resolve(b.subarray(0, n))));
  });
}

async function waitFor(job: Job, ready: () => boolean): Promise<void> {
  while (!ready()) {
    if (job.cancelled) throw new Error('cancelled');
    if (job.finished) return;
    await new Promise<void>((r) => (job.wake = r));
  }
  if (job.cancelled) throw new Error('cancelled');
}

async function* bytes(job: Job): AsyncGenerator<Buffer> {
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

async function unpack(id: number, job: Job, dir: string): Promise<FromWorker> {
  await waitFor(job, () => job.avail >= 4);
  const head = job.avail > 0 ? await readAt(job.fd, Math.min(4, job.avail), 0) : Buffer.alloc(0);
  if (head.length === 4 && head.readUInt32LE(0) === 0xfd2fb528) {
    throw unavailable('image.unsupported', 'the layer is zstd-compressed, which berth cannot read yet', 'recompress the image with gzip');
  }
  const raw = Readable.from(bytes(job), { objectMode: false });
  const gzip = head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
  const stream = gzip ? raw.pipe(createGunzip()) : raw;
  if (gzip) raw.on('error', (e) => stream.destroy(e));
  const r = await unpackLayer(stream, dir);
  return { type: 'done', id, diffId: r.diffId, size: r.size };
}

parentPort!.on('message', (m: ToWorker) => {
  if (m.type === 'start') {
    const job: Job = { fd: m.fd, avail: m.avail, finished: m.finished, cancelled: false, wake: undefined };
    jobs.set(m.id, job);
    unpack(m.id, job, m.dir).then(
      (r) => parentPort!.postMessage(r),
      (e: unknown) => {
        const err = e as Error & { kind?: string; code?: string; hint?: string };
        const out: FromWorker = { type: 'error', id: m.id, message: err.message, berth: isBerthError(e) };
        if (err.kind !== undefined) out.kind = err.kind;
        if (err.code !== undefined) out.code = err.code;
        if (err.hint !== undefined) out.hint = err.hint;
        parentPort!.postMessage(out);
      },
    ).finally(() => jobs.delete(m.id));
    return;
  }
  const job = jobs.get(m.id);
  if (!job) return;
  if (m.type === 'grow') job.avail = Math.max(job.avail, m.avail);
  else if (m.type === 'finish') job.finished = true;
  else job.cancelled = true;
  const w = job.wake;
  job.wake = undefined;
  w?.();
});
