// /ui/api: the dashboard's own small JSON API over the Engine. Each list is one GET; the page
// reads one again when /ui/api/events (the engine's events journal) says it changed (web/live.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/index.js';
import { isBerthError } from '../common/errors.js';
import { ApiError, isBug, toReply } from '../api/errors.js';
import { readJson, sendJson } from '../api/http.js';
import { containerDetail, containerViews, imageViews, networkViews, stacksOf, volumeViews } from './views.js';

export interface UiCall {
  req: IncomingMessage;
  res: ServerResponse;
  engine: Engine;
  path: string;
  query: URLSearchParams;
  signal: AbortSignal;
  csrf: string;
}

const ACTIONS = ['start', 'stop', 'restart', 'kill'] as const;

function ref(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(400, 'malformed percent-encoding in the path');
  }
}

export async function handleUiApi(c: UiCall): Promise<void> {
  const method = c.req.method ?? 'GET';
  const p = c.path;
  let m: RegExpExecArray | null;
  if (method === 'GET') {
    if (p === '/ui/api/events') return streamEvents(c);
    if (p === '/ui/api/session') return sendJson(c.res, 200, { csrf: c.csrf });
    if (p === '/ui/api/containers') return sendJson(c.res, 200, await containerViews(c.engine));
    if (p === '/ui/api/networks') return sendJson(c.res, 200, await networkViews(c.engine));
    if (p === '/ui/api/images') return sendJson(c.res, 200, await imageViews(c.engine));
    if (p === '/ui/api/volumes') return sendJson(c.res, 200, await volumeViews(c.engine));
    if (p === '/ui/api/stacks') return sendJson(c.res, 200, stacksOf(await containerViews(c.engine)));
    if ((m = /^\/ui\/api\/containers\/([^/]+)$/.exec(p))) return sendJson(c.res, 200, await containerDetail(c.engine, ref(m[1]!)));
    if ((m = /^\/ui\/api\/containers\/([^/]+)\/stats$/.exec(p))) {
      const [line] = await c.engine.containers.stats({ refs: [ref(m[1]!)], all: true, intervalMs: 500 });
      return sendJson(c.res, 200, { time: Date.now(), ...line });
    }
    if ((m = /^\/ui\/api\/containers\/([^/]+)\/logs$/.exec(p))) return streamLogs(c, ref(m[1]!));
    if ((m = /^\/ui\/api\/images\/([^/]+)\/history$/.exec(p))) return sendJson(c.res, 200, await c.engine.images.history(ref(m[1]!)));
  }
  if (method === 'POST' && (m = /^\/ui\/api\/containers\/([^/]+)\/(\w+)$/.exec(p))) {
    const verb = m[2] as (typeof ACTIONS)[number];
    if (!ACTIONS.includes(verb)) throw new ApiError(404, `no such action: ${verb}`);
    const id = ref(m[1]!);
    const done = verb === 'kill' ? await c.engine.containers.kill(id) : await c.engine.containers[verb](id);
    return sendJson(c.res, 200, { id: done.id, status: done.status });
  }
  if (method === 'DELETE' && (m = /^\/ui\/api\/containers\/([^/]+)$/.exec(p))) {
    return sendJson(c.res, 200, { id: await c.engine.containers.remove(ref(m[1]!), { force: c.query.get('force') === '1' }) });
  }
  if (method === 'POST' && (m = /^\/ui\/api\/stacks\/([^/]+)\/(\w+)$/.exec(p))) {
    const lines: string[] = [];
    await (await import('./stacks.js')).stackAction(c.engine, ref(m[1]!), m[2]!, c.query, (l) => lines.push(l));
    return sendJson(c.res, 200, { log: lines });
  }
  if (method === 'POST' && p === '/ui/api/networks') {
    const body = await readJson(c.req, 64 << 10);
    const o = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const text = (k: string) => (typeof o[k] === 'string' && o[k] !== '' ? o[k] : undefined);
    const name = text('name');
    if (name === undefined) throw new ApiError(400, '"berth network create" requires a name');
    const subnet = text('subnet');
    const n = await c.engine.networks.create({ name, ...(subnet !== undefined ? { subnet } : {}), internal: o['internal'] === true });
    return sendJson(c.res, 201, { id: n.id, name: n.name });
  }
  if (method === 'DELETE' && (m = /^\/ui\/api\/networks\/([^/]+)$/.exec(p))) {
    await c.engine.networks.remove(ref(m[1]!));
    return sendJson(c.res, 200, {});
  }
  if (method === 'POST' && p === '/ui/api/images/prune') {
    // `berth image prune`: dangling images only, as Docker's default.
    const r = await c.engine.images.prune({});
    return sendJson(c.res, 200, { deleted: r.deleted, reclaimed: r.reclaimed });
  }
  if (method === 'POST' && p === '/ui/api/images/pull') return (await import('./pull.js')).streamPull(c);
  if (method === 'DELETE' && (m = /^\/ui\/api\/images\/(.+)$/.exec(p))) {
    await c.engine.images.remove(ref(m[1]!));
    return sendJson(c.res, 200, {});
  }
  throw new ApiError(404, `no such page: ${method} ${p}`);
}

