// Registry credentials. Stored in the format of Docker's config.json ("auths" → host → "auth",
// the base64 of user:password), so the file can be shared with docker, podman and skopeo
// (--authfile). berth's file is <root>/auth.json, mode 0600 (REGISTRY_AUTH_FILE or --authfile
// override it): the root is per instance and root-only, like Podman's per-user auth.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../sys/atomic.js';
import { corrupt } from '../../common/errors.js';

export interface Credentials {
  username: string;
  password: string;
}

interface AuthFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  [k: string]: unknown;
}

export function defaultAuthFile(root: string): string {
  return process.env.REGISTRY_AUTH_FILE || join(root, 'auth.json');
}

/** The keys a registry may be stored under (Docker Hub has its historical URL too). */
function keysFor(registry: string): string[] {
  if (registry === 'docker.io' || registry === 'registry-1.docker.io' || registry === 'index.docker.io') {
    return ['docker.io', 'https://index.docker.io/v1/', 'index.docker.io', 'registry-1.docker.io'];
  }
  return [registry, `https://${registry}`, `http://${registry}`];
}

function readAuthFile(path: string): AuthFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  try {
    const v = JSON.parse(text) as AuthFile;
    return v && typeof v === 'object' ? v : {};
  } catch {
    throw corrupt('auth.corrupt', `credentials file ${path} is not valid JSON`, 'fix or remove it, then log in again');
  }
}

function writeAuthFile(path: string, data: AuthFile): void {
  writeFileAtomic(path, JSON.stringify(data, null, '\t') + '\n', { mode: 0o600, mkdirMode: 0o700 });
}

export function getCredentials(path: string, registry: string): Credentials | undefined {
  const auths = readAuthFile(path).auths ?? {};
  for (const k of keysFor(registry)) {
    const a = auths[k]?.auth;
    if (!a) continue;
    const text = Buffer.from(a, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) continue;
    return { username: text.slice(0, i), password: text.slice(i + 1) };
  }
  return undefined;
}

export function storeCredentials(path: string, registry: string, c: Credentials): void {
  const data = readAuthFile(path);
  data.auths ??= {};
  data.auths[keysFor(registry)[0]!] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
  writeAuthFile(path, data);
}

/** Returns whether there was anything to remove. */
export function removeCredentials(path: string, registry: string): boolean {
  const data = readAuthFile(path);
  let found = false;
  for (const k of keysFor(registry)) {
    if (data.auths && k in data.auths) {
      delete data.auths[k];
      found = true;
    }
  }
  if (found) writeAuthFile(path, data);
  return found;
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header: `Bearer realm="https://auth/token",service="reg",scope="repository:a:pull"`. */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?/g;
  for (const p of m[2]!.matchAll(re)) params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  return { scheme: m[1]!.toLowerCase(), params };
}
