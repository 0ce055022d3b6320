// The container routes that stay open: logs (follow), attach (hijacked or plain) and wait.
// Each polls the engine without holding a lock between polls, so one client's long request
// never blocks another's; each ends when its client goes away.
import type { Socket } from 'node:net';
import type { Container, LogChunk, LogOptions } from '../engine/index.js';
import { isBerthError } from '../common/errors.js';
import { badRequest } from './errors.js';
import { frame, MULTIPLEXED } from './framing.js';
import { qBool, qInt, qStr } from './http.js';
import type { Call, Route } from './router.js';

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** Docker's since/until: Unix seconds, with an optional fraction, or RFC 3339. */
export function parseTime(v: string | undefined, key: string): Date | undefined {
  if (v === undefined || v === '' || v === '0') return undefined;
  const d = /^\d{1,12}(\.\d{1,9})?$/.test(v) ? new Date(Number(v) * 1000) : new Date(v);
  if (Number.isNaN(d.getTime())) throw badRequest(`invalid value "${v}" for ${key}: expected Unix seconds or RFC 3339`);
  return d;
}

function streamsWanted(c: Call): { stdout: boolean; stderr: boolean } {
  return { stdout: qBool(c.query, 'stdout'), stderr: qBool(c.query, 'stderr') };
}

/** Where a stream's frames go: the response of a plain request, or the socket of an upgraded one. */
export interface Sink {
  write(b: Buffer): boolean;
  /** Resolves once the client has read what was written (backpressure). */
  drain(): Promise<void>;
}

async function pipeLogs(chunks: AsyncIterable<LogChunk>, want: { stdout: boolean; stderr: boolean }, sink: Sink): Promise<void> {
  for await (const ch of chunks) {
    if (ch.stream === 'stdout' ? !want.stdout : !want.stderr) continue;
    if (!sink.write(frame(ch.stream === 'stdout' ? 1 : 2, ch.text))) await sink.drain();
  }
}

function responseSink(c: Call): Sink {
  return { write: (b) => c.res.write(b), drain: () =>
    new Promise((r) => {
      c.res.once('drain', r);
      c.res.once('close', r);
    }) };
}

async function logs(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  const want = streamsWanted(c);
  if (!want.stdout && !want.stderr) throw badRequest('Bad parameters: you must choose at least one stream');
  const tailText = qStr(c.query, 'tail', 32);
  let tail: number | undefined;
  // dockerd reads a negative count as all (dockerode's default is -1).
  if (tailText !== undefined && tailText !== '' && tailText !== 'all' && !/^-\d{1,15}$/.test(tailText)) {
    tail = qInt(c.query, 'tail');
    if (tail === undefined || tail < 0) throw badRequest(`invalid tail "${tailText}"`);
  }
  const since = parseTime(qStr(c.query, 'since', 64), 'since');
  const until = parseTime(qStr(c.query, 'until', 64), 'until');
  const opts: LogOptions = { follow: qBool(c.query, 'follow'), timestamps: qBool(c.query, 'timestamps'), signal: c.signal };
  if (tail !== undefined) opts.tail = tail;
  if (since) opts.since = since;
  if (until) opts.until = until;
  c.res.writeHead(200, { 'Content-Type': MULTIPLEXED });
  c.res.flushHeaders();
  await pipeLogs(c.engine.containers.logs(x.id, opts), want, responseSink(c));
  c.res.end();
}

/**
 * Waits until the container has begun a run after `before` (or has gone), so that an attach
 * made before the start (docker run) sees the run's output from its first line.
 */
async function untilStarted(c: Call, before: Container): Promise<Container | undefined> {
  const starts = c.fg.startCount(before.id);
  for (;;) {
    if (c.signal.aborted) return undefined;
    let now: Container;
    try {
      now = await c.engine.containers.get(before.id);
    } catch (e) {
      if (isBerthError(e)) return undefined;
      throw e;
    }
    if (now.status === 'running' || c.fg.startCount(before.id) !== starts || now.runId !== before.runId) return now;
    await pause(50, c.signal);
  }
}

