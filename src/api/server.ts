// The API server: node:http on a unix socket (or mutual-TLS TCP), one Engine for every request.
// Requests are handled concurrently; a long one (logs -f, wait, attach) awaits between its
// polls, so it never holds up the others. Closing the server ends the open streams and
// removes the socket; containers are not touched, whatever they were doing.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { chmodSync, chownSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Engine } from '../engine/index.js';
import { unavailable } from '../common/errors.js';
import { ApiError, isBug, toReply } from './errors.js';
import { Foreground } from './foreground.js';
import { readUpgradeBody, sendJson } from './http.js';
import { Router, splitVersion, type Call, type Handler } from './router.js';
import { systemRoutes } from './system.js';
import { eventRoutes } from './events.js';
import { containerRoutes } from './containers.js';
import { streamRoutes, attachUpgraded } from './container-streams.js';
import { imageRoutes } from './images.js';
import { networkRoutes } from './networks.js';
import { execRoutes, startUpgraded } from './exec.js';
import { pruneRoutes } from './prune.js';
import { volumeRoutes } from './volumes.js';
import { imageTransferRoutes } from './images-transfer.js';
import { attachRoutes } from './attach-conmon.js';
import { containerOpRoutes } from './container-ops.js';
import { statsRoutes } from './container-stats.js';
import { archiveRoutes } from './archive.js';
import { buildRoutes } from './build.js';
import { systemDfRoutes } from './system-df.js';

export interface ApiServer {
  readonly server: Server;
  close(): Promise<void>;
}

export interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca: Buffer;
}

export interface ServeOptions {
  engine: Engine;
  log?: (line: string) => void;
  /** Logs each request. */
  debug?: boolean;
  tls?: TlsFiles;
}

/** Request targets are short; a longer one is a client's mistake or an attack. */
const MAX_URL = 8192;

export function buildRouter(): Router {
  return new Router().add(systemRoutes).add(containerRoutes).add(streamRoutes).add(attachRoutes).add(pruneRoutes).add(imageTransferRoutes).add(imageRoutes)
    .add(networkRoutes).add(execRoutes).add(volumeRoutes).add(eventRoutes).add(containerOpRoutes).add(statsRoutes).add(archiveRoutes).add(buildRoutes)
    .add(systemDfRoutes);
}

export function createApiServer(o: ServeOptions): ApiServer {
  const router = buildRouter();
  const fg = new Foreground();
  const log = o.log ?? (() => {});
  const sockets = new Set<Duplex>();

  const prepare = (req: IncomingMessage, res: ServerResponse, signal: AbortSignal): { call: Call; handler: Handler } => {
    if ((req.url ?? '').length > MAX_URL) throw new ApiError(414, 'request URL too long');
    const url = new URL(req.url ?? '/', 'http://berth');
    const { version, path } = splitVersion(url.pathname);
    const { handler, params } = router.match(req.method ?? 'GET', path);
    return { call: { req, res, params, query: url.searchParams, engine: o.engine, fg, version, signal }, handler };
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    void (async () => {
      try {
        const { call, handler } = prepare(req, res, ac.signal);
        if (o.debug) log(`${req.method} ${req.url}`);
        await handler(call);
      } catch (e) {
        reply(res, e, req, log);
      }
    })();
  };

  const server = o.tls
    ? createTlsServer({ cert: o.tls.cert, key: o.tls.key, ca: o.tls.ca, requestCert: true, rejectUnauthorized: true }, onRequest)
    : createServer(onRequest);
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('secureConnection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  // Hijacked attach: the docker CLI asks for "Upgrade: tcp" and then speaks raw frames.
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    const ac = new AbortController();
    socket.on('close', () => ac.abort());
    socket.on('error', () => ac.abort());
    void (async () => {
      try {
        const url = new URL(req.url ?? '/', 'http://berth');
        const { version, path } = splitVersion(url.pathname);
        const attach = /^\/containers\/([^/]+)\/attach$/.exec(path);
        const exec = /^\/exec\/([^/]+)\/start$/.exec(path);
        const m = attach ?? exec;
        if (req.method !== 'POST' || !m) throw new ApiError(400, `cannot upgrade ${req.method} ${path}`);
        if (o.debug) log(`${req.method} ${req.url} (upgraded)`);
        let id: string;
        try {
          id = decodeURIComponent(m[1]!);
        } catch {
          throw new ApiError(400, 'malformed percent-encoding in the path');
        }
        const body = await readUpgradeBody(req, socket, head);
        // An upgraded request answers on its socket; nothing may use `res`.
        const call: Call = { req, res: undefined as unknown as ServerResponse, params: { id }, query: url.searchParams, engine: o.engine, fg, version,
          signal: ac.signal, body };
        await (attach ? attachUpgraded(call, socket) : startUpgraded(call, socket));
      } catch (e) {
        const { status, message } = toReply(e);
        if (isBug(e)) log(`internal error on ${req.method} ${req.url}: ${(e as Error).stack ?? String(e)}`);
        if (socket.writable) {
          const body = JSON.stringify({ message });
          socket.end(
            `HTTP/1.1 ${status} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
          );
        }
      }
    })();
  });

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function reply(res: ServerResponse, e: unknown, req: IncomingMessage, log: (l: string) => void): void {
  const { status, message } = toReply(e);
  if (isBug(e)) log(`internal error on ${req.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`);
  if (!res.headersSent) return sendJson(res, status, { message });
  // A stream already under way: nothing to answer with but the end.
  res.end();
}

/**
 * Listens on a unix socket, mode 0660 (and the group, when given). A socket file left by a
 * server that died is replaced; one with a live server behind it is an error.
 */
export async function listenUnix(api: ApiServer, path: string, opts: { gid?: number } = {}): Promise<void> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
  let st;
  try {
    st = lstatSync(path);
  } catch {
    st = undefined;
  }
  if (st) {
    if (!st.isSocket()) throw unavailable('serve.not_socket', `${path} exists and is not a socket`, 'remove it or choose another --socket');
    if (await alive(path)) throw unavailable('serve.in_use', `another server is listening on ${path}`);
    unlinkSync(path);
  }
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(path, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  chmodSync(path, 0o660);
  if (opts.gid !== undefined) chownSync(path, 0, opts.gid);
}

export async function listenTcp(api: ApiServer, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen(port, host, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
}

function alive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * systemd's socket activation (contrib/systemd/berth.socket): the listening socket is fd 3 when
 * LISTEN_PID names this process and LISTEN_FDS is 1. Returns false when not activated so.
 */
export async function listenActivated(api: ApiServer, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env.LISTEN_PID !== String(process.pid) || env.LISTEN_FDS !== '1') return false;
  // Not for the containers: conmon and runc must not see them (runtime/oci.ts drops them too).
  delete env.LISTEN_PID;
  delete env.LISTEN_FDS;
  delete env.LISTEN_FDNAMES;
  await new Promise<void>((resolve, reject) => {
    api.server.once('error', reject);
    api.server.listen({ fd: 3 }, () => {
      api.server.off('error', reject);
      resolve();
    });
  });
  return true;
}
