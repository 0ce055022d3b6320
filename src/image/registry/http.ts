// One HTTP(S) exchange with a registry, over node:http/https (fetch cannot turn off certificate
// checks per request without undici's Agent, which Node does not expose). Bodies stream.
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a function opening a fresh stream (so a retry can send it again). */
  body?: Buffer | (() => Readable);
  /** Skip certificate verification (--tls-verify=false). */
  insecure?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: http.IncomingMessage;
}

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 8 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 8 }),
  insecure: new https.Agent({ keepAlive: true, maxSockets: 8, rejectUnauthorized: false }),
};

export function send(req: HttpRequest): Promise<HttpResponse> {
  const isHttps = req.url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const agent = isHttps ? (req.insecure ? agents.insecure : agents.https) : agents.http;
  return new Promise((resolve, reject) => {
    const r = mod.request(req.url, { method: req.method, headers: req.headers ?? {}, agent }, (res) => {
      resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
    });
    r.setTimeout(req.timeoutMs ?? 60_000, () => r.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    r.on('error', reject);
    if (req.body === undefined) r.end();
    else if (Buffer.isBuffer(req.body)) r.end(req.body);
    else {
      const src = req.body();
      src.on('error', (e) => r.destroy(e));
      src.pipe(r);
    }
  });
}

export async function readAll(body: Readable, limit = 32 * 1024 * 1024): Promise<Buffer> {
  const parts: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    n += (c as Buffer).length;
    if (n > limit) {
      body.destroy();
      throw new Error(`response larger than ${limit} bytes`);
    }
    parts.push(c as Buffer);
  }
  return Buffer.concat(parts);
}

export function drain(body: Readable): Promise<void> {
  if (body.readableEnded || body.destroyed) return Promise.resolve();
  return new Promise((res) => {
    body.on('end', res).on('error', () => res()).on('close', res);
    body.resume();
  });
}

/** Errors worth trying again: the connection dropped or timed out, not a refusal by the server. */
export function isTransient(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  return ['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code)
    || /socket hang up|aborted/i.test((e as Error)?.message ?? '');
}

/** Errors meaning "TLS spoken to a plain-HTTP server" (so --tls-verify=false may fall back to http). */
export function isTlsMismatch(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  return code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test((e as Error)?.message ?? '');
}
