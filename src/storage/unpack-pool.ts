// Layers unpack on worker threads, as many as the CPUs, while their blobs download: a pull's
// time is then the slowest layer's, not the sum of all of them. The downloader tells a job how
// many bytes of the blob file are written (grow), then that the blob is complete and verified
// (finish); the worker follows the file through a shared descriptor, so nothing is held in
// memory or written twice. Jobs beyond the CPU count wait for a free worker; their downloads
// do not wait for anything. Idle workers do not keep the process alive.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { BerthError, corrupt, type ErrorKind } from '../common/errors.js';
import type { UnpackResult } from './unpack.js';

export type ToWorker =
  | { type: 'start'; id: number; fd: number; dir: string; avail: number; finished: boolean }
  | { type: 'grow'; id: number; avail: number }
  | { type: 'finish'; id: number }
  | { type: 'cancel'; id: number };

export type FromWorker =
  | { type: 'done'; id: number; diffId: string; size: number }
  | { type: 'error'; id: number; message: string; berth: boolean; kind?: string; code?: string; hint?: string };

/** A layer being unpacked from a file that is still growing. */
export interface FollowedLayer {
  /** The file now holds this many bytes of the blob. */
  grow(bytes: number): void;
  /** The file is complete (and its digest verified); the result comes once the worker is through. */
  finish(): Promise<UnpackResult>;
  /** Stops the worker; resolves once it writes nothing more into the directory. */
  cancel(): Promise<void>;
}

interface Pending {
  id: number;
  fd: number;
  dir: string;
  avail: number;
  finished: boolean;
  cancelled: boolean;
  worker: Slot | undefined;
  settle: (r: FromWorker) => void;
}

interface Slot {
  worker: Worker;
  busy: Pending | undefined;
}

const slots: Slot[] = [];
const queue: Pending[] = [];
let nextId = 1;

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

function dispatch(): void {
  while (queue.length > 0) {
    let slot = slots.find((s) => s.busy === undefined);
    if (!slot && slots.length < availableParallelism()) slot = newSlot();
    if (!slot) return;
    const p = queue.shift()!;
    if (p.cancelled) {
      p.settle({ type: 'error', id: p.id, message: 'cancelled', berth: false });
      continue;
    }
    slot.busy = p;
    p.worker = slot;
    slot.worker.ref();
    slot.worker.postMessage({ type: 'start', id: p.id, fd: p.fd, dir: p.dir, avail: p.avail, finished: p.finished } satisfies ToWorker);
  }
}

function toError(m: Extract<FromWorker, { type: 'error' }>): Error {
  if (m.berth && m.kind !== undefined && m.code !== undefined) {
    return new BerthError(m.kind as ErrorKind, m.code, m.message, m.hint === undefined ? {} : { hint: m.hint });
  }
  // A full or read-only disk keeps its errno across the worker, so the front says so (common/system-errors.ts).
  if (m.code === 'ENOSPC' || m.code === 'EDQUOT' || m.code === 'EROFS') return Object.assign(new Error(m.message), { code: m.code });
  return corrupt('layer.corrupt', `layer could not be unpacked: ${m.message}`);
}

/**
 * Unpacks the blob open as `fd` (gzip or plain tar) into `dir` on a worker. The caller keeps
 * `fd` open until finish() or cancel() settles.
 */
export function followLayer(fd: number, dir: string, avail = 0): FollowedLayer {
  let settle!: (r: FromWorker) => void;
  const result = new Promise<FromWorker>((r) => (settle = r));
  const p: Pending = { id: nextId++, fd, dir, avail, finished: false, cancelled: false, worker: undefined, settle };
  const send = (m: ToWorker) => p.worker?.busy === p && p.worker.worker.postMessage(m);
  queue.push(p);
  dispatch();
  return {
    grow(bytes) {
      p.avail = Math.max(p.avail, bytes);
      send({ type: 'grow', id: p.id, avail: p.avail });
    },
    async finish() {
      p.finished = true;
      send({ type: 'finish', id: p.id });
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
      send({ type: 'cancel', id: p.id });
      await result;
    },
  };
}
