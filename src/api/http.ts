// Request and reply helpers for the API's handlers: bounded JSON bodies, typed query values,
// JSON replies. Everything a client sends is untrusted: bodies are capped and parsed as JSON
// only, query values are checked against the type a handler asks for.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { badRequest, ApiError } from './errors.js';

/** Docker's create bodies are a few KiB; a seccomp profile inside one is ~30 KiB. */
export const BODY_LIMIT = 1 << 20;

/**
 * Past the limit the reply (413) goes at once, but the rest of the body is still read and thrown
 * away, up to DRAIN_LIMIT: a socket closed under a client that is still writing makes it fail
 * with EPIPE before it reads the reply, and the client would never learn why.
 */
const DRAIN_LIMIT = 64 << 20;

export function readJson(req: IncomingMessage, limit = BODY_LIMIT): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (over) {
        if (size > DRAIN_LIMIT) req.destroy();
        return;
      }
      if (size > limit) {
        over = true;
        chunks.length = 0;
        reject(new ApiError(413, `request body larger than ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (over) return;
      try {
        resolve(parseJson(Buffer.concat(chunks)));
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
    req.on('error', (e: Error) => reject(e));
  });
}

export function parseJson(buf: Buffer): unknown {
  const text = buf.toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw badRequest('request body is not valid JSON');
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}

/** Docker reads "1", "true" and "True" as true; absent, "", "0" and "false" as false. */
export function qBool(q: URLSearchParams, key: string, dflt = false): boolean {
  const v = q.get(key);
  if (v === null || v === '') return dflt;
  if (/^(1|true)$/i.test(v)) return true;
  if (/^(0|false)$/i.test(v)) return false;
  throw badRequest(`invalid boolean value "${v}" for query parameter ${key}`);
}

export function qInt(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d{1,15}$/.test(v)) throw badRequest(`invalid integer value "${v}" for query parameter ${key}`);
  return Number(v);
}

export function qStr(q: URLSearchParams, key: string, max = 4096): string | undefined {
  const v = q.get(key);
  if (v === null) return undefined;
  if (v.length > max) throw badRequest(`query parameter ${key} is too long`);
  return v;
}

/**
 * Docker's `filters` query: a JSON map of name → list of values, or (clients before 1.22
 * and some SDKs) name → {value: true}.
 */
export function qFilters(q: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const raw = qStr(q, 'filters', 65536);
  if (raw === undefined || raw === '') return out;
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw badRequest('invalid filters: not JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badRequest('invalid filters: expected an object');
  for (const [k, v] of Object.entries(doc as Record<string, unknown>)) {
    let vals: unknown[];
    if (Array.isArray(v)) vals = v;
    else if (typeof v === 'object' && v !== null) vals = Object.entries(v as Record<string, unknown>).filter(([, on]) => on === true).map(([x]) => x);
    else throw badRequest(`invalid filters: ${k} must be a list`);
    if (!vals.every((x): x is string => typeof x === 'string')) throw badRequest(`invalid filters: ${k} must list strings`);
    out.set(k, vals);
  }
  return out;
}

/**
 * The body of an upgraded request: Node hands over the socket without reading it, so the
 * Content-Length bytes are taken from what came with the headers and then from the socket.
 * What follows them is the client's stdin.
 */
export function readUpgradeBody(req: IncomingMessage, socket: Socket, head: Buffer, limit = BODY_LIMIT): Promise<Buffer> {
  const lenText = req.headers['content-length'];
  const len = lenText === undefined ? 0 : Number(lenText);
  if (!Number.isInteger(len) || len < 0) return Promise.reject(badRequest('invalid Content-Length'));
  if (len > limit) return Promise.reject(new ApiError(413, `request body larger than ${limit} bytes`));
  if (head.length >= len) return Promise.resolve(head.subarray(0, len));
  return new Promise((resolve, reject) => {
    let got = head;
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= len) {
        done();
        resolve(got.subarray(0, len));
      }
    };
    const onEnd = () => {
      done();
      reject(badRequest('request body cut short'));
    };
    const done = () => {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
    };
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('close', onEnd);
  });
}
