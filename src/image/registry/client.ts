// A client for one repository on one registry (OCI distribution spec): picks the scheme, answers
// Basic and Bearer challenges, retries dropped connections, and turns HTTP outcomes into
// BerthErrors that name the registry and the repository.
import type { Readable } from 'node:stream';
import { BerthError, notFound, unavailable } from '../../common/errors.js';
import { parseChallenge, type Credentials } from './auth.js';
import { drain, isTlsMismatch, isTransient, readAll, send, type HttpRequest, type HttpResponse } from './http.js';

export interface ClientOptions {
  /** false: accept any certificate, and fall back to plain HTTP when the server does not speak TLS. */
  tlsVerify: boolean;
  /** Registries reached over plain HTTP without trying TLS (the registries config). */
  plainHttp?: boolean;
  credentials?: Credentials | undefined;
  /** "pull" or "pull,push". */
  actions: string;
  /** Other repositories (on the same registry) we may mount blobs from: their pull scope is asked for too. */
  mountFrom?: string[];
  retries?: number;
}

export interface CallOptions {
  headers?: Record<string, string>;
  body?: Buffer | (() => Readable);
  /** Statuses that are answers, not errors; others throw. */
  ok: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Docker Hub's API lives on another host than its name. */
export function endpointHost(registry: string): string {
  return registry === 'docker.io' ? 'registry-1.docker.io' : registry;
}

export class RegistryClient {
  private scheme: 'https:' | 'http:' | undefined;
  private authorization: string | undefined;
  private deciding: Promise<void> | undefined;

  constructor(readonly registry: string, readonly repo: string, private readonly opts: ClientOptions) {
    if (opts.plainHttp) this.scheme = 'http:';
  }

  get label(): string {
    return `${this.registry}/${this.repo}`;
  }

  /** A request against /v2/<repo>/<path> (or an absolute URL the registry gave, e.g. an upload location). */
  async call(method: HttpRequest['method'], path: string, o: CallOptions): Promise<HttpResponse> {
    let res = await this.attempt(method, path, o);
    if (res.status === 401) {
      const header = res.headers['www-authenticate'] as string | string[] | undefined;
      await drain(res.body);
      const challenge = parseChallenge(Array.isArray(header) ? header[0] ?? '' : header ?? '');
      if (challenge && (await this.authenticate(challenge))) {
        res = await this.attempt(method, path, o);
        if (res.status === 401) await drain(res.body);
      }
      if (res.status === 401) {
        throw new BerthError('Unavailable', 'registry.unauthorized', this.opts.credentials
          ? `registry ${this.registry} refused the credentials of user "${this.opts.credentials.username}" for ${this.label}`
          : `registry ${this.registry} requires authentication for ${this.label}`, { hint: `berth login ${this.registry}` });
      }
    }
    if (res.status === 403) {
      await drain(res.body);
      throw new BerthError('Unavailable', 'registry.denied', `registry ${this.registry} denied access to ${this.label}`, {
        hint: `check your permissions, or berth login ${this.registry}`,
      });
    }
    if (!o.ok.includes(res.status)) {
      const text = (await readAll(res.body, 65536).catch(() => Buffer.alloc(0))).toString('utf8');
      throw this.httpError(method, path, res.status, text);
    }
    return res;
  }

  /** Checks that the registry answers and accepts our credentials (for login). */
  async ping(): Promise<void> {
    const res = await this.callRoot();
    await drain(res.body);
  }

  private async callRoot(): Promise<HttpResponse> {
    let res = await this.attempt('GET', '/v2/', { ok: [200] });
    if (res.status === 401) {
      const header = res.headers['www-authenticate'] as string | string[] | undefined;
      await drain(res.body);
      const challenge = parseChallenge(Array.isArray(header) ? header[0] ?? '' : header ?? '');
      if (challenge && (await this.authenticate(challenge))) res = await this.attempt('GET', '/v2/', { ok: [200] });
    }
    if (res.status === 401) {
      await drain(res.body);
      throw new BerthError('Unavailable', 'registry.unauthorized',
        this.opts.credentials ? `registry ${this.registry} refused the credentials of user "${this.opts.credentials.username}"`
          : `registry ${this.registry} requires authentication`, { hint: 'check the user name and password' });
    }
    if (res.status !== 200) {
      await drain(res.body);
      throw unavailable('registry.error', `registry ${this.registry} answered /v2/ with HTTP ${res.status}`);
    }
    return res;
  }

  /** The registry's origin as decided on first contact (https until then). */
  baseUrl(): string {
    return `${this.scheme ?? 'https:'}//${endpointHost(this.registry)}`;
  }

