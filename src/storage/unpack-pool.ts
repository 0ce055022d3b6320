// Layers unpack while their blobs download: a pull's time is then the slowest layer's, not the
// sum of all of them. The downloader tells a job how many bytes of the blob file are written
// (grow), then that the blob is complete and verified (finish); the unpacker follows the file
// through a descriptor, so nothing is held in memory or written twice (follow-unpack.ts).
//
// Who unpacks: the main thread first, then worker threads, as many unpackers in all as the CPUs.
// The main thread is nearly idle during a pull or a load (the downloads, or the archive's read,
// are a fraction of the time), and every worker is a V8 isolate of its own: about 30 MB of RSS
// when busy. So one layer is the main thread's own job, and a worker is started only when a
// second layer is waiting; on 2 CPUs that is 2-way parallelism with one isolate, and a one-layer
// image never starts one. Jobs beyond that wait for a free unpacker; their downloads do not
// wait for anything. Idle workers do not keep the process alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errorMessage, type FromWorker, newJob, toError, type ToWorker, unpackFollowing, updateJob } from './follow-unpack.js';
import type { UnpackResult } from './unpack.js';

export type { FromWorker, ToWorker };

/** A layer being unpacked from a file that is still growing. */
export interface FollowedLayer {
  /** The file now holds this many bytes of the blob. */
  grow(bytes: number): void;
  /** The file is complete (and its digest verified); the result comes once the unpacker is through. */
  finish(): Promise<UnpackResult>;
  /** Stops the unpacker; resolves once it writes nothing more into the directory. */
  cancel(): Promise<void>;
}

type Update = Exclude<ToWorker, { type: 'start' }>;

interface Pending {
  id: number;
  fd: number;
  dir: string;
  avail: number;
  finished: boolean;
  cancelled: boolean;
  /** Reaches the job where it runs; set once an unpacker has it. */
  send: ((m: Update) => void) | undefined;
  settle: (r: FromWorker) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

const slots: Slot[] = [];
const queue: Pending[] = [];
let mainBusy = false;
let nextId = 1;

/** Workers beside the main thread's own unpacker (BERTH_UNPACK_THREADS caps all unpackers, for the bench and tests). */
function maxWorkers(): number {
  const cap = Number(process.env['BERTH_UNPACK_THREADS']);
  return Math.max(0, (Number.isInteger(cap) && cap > 0 ? cap : availableParallelism()) - 1);
}

/** The worker's file beside this module: unpack-worker.js from tsc, unpack-worker.cjs in the bundle. */
function workerUrl(): URL {
  const here = import.meta.url;
  return new URL(here.endsWith('.cjs') ? './unpack-worker.cjs' : './unpack-worker.js', here);
}

function newSlot(): Slot {
  // The parent's node flags are not the worker's (--input-type, --test and the like are refused there).
  // A small heap: the worker's garbage is short-lived buffers, and the default let each worker's
  // heap grow by tens of MB for nothing. An old generation of 32 MB makes V8 collect (and free the
  // read buffers it holds) long before a worker's RSS grows; streaming a layer never needs more.
  const slot: Slot = { worker: new Worker(workerUrl(), { execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 32 } }),
    busy: undefined };
  slot.worker.on('message', (m: FromWorker) => {
    const p = slot.busy;
    if (!p || p.id !== m.id) return;
    slot.busy = undefined;
    slot.worker.unref();
    p.settle(m);
    dispatch();
  });
  slot.worker.on('error', (e) => failSlot(slot, e.message));
  slot.worker.on('exit', (code) => failSlot(slot, `unpack worker exited with code ${code}`));
  slots.push(slot);
  return slot;
}

function failSlot(slot: Slot, message: string): void {
  const i = slots.indexOf(slot);
  if (i >= 0) slots.splice(i, 1);
  const p = slot.busy;
  slot.busy = undefined;
  p?.settle({ type: 'error', id: p.id, message, berth: false });
  dispatch();
}

/** The job runs here, between the main thread's other work; its outcome takes the worker's form, so it fails the same way. */
function runOnMain(p: Pending): void {
  mainBusy = true;
  const job = newJob(p.fd, p.avail, p.finished);
  p.send = (m) => updateJob(job, m);
  unpackFollowing(job, p.dir).then(
    (r): FromWorker => ({ type: 'done', id: p.id, diffId: r.diffId, size: r.size }),
    (e: unknown) => errorMessage(p.id, e),
  ).then((m) => {
    mainBusy = false;
    p.settle(m);
    dispatch();
  }, () => undefined);
}

function runOnWorker(slot: Slot, p: Pending): void {
  slot.busy = p;
  p.send = (m) => slot.busy === p && slot.worker.postMessage(m);
  slot.worker.ref();
  slot.worker.postMessage({ type: 'start', id: p.id, fd: p.fd, dir: p.dir, avail: p.avail, finished: p.finished } satisfies ToWorker);
}

function dispatch(): void {
  while (queue.length > 0) {
    const p = queue[0]!;
    if (p.cancelled) {
      queue.shift();
      p.settle({ type: 'error', id: p.id, message: 'cancelled', berth: false });
      continue;
    }
    if (!mainBusy) {
      queue.shift();
      runOnMain(p);
      continue;
    }
    if (slots.filter((s) => s.busy !== undefined).length >= maxWorkers()) return;
    const slot = slots.find((s) => s.busy === undefined) ?? newSlot();
    queue.shift();
    runOnWorker(slot, p);
  }
}

/** Where jobs are now (for tests): whether the main thread has one, how many workers exist and are busy, how many wait. */
export function unpackers(): { main: boolean; workers: number; busyWorkers: number; queued: number } {
  return { main: mainBusy, workers: slots.length, busyWorkers: slots.filter((s) => s.busy !== undefined).length, queued: queue.length };
}

/**
 * Unpacks the blob open as `fd` (gzip or plain tar) into `dir`, on the main thread or a worker.
 * The caller keeps `fd` open until finish() or cancel() settles.
 */
export function followLayer(fd: number, dir: string, avail = 0): FollowedLayer {
  let settle!: (r: FromWorker) => void;
  const result = new Promise<FromWorker>((r) => (settle = r));
  const p: Pending = { id: nextId++, fd, dir, avail, finished: false, cancelled: false, send: undefined, settle };
  queue.push(p);
  dispatch();
  return {
    grow(bytes) {
      p.avail = Math.max(p.avail, bytes);
      p.send?.({ type: 'grow', id: p.id, avail: p.avail });
    },
    async finish() {
      p.finished = true;
      p.send?.({ type: 'finish', id: p.id });
      const m = await result;
      if (m.type === 'error') throw toError(m);
      return { diffId: m.diffId, size: m.size };
    },
    async cancel() {
      p.cancelled = true;
      const i = queue.indexOf(p);
      if (i >= 0) {
        queue.splice(i, 1);
        return;
      }
      p.send?.({ type: 'cancel', id: p.id });
      await result;
    },
  };
}
