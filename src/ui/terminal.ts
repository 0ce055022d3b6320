// The container page's terminal: a WebSocket on /ui/api/containers/REF/exec carrying a shell run
// with the engine's execAttached on a pty. Binary frames are the terminal's bytes both ways; a
// text frame from the page is a control message, {"resize":[cols,rows]}. The upgrade passes the
// same gate as every request (Host, session cookie), and the Origin must be ours: a WebSocket is
// not bound by the same-origin policy, so without that check any page the browser opens could
// type into a root shell with the user's cookie.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../engine/index.js';
import { isBerthError } from '../common/errors.js';
import type { Gate } from './auth.js';

const PATH = /^\/ui\/api\/containers\/([^/]+)\/exec$/;
// The shell a user would ask `docker exec -it` for; busybox and Debian images both have it.
const SHELL = ['/bin/sh'];
const MAX_CONTROL = 256;

function refuse(socket: Duplex, status: number, message: string): void {
  socket.end(`HTTP/1.1 ${status} ${message.replace(/[\r\n]/g, ' ')}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${message}\n`);
}

function dimension(v: string | null, fallback: number): number {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 && n < 1000 ? n : fallback;
}

export function terminalUpgrades(engine: Engine, gate: Gate, log: (line: string) => void) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  return (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', () => socket.destroy());
    if (!gate.hostAllowed(req.headers.host)) return refuse(socket, 421, 'Misdirected Request');
    const url = new URL(req.url ?? '/', 'http://berth');
    const m = PATH.exec(url.pathname);
    if (!m) return refuse(socket, 404, 'Not Found');
    const session = gate.session(req.headers.cookie);
    if (!session) return refuse(socket, 401, 'Unauthorized');
    const origin = req.headers.origin;
    if (origin === undefined || !gate.origins.includes(origin)) return refuse(socket, 403, 'Forbidden: cross-origin WebSocket refused');
    let ref: string;
    try {
      ref = decodeURIComponent(m[1]!);
    } catch {
      return refuse(socket, 400, 'Bad Request');
    }
    wss.handleUpgrade(req, socket, head, (ws) => void serve(engine, ws, ref, url.searchParams, log));
  };
}

async function serve(engine: Engine, ws: WebSocket, ref: string, q: URLSearchParams, log: (line: string) => void): Promise<void> {
  let x: Awaited<ReturnType<Engine['containers']['execAttached']>>;
  try {
    x = await engine.containers.execAttached(ref, { args: SHELL, env: ['TERM=xterm-256color'], tty: true, stdin: true }, {
      stdin: true,
      detachKeys: '',
    });
  } catch (e) {
    // The engine's words, as `berth exec` would print them, then a close the page shows.
    const text = isBerthError(e) ? e.message : 'internal error';
    if (!isBerthError(e)) log(`internal error on the terminal of ${ref}: ${(e as Error)?.stack ?? String(e)}`);
    ws.send(Buffer.from(`berth: ${text}\r\n`));
    ws.close(1011, text.slice(0, 120));
    return;
  }
  const { session } = x;
  session.resize(dimension(q.get('rows'), 24), dimension(q.get('cols'), 80));
  session.stdout.on('data', (d: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(d);
  });
  ws.on('message', (data: Buffer, binary: boolean) => {
    if (binary) return session.write(data);
    if (data.length > MAX_CONTROL) return;
    try {
      const msg = JSON.parse(data.toString('utf8')) as { resize?: unknown };
      const r = msg.resize;
      if (Array.isArray(r) && r.length === 2) session.resize(dimension(String(r[1]), 24), dimension(String(r[0]), 80));
    } catch {
      // Not a control message: ignored, as a terminal ignores a malformed escape.
    }
  });
  ws.on('close', () => {
    // The page went: an end-of-file ends the idle shell (a program it runs keeps running, as
    // after a detached `docker exec -it`), and the session lets go of conmon.
    session.write(Buffer.from([4]));
    session.detach();
  });
  void x.exitCode.then((code) => {
    if (ws.readyState === ws.OPEN) ws.close(1000, `exit ${code}`);
  }, () => ws.close(1011, 'the shell could not be waited for'));
}