  private url(path: string): URL {
    if (/^https?:\/\//.test(path)) return new URL(path);
    return new URL(path.startsWith('/v2/') ? path : `/v2/${this.repo}/${path}`, this.baseUrl());
  }

  /** Sends with retries on dropped connections and 5xx; decides the scheme on first contact. */
  private async attempt(method: HttpRequest['method'], path: string, o: CallOptions): Promise<HttpResponse> {
    const retries = this.opts.retries ?? 3;
    for (let i = 0;; i++) {
      try {
        await this.decideScheme();
        const headers = { ...(o.headers ?? {}), ...(this.authorization ? { authorization: this.authorization } : {}) };
        const req: HttpRequest = { method, url: this.url(path), headers, insecure: !this.opts.tlsVerify };
        if (o.body !== undefined) req.body = o.body;
        const res = await send(req);
        if (res.status >= 500 && res.status !== 501 && i < retries) {
          await drain(res.body);
          await sleep(200 * 4 ** i);
          continue;
        }
        return res;
      } catch (e) {
        if (e instanceof BerthError) throw e;
        if (isTransient(e) && i < retries) {
          await sleep(200 * 4 ** i);
          continue;
        }
        throw this.networkError(e);
      }
    }
  }

  /**
   * HTTPS unless the registry is configured as plain HTTP; with --tls-verify=false, a registry
   * that answers TLS with plain HTTP is then spoken to over HTTP. Decided once, before parallel
   * requests start, so they all agree.
   */
  private decideScheme(): Promise<void> {
    this.deciding ??= (async () => {
      if (this.scheme !== undefined) return;
      if (this.opts.tlsVerify) {
        this.scheme = 'https:';
        return;
      }
      try {
        const res = await send({ method: 'GET', url: new URL('/v2/', `https://${endpointHost(this.registry)}`), insecure: true });
        await drain(res.body);
        this.scheme = 'https:';
      } catch (e) {
        if (isTlsMismatch(e)) this.scheme = 'http:';
        else throw this.networkError(e);
      }
    })();
    return this.deciding;
  }

  private async authenticate(c: { scheme: string; params: Record<string, string> }): Promise<boolean> {
    const creds = this.opts.credentials;
    const basic = creds && `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    if (c.scheme === 'basic') {
      // Parallel requests may all be challenged; each retries once with the credentials.
      if (!basic) return false;
      this.authorization = basic;
      return true;
    }
    if (c.scheme !== 'bearer' || !c.params.realm) return false;
    const url = new URL(c.params.realm);
    if (c.params.service) url.searchParams.set('service', c.params.service);
    if (this.repo !== '') url.searchParams.append('scope', `repository:${this.repo}:${this.opts.actions}`);
    for (const from of this.opts.mountFrom ?? []) url.searchParams.append('scope', `repository:${from}:pull`);
    let res: HttpResponse;
    try {
      res = await send({ method: 'GET', url, headers: basic ? { authorization: basic } : {}, insecure: !this.opts.tlsVerify });
    } catch (e) {
      throw this.networkError(e, `token service ${url.origin}`);
    }
    const body = await readAll(res.body, 1 << 20);
    if (res.status === 401 || res.status === 403) return false;
    if (res.status !== 200) throw unavailable('registry.token', `token service ${url.origin} answered HTTP ${res.status}`);
    let token: string | undefined;
    try {
      const v = JSON.parse(body.toString('utf8')) as { token?: string; access_token?: string };
      token = v.token ?? v.access_token;
    } catch {
      // handled below
    }
    if (!token) throw unavailable('registry.token', `token service ${url.origin} gave no token`);
    this.authorization = `Bearer ${token}`;
    return true;
  }

  private networkError(e: unknown, what = `registry ${this.registry}`): BerthError {
    const err = e as NodeJS.ErrnoException;
    let why = err?.message ?? String(e);
    if (err?.code === 'ECONNREFUSED') why = 'connection refused';
    else if (err?.code === 'ENOTFOUND' || err?.code === 'EAI_AGAIN') why = 'host not found';
    else if (/certificate|self.signed|CERT_|unable to verify/i.test(`${err?.code} ${why}`)) {
      return new BerthError('Unavailable', 'registry.tls', `cannot reach ${what}: TLS certificate not trusted (${why})`, {
        hint: 'use --tls-verify=false for a registry with a self-signed certificate',
      });
    } else if (isTlsMismatch(e)) {
      return new BerthError('Unavailable', 'registry.tls', `cannot reach ${what}: it does not speak HTTPS`, {
        hint: 'use --tls-verify=false for a plain-HTTP registry',
      });
    }
    return new BerthError('Unavailable', 'registry.unreachable', `cannot reach ${what}: ${why}`, { hint: 'check the registry address and that it is running' });
  }

  private httpError(method: string, path: string, status: number, text: string): BerthError {
    let code = '';
    let message = '';
    try {
      const v = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> };
      code = v.errors?.[0]?.code ?? '';
      message = v.errors?.[0]?.message ?? '';
    } catch {
      message = text.trim().slice(0, 200);
    }
    if (status === 404 || code === 'MANIFEST_UNKNOWN' || code === 'NAME_UNKNOWN' || code === 'BLOB_UNKNOWN') {
      return notFound('registry.not_found',
        `${this.label}: ${code ? `${code.toLowerCase().replace(/_/g, ' ')}` : 'not found'} (${method} ${path.replace(/^https?:\/\/[^/]+/, '')})`);
    }
    return unavailable('registry.error',
      `registry ${this.registry} answered ${method} ${path.replace(/^https?:\/\/[^/]+/, '').split('?')[0]} with HTTP ${status}${code ? ` ${code}` : ''}${
        message ? `: ${message}` : ''
      }`);
  }
}
