// The Images page's pull: the engine's pull with its per-layer progress, sent to the page as
// JSON lines that a fetch reads as they come. Not Server-Sent Events: EventSource cannot POST,
// and a pull changes the store, so it goes through the CSRF check as every changing request does.
import type { TransferProgress } from '../engine/index.js';
import { isBerthError } from '../common/errors.js';
import { ApiError, toReply } from '../api/errors.js';
import type { UiCall } from './routes.js';

/** One line of the stream. A layer's row: its short digest, bytes so far of its size, and what it is at. */
export interface LayerLine {
  layer: string;
  got: number;
  total: number;
  state: 'Waiting' | 'Downloading' | 'Download complete' | 'Already exists' | 'Pull complete';
}
export type PullLine =
  | LayerLine
  | { message: string }
  | { done: string; id: string }
  | { error: string };

// dockerd's rule, as the API's pull: a registry on loopback is reached without TLS verification.
const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d{1,5})?\//;
const short = (d: string) => d.replace(/^sha256:/, '').slice(0, 12);

/**
 * The progress as lines. Byte counts are sent at most every 200 ms a layer (a fast local pull
 * would otherwise be thousands of lines); a layer's change of state at once.
 */
export function progressLines(send: (l: PullLine) => void, everyMs = 200): TransferProgress & { rows: Map<string, LayerLine>; close(): void } {
  const rows = new Map<string, LayerLine>();
  const dirty = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    for (const d of dirty) send({ ...rows.get(d)! });
    dirty.clear();
  };
  return {
    rows,
    start(d, total) {
      const row: LayerLine = { layer: short(d), got: 0, total, state: 'Waiting' };
      rows.set(d, row);
      send({ ...row });
    },
    advance(d, bytes) {
      const r = rows.get(d);
      if (!r) return;
      r.got += bytes;
      r.state = 'Downloading';
      dirty.add(d);
      timer ??= setTimeout(flush, everyMs);
    },
    done(d, how) {
      const r = rows.get(d);
      if (!r) return;
      r.got = r.total;
      r.state = how === 'done' ? 'Download complete' : 'Already exists';
      dirty.delete(d);
      send({ ...r });
    },
    message(text) {
      send({ message: text });
    },
    close() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      dirty.clear();
    },
  };
}

export async function streamPull(c: UiCall): Promise<void> {
  const ref = (c.query.get('ref') ?? '').trim();
  if (ref === '' || ref.length > 512 || /\s/.test(ref)) throw new ApiError(400, `invalid reference format: "${ref}"`);
  c.res.writeHead(200, { 'Content-Type': 'application/x-ndjson', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  const send = (l: PullLine) => {
    if (!c.res.writableEnded) c.res.write(`${JSON.stringify(l)}\n`);
  };
  const progress = progressLines(send);
  try {
    const r = await c.engine.images.pull(ref, { progress, ...(LOOPBACK.test(ref) ? { tlsVerify: false } : {}) });
    progress.close();
    // Downloaded layers are unpacked by the time the pull resolves: the image is whole.
    for (const row of progress.rows.values()) {
      if (row.state !== 'Already exists') send({ ...row, state: 'Pull complete' });
    }
    send({ done: r.name ?? ref, id: r.id });
  } catch (e) {
    progress.close();
    // The head is sent: the engine's refusal goes in the stream, in the CLI's words.
    send({ error: isBerthError(e) ? e.message + (e.hint ? ` (${e.hint})` : '') : toReply(e).message });
  }
  c.res.end();
}
