// The dashboard's gate. Whoever can load a page on this machine's loopback could otherwise drive
// the Engine as root, so: a one-time login token (printed once, as Jupyter does) is exchanged for
// a session cookie the page's scripts cannot read (HttpOnly) and other sites cannot make the
// browser send (SameSite=Strict); a changing request must also come from our own Origin and carry
// the session's CSRF token, which only a page already inside can have asked for.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-berth-csrf';

export interface Session {
  id: string;
  csrf: string;
}

function secret(): string {
  return randomBytes(32).toString('hex');
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class Gate {
  readonly token: string;
  /**
   * Named by the port: browsers send a host's cookies to all its ports, and two dashboards (two
   * roots) on one host must not overwrite each other's session.
   */
  readonly cookie: string;
  private spent = false;
  private readonly sessions = new Map<string, Session>();

  constructor(
    /** Origins the page is served under, e.g. "http://127.0.0.1:9191". */
    readonly origins: readonly string[],
    private readonly secure: boolean,
    token = secret(),
  ) {
    this.token = token;
    this.cookie = `berth_ui_${new URL(origins[0] ?? 'http://x').port || '443'}`;
  }

  /** The token's one use; a second try (or a wrong token) gets nothing. */
  login(token: string): Session | undefined {
    if (this.spent || !same(token, this.token)) return undefined;
    this.spent = true;
    const s = { id: secret(), csrf: secret() };
    this.sessions.set(s.id, s);
    return s;
  }

  setCookie(s: Session): string {
    return `${this.cookie}=${s.id}; Path=/; HttpOnly; SameSite=Strict${this.secure ? '; Secure' : ''}`;
  }

  session(cookieHeader: string | undefined): Session | undefined {
    const id = readCookie(cookieHeader, this.cookie);
    if (id === undefined) return undefined;
    for (const [k, s] of this.sessions) if (same(k, id)) return s;
    return undefined;
  }

  /** A Host we do not serve under is a rebinding of some other name to our address. */
  hostAllowed(host: string | undefined): boolean {
    return host !== undefined && this.origins.some((o) => o.slice(o.indexOf('//') + 2) === host);
  }

  /** Why a changing request is refused, or undefined when it may go on. */
  csrfProblem(s: Session, origin: string | undefined, token: string | undefined): string | undefined {
    if (origin === undefined || !this.origins.includes(origin)) return `cross-origin request refused (Origin ${origin ?? 'missing'})`;
    if (token === undefined || !same(token, s.csrf)) return 'missing or wrong CSRF token';
    return undefined;
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

/** The origins a browser may use for ADDR: the address itself, and "localhost" for a loopback one. */
export function originsFor(scheme: 'http' | 'https', host: string, port: number, loopback: boolean): string[] {
  const h = host.includes(':') ? `[${host}]` : host;
  const list = [`${scheme}://${h}:${port}`];
  if (loopback && host !== 'localhost') list.push(`${scheme}://localhost:${port}`);
  return list;
}
