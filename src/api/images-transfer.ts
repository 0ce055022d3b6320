// Image routes that move archives and registries' content: push (with X-Registry-Auth), save
// (GET /images/get) and load (POST /images/load).
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ApiError, badRequest, toReply } from './errors.js';
import { qStr, readJson, sendJson } from './http.js';
import type { Call, Route } from './router.js';

const LOOPBACK = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3})(:\d{1,5})?\//;
/** An image archive a client uploads; larger ones are refused while they come in. */
const LOAD_LIMIT = 16 * 1024 ** 3;

interface RegistryAuth {
  username?: string;
  password?: string;
  serveraddress?: string;
  identitytoken?: string;
}

/** Docker's X-Registry-Auth: base64url of a JSON object; "{}" or absent means none. */
export function parseRegistryAuth(header: string | string[] | undefined): RegistryAuth | undefined {
  if (header === undefined || Array.isArray(header) || header === '' || header.length > 16384) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    throw badRequest('X-Registry-Auth is not base64-encoded JSON');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw badRequest('X-Registry-Auth must encode an object');
  const o = doc as Record<string, unknown>;
  const out: RegistryAuth = {};
  for (const k of ['username', 'password', 'serveraddress', 'identitytoken'] as const) {
    const v = o[k];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v !== 'string') throw badRequest(`X-Registry-Auth: ${k} must be a string`);
    out[k] = v;
  }
  return out.username !== undefined && out.password !== undefined ? out : undefined;
}

/**
 * Runs `fn` with an auth file holding the client's X-Registry-Auth credentials for `ref`'s
 * registry (the engine reads credentials from files), removed afterwards; none without them.
 */
export async function withClientAuth<T>(c: Call, ref: string, fn: (authFile: string | undefined) => Promise<T>): Promise<T> {
  const auth = parseRegistryAuth(c.req.headers['x-registry-auth']);
  if (!auth) return fn(undefined);
  const dir = mkdtempSync(join(tmpdir(), 'berth-auth-'));
  try {
    const server = auth.serveraddress?.replace(/^https?:\/\//, '').replace(/\/.*$/, '') || ref.split('/')[0]!;
    const authFile = join(dir, 'auth.json');
    writeFileSync(authFile, JSON.stringify({ auths: { [server]: { auth: Buffer.from(`${auth.username}:${auth.password}`).toString('base64') } } }), {
      mode: 0o600,
    });
    return await fn(authFile);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function push(c: Call): Promise<void> {
  const name = c.params.name!;
  const tag = qStr(c.query, 'tag', 128) ?? '';
  if (tag !== '' && !/^[\w][\w.-]{0,127}$/.test(tag)) throw badRequest(`invalid tag "${tag}"`);
  const ref = tag === '' ? name : `${name}:${tag}`;
  if (!(await c.engine.images.exists(ref))) throw new ApiError(404, `No such image: ${ref}`);
  c.res.writeHead(200, { 'Content-Type': 'application/json' });
  c.res.flushHeaders();
  const line = (o: unknown) => c.res.write(`${JSON.stringify(o)}\r\n`);
  line({ status: `The push refers to repository [${name}]` });
  try {
    const r = await withClientAuth(c, ref, (authFile) =>
      c.engine.images.push(ref, undefined, { ...(LOOPBACK.test(ref) ? { tlsVerify: false } : {}), ...(authFile ? { authFile } : {}) }));
    line({ status: `${tag || 'latest'}: digest: ${r.manifestDigest}` });
    line({ progressDetail: {}, aux: { Tag: tag || 'latest', Digest: r.manifestDigest } });
  } catch (e) {
    const { message } = toReply(e);
    line({ errorDetail: { message }, error: message });
  }
  c.res.end();
}

async function save(c: Call): Promise<void> {
  const names = c.params.name !== undefined ? [c.params.name] : c.query.getAll('names');
  if (names.length === 0) throw badRequest('names is required');
  if (names.length > 100 || names.some((n) => n.length > 512)) throw badRequest('too many or too long image names');
  for (const n of names) if (!(await c.engine.images.exists(n))) throw new ApiError(404, `No such image: ${n}`);
  c.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  try {
    await c.engine.images.save(names, c.res, 'docker-archive');
  } finally {
    c.res.end();
  }
}

async function load(c: Call): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-load-'));
  try {
    const file = join(dir, 'archive.tar');
    let size = 0;
    const cap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        done(size > LOAD_LIMIT ? new ApiError(413, 'image archive too large') : null, chunk);
      },
    });
    await pipeline(c.req, cap, createWriteStream(file, { mode: 0o600 }));
    const loaded = await c.engine.images.load(file);
    const lines = loaded.map((i) =>
      JSON.stringify({ stream: i.repository === '<none>' ? `Loaded image ID: ${i.id}\n` : `Loaded image: ${i.repository}:${i.tag}\n` })
    );
    c.res.writeHead(200, { 'Content-Type': 'application/json' });
    c.res.end(lines.map((l) => `${l}\r\n`).join(''));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * POST /auth (docker login): checks the credentials against the registry and keeps nothing;
 * the client stores them and sends them back as X-Registry-Auth.
 */
async function auth(c: Call): Promise<void> {
  const body = await readJson(c.req);
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('the request body must be an object');
  const o = body as Record<string, unknown>;
  const [username, password, server] = [o.username, o.password, o.serveraddress];
  if (typeof username !== 'string' || typeof password !== 'string' || username === '') throw badRequest('username and password are required');
  if (typeof server !== 'string' || server === '') throw badRequest('serveraddress is required');
  const registry = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
  const dir = mkdtempSync(join(tmpdir(), 'berth-login-'));
  try {
    await c.engine.images.login(registry, { username, password }, { authFile: join(dir, 'auth.json'),
      ...(LOOPBACK.test(`${registry}/`) ? { tlsVerify: false } : {}) });
  } catch (e) {
    const r = toReply(e);
    // Docker answers a refused login 401; the CLI prints the message.
    throw new ApiError(r.status === 500 ? 401 : r.status, r.message);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  sendJson(c.res, 200, { Status: 'Login Succeeded', IdentityToken: '' });
}

export const imageTransferRoutes: Route[] = [
  ['POST', '/auth', auth],
  ['POST', '/images/load', load],
  ['GET', '/images/get', save],
  ['GET', '/images/{name*}/get', save],
  ['POST', '/images/{name*}/push', push],
];
