// attach: a client of conmon's attach socket, for `attach`, `start -a`, `run -it` and the API.
// The container is held by conmon, never by berth, so a client may leave (the detach keys, a
// closed connection) and come back; the container's output still goes to conmon's log as well.
import { PassThrough, type Readable } from 'node:stream';
import { BerthError } from '../common/errors.js';
import { DEFAULT_DETACH_KEYS, DetachScanner, parseDetachKeys } from '../common/detach-keys.js';
import type { AttachConnection } from '../runtime/attach.js';
import { existsSync } from 'node:fs';
import { containerDir, containerRunDir, type EngineContext } from './context.js';
import { hostOf } from './host.js';
import { lockContainer } from './lock.js';
import { isLive, mustBe } from './lifecycle.js';
import { type Container, lookup, reload } from './container-records.js';
import { reconcileOne, releaseResources } from './container-finalize.js';
import { startLocked } from './container-start.js';
import { createContainer } from './container-create.js';
import { removeContainer } from './container-remove.js';
import type { CreateRequest } from './types.js';
import { tx } from '../state/db.js';
import { updateContainer } from '../state/containers.js';

export interface AttachOptions {
  /** Forward the caller's input (only when the container keeps stdin open). Default false. */
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  /** Docker's syntax, "ctrl-p,ctrl-q" when absent; "" turns detaching off. */
  detachKeys?: string;
}

export type AttachEnd = 'exited' | 'detached';

export interface AttachSession {
  readonly id: string;
  /** A terminal: everything comes on stdout, raw. */
  readonly tty: boolean;
  /** Whether input reaches the container (asked for, and the container keeps stdin open). */
  readonly stdin: boolean;
  /** End when the session does. */
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** The caller's input, scanned for the detach keys; ignored without stdin. */
  write(data: Buffer): void;
  /** The caller's input has ended (EOF, a client's half-close). */
  endStdin(): void;
  resize(height: number, width: number): void;
  /** Leaves the container running. */
  detach(): void;
  /** 'exited' when the container's process ended the stream, 'detached' otherwise. */
  readonly done: Promise<AttachEnd>;
}

function makeSession(ctx: EngineContext, c: Container, conn: AttachConnection, o: AttachOptions): AttachSession {
  return sessionOn(ctx, { id: c.id, tty: c.spec.tty === true, openStdin: c.spec.openStdin === true, dir: containerDir(ctx, c.id) }, conn, o);
}

/** A session on any conmon attach connection: a container's, or an exec's (dir: where its ctl fifo is). */
export function sessionOn(ctx: EngineContext, t: { id: string; tty: boolean; openStdin: boolean; dir: string }, conn: AttachConnection,
  o: AttachOptions): AttachSession
{
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const tty = t.tty;
  const wantsIn = o.stdin === true && (t.openStdin || tty);
  const scanner = new DetachScanner(parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS));
  let ending: AttachEnd = 'exited';
  const done = new Promise<AttachEnd>((resolve) => {
    conn.on('end', () => {
      stdout.end();
      stderr.end();
      resolve(ending);
    });
  });
  conn.on('output', (stream, data) => {
    if (stream === 'stdout' && o.stdout !== false) stdout.write(data);
    else if (stream === 'stderr' && o.stderr !== false) stderr.write(data);
  });
  const bundle = t.dir;
  const detach = () => {
    ending = 'detached';
    conn.close();
  };
  return {
    id: t.id,
    tty,
    stdin: wantsIn,
    stdout,
    stderr,
    write: (data) => {
      if (!wantsIn) return;
      const r = scanner.push(data);
      conn.write(r.forward);
      if (r.detached) detach();
    },
    endStdin: () => {
      // A terminal's stdin is the pty: EOF is a key (ctrl-d) there, not a close.
      if (wantsIn && !tty) conn.closeStdin();
    },
    resize: (h, w) => {
      if (tty && h > 0 && w > 0) hostOf(ctx).resizeTerminal(bundle, h, w);
    },
    detach,
    done,
  };
}

/** Attaches to a running container. */
export async function attachContainer(ctx: EngineContext, ref: string, o: AttachOptions): Promise<AttachSession> {
  parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS);
  const c = reconcileOne(ctx, lookup(ctx, ref));
  if (c.status === 'paused') throw new BerthError('Conflict', 'attach.paused', `cannot attach to paused container ${c.name}: unpause it first`);
  if (!isLive(c.status)) throw new BerthError('Conflict', 'attach.not_running', `cannot attach to a stopped container ${c.name}, start it first`);
  const conn = await hostOf(ctx).connectAttach(containerDir(ctx, c.id));
  return makeSession(ctx, c, conn, o);
}

/**
 * Starts a container with a session attached before its process runs, so that the session has
 * this run's output from its first byte (`start -a`, `run -it`). conmon calls berth back at the
 * exit, since the caller may detach.
 */
export async function startAttached(ctx: EngineContext, ref: string, o: AttachOptions): Promise<{ container: Container; session: AttachSession }> {
  parseDetachKeys(o.detachKeys ?? DEFAULT_DETACH_KEYS);
  const c0 = lookup(ctx, ref);
  const lock = lockContainer(ctx, c0.id);
  try {
    const c = reconcileOne(ctx, reload(ctx, c0.id));
    if (isLive(c.status)) throw new BerthError('Conflict', 'container.running', `container ${c.name} is already running`, { hint: 'use berth attach' });
    mustBe('start', c.status, c.name);
    if (existsSync(containerRunDir(ctx, c.id))) releaseResources(ctx, c);
    if (c.restartCount !== 0 || c.restartBackoffMs !== 0) tx(ctx.db, () => updateContainer(ctx.db, c.id, { restartCount: 0, restartBackoffMs: 0 }));
    let session: AttachSession | undefined;
    const started = await startLocked(ctx, { ...c, restartCount: 0, restartBackoffMs: 0 }, {
      exitCommand: true,
      beforeStart: async (bundle, undo) => {
        const conn = await hostOf(ctx).connectAttach(bundle);
        undo.push('close attach connection', () => conn.close());
        session = makeSession(ctx, c, conn, o);
      },
    });
    if (!session) throw new Error('startAttached: the start made no session');
    return { container: started, session };
  } finally {
    lock.release();
  }
}

/** create + startAttached; the container is removed again when it could not start. */
export async function runAttached(ctx: EngineContext, req: CreateRequest, o: AttachOptions): Promise<{ container: Container; session: AttachSession }> {
  if (o.detachKeys !== undefined) parseDetachKeys(o.detachKeys);
  const c = createContainer(ctx, req);
  try {
    return await startAttached(ctx, c.id, o);
  } catch (e) {
    try {
      removeContainer(ctx, c.id, { force: true });
    } catch { /* the start's error is the one to report */ }
    throw e;
  }
}

/** A terminal's new size from a client that is not the session's (the API's resize). */
export function resizeContainer(ctx: EngineContext, ref: string, height: number, width: number): void {
  const c = reconcileOne(ctx, lookup(ctx, ref));
  if (!isLive(c.status)) throw new BerthError('Conflict', 'attach.not_running', `cannot resize a stopped container ${c.name}`);
  if (c.spec.tty === true && height > 0 && width > 0) hostOf(ctx).resizeTerminal(containerDir(ctx, c.id), height, width);
}