/** The body of an attach, on whichever sink: the container's output from now until it ends. */
async function attachBody(c: Call, x: Container, sink: Sink): Promise<void> {
  const attachedAt = new Date();
  const want = streamsWanted(c);
  const release = c.fg.hold(x.id, 'attach');
  try {
    if (qBool(c.query, 'logs')) await pipeLogs(c.engine.containers.logs(x.id, { signal: c.signal }), want, sink);
    if (!qBool(c.query, 'stream')) return;
    // From the moment of the attach: an exited container's earlier runs wrote everything before
    // it, and its next run (docker start -a) writes after it, possibly before its StartedAt is
    // recorded, so that is no bound. A container never started has only its coming run to show.
    const since = x.status === 'created' ? undefined : attachedAt;
    const run = x.status === 'running' ? x : await untilStarted(c, x);
    if (!run) return;
    const opts: LogOptions = { follow: true, eager: true, signal: c.signal, ...(since ? { since } : {}) };
    await pipeLogs(c.engine.containers.logs(x.id, opts), want, sink);
  } finally {
    release();
  }
}

async function attach(c: Call): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  c.res.writeHead(200, { 'Content-Type': MULTIPLEXED });
  c.res.flushHeaders();
  await attachBody(c, x, responseSink(c));
  c.res.end();
}

/** POST /containers/{id}/attach with Upgrade: tcp, as the docker CLI sends it: 101, then raw frames on the socket. */
export async function attachUpgraded(c: Call, socket: Socket): Promise<void> {
  const x = await c.engine.containers.get(c.params.id!);
  if (x.spec.tty === true || x.spec.openStdin === true) return (await import('./attach-conmon.js')).conmonAttachUpgraded(c, socket, x);
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${MULTIPLEXED}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  // The client's stdin is not served (containers have no open stdin here); its half-close of
  // the write side must not end the stream.
  socket.on('data', () => {/* discarded */});
  socket.on('end', () => {/* stdin closed: keep streaming */});
  const sink: Sink = {
    write: (b) => socket.write(b),
    drain: () =>
      new Promise((r) => {
        socket.once('drain', r);
        socket.once('close', r);
      }),
  };
  await attachBody(c, x, sink);
  socket.end();
}

type Condition = 'not-running' | 'next-exit' | 'removed';

async function wait(c: Call): Promise<void> {
  const cond = (qStr(c.query, 'condition', 32) || 'not-running') as Condition;
  if (!['not-running', 'next-exit', 'removed'].includes(cond)) throw badRequest(`invalid condition: "${cond}"`);
  const x0 = await c.engine.containers.get(c.params.id!);
  const release = c.fg.hold(x0.id, 'wait');
  try {
    // Headers at once: the docker CLI waits for them before it starts the container.
    c.res.writeHead(200, { 'Content-Type': 'application/json' });
    c.res.flushHeaders();
    const code = await waitFor(c, x0, cond);
    if (code === undefined) {
      c.res.end();
      return;
    }
    c.res.end(JSON.stringify({ StatusCode: code, Error: null }));
  } finally {
    release();
  }
}

async function waitFor(c: Call, x0: Container, cond: Condition): Promise<number | undefined> {
  let seen: number | undefined;
  for (let delay = 5;; delay = Math.min(100, delay * 2)) {
    if (c.signal.aborted) return undefined;
    let x: Container;
    try {
      x = await c.engine.containers.get(x0.id);
    } catch (e) {
      if (!isBerthError(e)) throw e;
      return c.fg.exitOf(x0.id) ?? seen ?? 0;
    }
    const ended = x.status === 'exited' && (cond === 'not-running' || x.finishedAt !== x0.finishedAt || x.runId !== x0.runId);
    if (cond === 'not-running' && x.status === 'created') return 0;
    if (ended) {
      seen = x.exitCode ?? 0;
      if (cond !== 'removed') return seen;
    }
    await pause(delay, c.signal);
  }
}

export const streamRoutes: Route[] = [
  ['GET', '/containers/{id}/logs', logs],
  ['POST', '/containers/{id}/attach', attach],
  ['POST', '/containers/{id}/wait', wait],
];
