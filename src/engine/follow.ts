// The one log follower: a container's output from conmon's log as an async iterable, for the
// CLI's logs -f, the foreground run, start -a, compose logs and the API alike. Following ends
// when the container is no longer running (reconciled, so a container that died unseen ends
// it too), when it is removed, or when the caller's signal aborts.
import { LogFollower, type LogRecord } from './logs.js';
import { isLive } from './lifecycle.js';
import { logPath, type EngineContext } from './context.js';
import { checkExit, lookup, reconcileOne } from './containers.js';
import type { Container } from './containers.js';

export interface LogChunk {
  stream: 'stdout' | 'stderr';
  /** As the container wrote it; a complete line ends with "\n", a partial one does not. */
  text: string;
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
}

export interface LogOptions {
  /** Keep reading until the container stops. */
  follow?: boolean;
  /** Only the last N lines already written (before following). */
  tail?: number;
  /** Prefix each line with its time, as `logs -t` does. */
  timestamps?: boolean;
  /** Only lines written at or after this moment (start -a, logs --since). */
  since?: Date;
  /** Only lines written before this moment (logs --until). */
  until?: Date;
  /** The caller removes the container once it has stopped: its layer need not be flushed. */
  discard?: boolean;
  /**
   * Poll finely (1 ms, backing off to 15 ms) rather than every 100 ms: a foreground run of a
   * short command should end when the command does.
   */
  eager?: boolean;
  signal?: AbortSignal;
}

function keep(r: LogRecord, o: LogOptions): boolean {
  if (o.since === undefined && o.until === undefined) return true;
  const t = Date.parse(r.time);
  if (!Number.isFinite(t)) return true;
  return (o.since === undefined || t >= o.since.getTime()) && (o.until === undefined || t < o.until.getTime());
}

function chunks(recs: LogRecord[], o: LogOptions): LogChunk[] {
  const out: LogChunk[] = [];
  for (const r of recs) {
    if (!keep(r, o)) continue;
    const prefix = o.timestamps ? `${r.time} ` : '';
    out.push({ stream: r.stream, time: r.time, text: r.partial ? `${prefix}${r.text}` : `${prefix}${r.text}\n` });
  }
  return out;
}

const pause = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

export async function* followLogs(ctx: EngineContext, ref: string, o: LogOptions = {}): AsyncGenerator<LogChunk> {
  const id = lookup(ctx, ref).id;
  const f = new LogFollower(logPath(ctx, id));
  let first = f.read().filter((r) => keep(r, o));
  if (o.tail !== undefined) first = first.slice(Math.max(0, first.length - o.tail));
  yield* chunks(first, o);
  if (!o.follow) return;
  for (let delay = o.eager ? 1 : 100;; delay = o.eager ? Math.min(15, delay * 2) : 100) {
    if (o.signal?.aborted) return;
    yield* chunks(f.read(), o);
    let cur: Container;
    try {
      cur = lookup(ctx, id);
    } catch {
      return;
    }
    const now = isLive(cur.status) ? reconcileOne(ctx, cur, o.discard ? { discard: true } : {}) : cur;
    if (!isLive(now.status)) break;
    await pause(delay, o.signal);
  }
  yield* chunks(f.read(), o);
}

/** Resolves once the container is no longer running, its exit recorded and its resources released. */
export async function waitForExit(ctx: EngineContext, ref: string, o: { signal?: AbortSignal } = {}): Promise<Container> {
  const id = lookup(ctx, ref).id;
  for (let delay = 1;; delay = Math.min(100, delay * 2)) {
    const done = checkExit(ctx, id);
    if (done) return done;
    if (o.signal?.aborted) throw o.signal.reason instanceof Error ? o.signal.reason : new Error('wait aborted');
    await pause(delay, o.signal);
  }
}
