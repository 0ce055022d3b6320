// The dashboard's HTTP(S) server for `berth serve --ui`: the files of build/ui/ (read once, at
// start) and /ui/api, every request behind the Gate (auth.ts). Plain HTTP only on loopback; the
// CLI refuses anything else without a certificate.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Engine } from '../engine/index.js';
import { unavailable } from '../common/errors.js';
import { sendJson } from '../api/http.js';
import { CSRF_HEADER, Gate, originsFor } from './auth.js';
import { handleUiApi, uiError } from './routes.js';
import { terminalUpgrades } from './terminal.js';

export interface UiServer {
  readonly server: Server;
  /** The address to open, with the one-time token. */
  readonly loginUrl: string;
  close(): Promise<void>;
}

export interface UiOptions {
  engine: Engine;
  host: string;
  port: number;
  loopback: boolean;
  tls?: { cert: Buffer; key: Buffer };
  log: (line: string) => void;
  debug?: boolean;
}

const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };

// Nothing inline, nothing from elsewhere: a script that got into a page (a container name, a
// log line) could not run, and the page could not call out. The one exception is the page's own
// <style> elements (xterm.js makes them for its cells): each page load gets a random nonce that
// only our script reads and puts on them (web/style-nonce.ts), so injected markup still cannot style.
const csp = (styleNonce?: string) =>
  `default-src 'none'; script-src 'self'; style-src 'self'${styleNonce ? ` 'nonce-${styleNonce}'` : ''}; img-src 'self' data:; connect-src 'self'; `
  + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const CSP = csp();
const HEADERS = {
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** build/ui/ beside the bundle (build/bundle/berth.cjs) or beside tsc's output (build/src/ui/). */
function uiDir(): string {
  for (const rel of ['../ui/', '../../ui/']) {
    const d = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(`${d}index.html`)) return d;
  }
  throw unavailable('serve.ui_missing', 'the dashboard files (build/ui/) are missing', 'run make build');
}

/** Every file esbuild wrote (the app, its chunks, its styles), by its URL; the page as "/". */
function loadFiles(): Map<string, { body: Buffer; type: string }> {
  const dir = uiDir();
  const m = new Map<string, { body: Buffer; type: string }>();
  for (const f of readdirSync(dir)) {
    const type = TYPES[f.slice(f.lastIndexOf('.') + 1)];
    if (type !== undefined && /^[\w.-]+$/.test(f)) m.set(f === 'index.html' ? '/' : `/${f}`, { body: readFileSync(dir + f), type });
  }
  return m;
}

export function createUiServer(o: UiOptions): UiServer {
  const files = loadFiles();
  const scheme = o.tls ? 'https' : 'http';
  const gate = new Gate(originsFor(scheme, o.host, o.port, o.loopback), o.tls !== undefined);
  const sockets = new Set<Socket>();

  const deny = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { ...HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${message}\n`);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const ac = new AbortController();
    res.on('close', () => ac.abort());
    const what = `${req.method} ${(req.url ?? '').slice(0, 200)}`;
    if (o.debug) o.log(`ui: ${what}`);
    void (async () => {
      try {
        if ((req.url ?? '').length > 8192) return deny(res, 414, 'request URL too long');
        if (!gate.hostAllowed(req.headers.host)) return deny(res, 421, `not served under the name ${req.headers.host ?? '(none)'}`);
        const url = new URL(req.url ?? '/', 'http://berth');
        const token = url.searchParams.get('token');
        if (req.method === 'GET' && url.pathname === '/' && token !== null) {
          const s = gate.login(token);
          if (!s) return deny(res, 401, 'this login token is wrong or was used already: restart berth serve --ui for a new one');
          // Off the token's URL at once, so that it is neither in the history nor in a Referer.
          res.writeHead(303, { ...HEADERS, 'Set-Cookie': gate.setCookie(s), Location: '/', 'Cache-Control': 'no-store' });
          return res.end();
        }
        const session = gate.session(req.headers.cookie);
        if (!session) return deny(res, 401, 'not logged in: open the address berth serve --ui printed');
        const method = req.method ?? 'GET';
        if (method !== 'GET' && method !== 'HEAD') {
          const h = req.headers[CSRF_HEADER];
          const problem = gate.csrfProblem(session, req.headers.origin, typeof h === 'string' ? h : undefined);
          if (problem) return deny(res, 403, problem);
        }
        if (url.pathname.startsWith('/ui/api/')) {
          res.setHeader('Cache-Control', 'no-store');
          for (const [k, v] of Object.entries(HEADERS)) res.setHeader(k, v);
          return await handleUiApi({ req, res, engine: o.engine, path: url.pathname, query: url.searchParams, signal: ac.signal, csrf: session.csrf });
        }
        const f = files.get(url.pathname);
        if (!f || (method !== 'GET' && method !== 'HEAD')) return sendJson(res, 404, { message: `no such page: ${url.pathname}` });
        let body = f.body;
        const headers: Record<string, string | number> = { ...HEADERS, 'Content-Type': f.type, 'Cache-Control': 'no-cache' };
        if (url.pathname === '/') {
          const nonce = randomBytes(18).toString('base64');
          body = Buffer.from(body.toString('utf8').replace('{{STYLE_NONCE}}', nonce));
          headers['Content-Security-Policy'] = csp(nonce);
          headers['Cache-Control'] = 'no-store';
        }
        res.writeHead(200, { ...headers, 'Content-Length': body.length });
        res.end(method === 'HEAD' ? undefined : body);
      } catch (e) {
        uiError(res, e, o.log, what);
      }
    })();
  };

  const server = o.tls ? createTlsServer({ cert: o.tls.cert, key: o.tls.key }, onRequest) : createServer(onRequest);
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  };
  server.on('upgrade', terminalUpgrades(o.engine, gate, o.log));
  server.on('connection', track);
  server.on('secureConnection', track);
  const h = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    server,
    loginUrl: `${scheme}://${h}:${o.port}/?token=${gate.token}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

export async function listenUi(ui: UiServer, host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    ui.server.once('error', reject);
    ui.server.listen(port, host, () => {
      ui.server.off('error', reject);
      resolve();
    });
  });
}
