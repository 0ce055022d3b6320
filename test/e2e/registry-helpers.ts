// A real registry for tests: Debian's docker-registry (distribution 2.8) on 127.0.0.1, plain
// HTTP, with no auth, htpasswd (bcrypt, made by apache2-utils' htpasswd) or bearer tokens issued
// by a small token service run in the test process (RS256 JWTs signed with a throwaway key).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = netServer();
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

export interface RegistryOptions {
  auth?: 'htpasswd' | 'token';
  users?: Record<string, string>;
  /** Serve HTTPS with a self-signed certificate. */
  tls?: boolean;
}

export class TestRegistry {
  readonly dir: string;
  port = 0;
  private proc: ChildProcess | undefined;
  private tokenServer: Server | undefined;
  /** Scopes the token service was asked for, for assertions. */
  readonly scopes: string[] = [];

  constructor(readonly opts: RegistryOptions = {}) {
    this.dir = mkdtempSync('/tmp/berth-registry-');
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.port = await freePort();
    const users = this.opts.users ?? { alice: 'secret' };
    let auth = '';
    if (this.opts.auth === 'htpasswd') {
      const lines = Object.entries(users).map(([u, p]) => spawnSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).stdout.trim());
      writeFileSync(join(this.dir, 'htpasswd'), lines.join('\n') + '\n');
      auth = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(this.dir, 'htpasswd')}\n`;
    }
    if (this.opts.auth === 'token') auth = await this.startTokenService(users);
    let tls = '';
    if (this.opts.tls) {
      this.makeCert('tls', '127.0.0.1');
      tls = `  tls:\n    certificate: ${join(this.dir, 'tls.crt')}\n    key: ${join(this.dir, 'tls.key')}\n`;
    }
    writeFileSync(join(this.dir, 'config.yml'), `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${join(this.dir, 'data')}
  delete:
    enabled: true
http:
  addr: 127.0.0.1:${this.port}
${tls}${auth}`);
    this.proc = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    this.proc.stderr!.on('data', (d: Buffer) => {
      log += d.toString();
    });
    const end = Date.now() + 15_000;
    for (;;) {
      const r = spawnSync('curl', ['-sk', '-o', '/dev/null', '-w', '%{http_code}', `${this.opts.tls ? 'https' : 'http'}://${this.host}/v2/`], {
        encoding: 'utf8',
      });
      if (r.stdout === '200' || r.stdout === '401') return this;
      if (Date.now() > end || this.proc.exitCode !== null) throw new Error(`registry did not start: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private makeCert(name: string, cn: string): void {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${cn}`, '-addext',
      `subjectAltName=${/^[\d.]+$/.test(cn) ? 'IP' : 'DNS'}:${cn}`, '-keyout', join(this.dir, `${name}.key`), '-out', join(this.dir, `${name}.crt`)], {
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  }

  private async startTokenService(users: Record<string, string>): Promise<string> {
    this.makeCert('token', 'berth-token-issuer');
    const key = createPrivateKey(readFileSync(join(this.dir, 'token.key')));
    const der = new X509Certificate(readFileSync(join(this.dir, 'token.crt'))).raw.toString('base64');
    const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString('base64url');
    this.tokenServer = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
      const [user, pass] = basic ? Buffer.from(basic[1]!, 'base64').toString().split(':') : [];
      if (basic && users[user!] !== pass) {
        res.writeHead(401).end('{"details":"bad credentials"}');
        return;
      }
      const scopes = url.searchParams.getAll('scope');
      this.scopes.push(...scopes);
      // Anonymous users get nothing; known users get what they asked for.
      const access = user ? scopes.map((s) => {
        const [type, name, actions] = s.split(':');
        return { type, name, actions: (actions ?? '').split(',') };
      }) : [];
      const now = Math.floor(Date.now() / 1000);
      const head = b64({ typ: 'JWT', alg: 'RS256', x5c: [der] });
      const body = b64({ iss: 'berth-test-issuer', sub: user ?? '', aud: url.searchParams.get('service'), exp: now + 300, nbf: now - 10, iat: now,
        jti: randomBytes(8).toString('hex'), access });
      const sig = sign('sha256', Buffer.from(`${head}.${body}`), key).toString('base64url');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token: `${head}.${body}.${sig}`, expires_in: 300 }));
    });
    const port = await freePort();
    await new Promise<void>((r) => this.tokenServer!.listen(port, '127.0.0.1', r));
    return `auth:\n  token:\n    realm: http://127.0.0.1:${port}/token\n    service: berth-test\n    issuer: berth-test-issuer\n    rootcertbundle: ${
      join(this.dir, 'token.crt')
    }\n`;
  }

  /** The file the registry stores a blob's bytes in (to damage it on purpose). */
  blobData(digest: string): string {
    const hex = digest.replace('sha256:', '');
    return join(this.dir, 'data/docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
  }

  async stop(): Promise<void> {
    if (this.proc && this.proc.exitCode === null) {
      const p = this.proc;
      await new Promise<void>((r) => {
        p.on('exit', () => r());
        p.kill('SIGTERM');
      });
    }
    if (this.tokenServer) await new Promise<void>((r) => this.tokenServer!.close(() => r()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