/**
 * The log as Server-Sent Events: one "data:" a line of output (a JSON string), then an "end" event when the
 * container stops. EventSource sends the session cookie and reconnects by itself; the page
 * closes it when it leaves.
 */
async function streamLogs(c: UiCall, id: string): Promise<void> {
  const tail = Number(c.query.get('tail') ?? '200');
  // An unknown container is a 404 before the stream's head, not an empty stream.
  const ctr = await c.engine.containers.get(id);
  const it = c.engine.containers.logs(ctr.id, { follow: true, tail: Number.isInteger(tail) && tail >= 0 ? tail : 200 })[Symbol.asyncIterator]();
  c.res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  c.res.write(': berth logs\n\n');
  const send = (stream: string, text: string) => {
    // JSON, so that a \r in the output (SSE's other line end) cannot start a field of its own.
    for (const line of text.replace(/\n$/, '').split('\n')) c.res.write(`event: ${stream}\ndata: ${JSON.stringify(line)}\n\n`);
  };
  try {
    let r = await it.next();
    while (!r.done && !c.signal.aborted) {
      send(r.value.stream, r.value.text);
      r = await it.next();
    }
  } finally {
    await it.return?.();
  }
  if (!c.res.writableEnded) c.res.end('event: end\ndata: \n\n');
}

/**
 * The events journal as Server-Sent Events, one JSON object a message: from now on, or from
 * `since` seconds ago (the Events page's recent history). Ends when the page goes.
 */
async function streamEvents(c: UiCall): Promise<void> {
  const back = Number(c.query.get('since') ?? '');
  const since = Number.isFinite(back) && back > 0 ? new Date(Date.now() - Math.min(back, 86_400) * 1000) : undefined;
  const it = c.engine.system.events(since ? { since } : {}, c.signal)[Symbol.asyncIterator]();
  c.res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
  c.res.write(': berth events\n\n');
  try {
    for (let r = await it.next(); !r.done && !c.signal.aborted; r = await it.next()) {
      const ev = r.value;
      const a = ev.Actor.Attributes;
      const msg = { type: ev.Type, action: ev.Action, id: ev.Actor.ID, name: a['name'] ?? '', time: ev.time, attributes: a };
      c.res.write(`data: ${JSON.stringify(msg)}\n\n`);
    }
  } finally {
    await it.return?.();
  }
  if (!c.res.writableEnded) c.res.end();
}

/** The engine's own words for a refused operation, as the CLI prints them; "internal error" for a bug. */
export function uiError(res: ServerResponse, e: unknown, log: (l: string) => void, what: string): void {
  const { status, message } = toReply(e);
  if (isBug(e)) log(`internal error on ${what}: ${(e as Error)?.stack ?? String(e)}`);
  const text = isBerthError(e) ? e.message + (e.hint ? ` (${e.hint})` : '') : message;
  if (!res.headersSent) return sendJson(res, status, { message: text });
  res.end();
}
