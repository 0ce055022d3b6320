// Routes with and without Docker's /vX.Y prefix. A route's pattern names its parameters as
// {id}; {name*} takes the rest of the path, slashes included, for image references such as
// localhost:5000/team/app:1.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Engine } from '../engine/index.js';
import { ApiError } from './errors.js';
import type { Foreground } from './foreground.js';

export const API_VERSION = '1.44';
export const MIN_API_VERSION = '1.24';

export interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  engine: Engine;
  fg: Foreground;
  /** The version the client asked for (the prefix), or the one advertised. */
  version: string;
  /** An upgraded request's body, already read off the socket (its req stream has none). */
  body?: Buffer;
  /** Fires when the client goes away: long requests stop then. */
  signal: AbortSignal;
}

export type Handler = (c: Call) => Promise<void>;
export type Route = [method: string, pattern: string, handler: Handler];

interface Compiled {
  method: string;
  re: RegExp;
  names: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Compiled[] = [];

  add(routes: readonly Route[]): this {
    for (const [method, pattern, handler] of routes) {
      const names: string[] = [];
      const re = pattern.replace(/\{(\w+)(\*?)\}/g, (_m, name: string, star: string) => {
        names.push(name);
        return star ? '(.+)' : '([^/]+)';
      });
      this.routes.push({ method, re: new RegExp(`^${re}$`), names, handler });
    }
    return this;
  }

  /** The handler for a request and its path parameters; HEAD falls back to GET. */
  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    let pathFound = false;
    for (const m of [method, ...(method === 'HEAD' ? ['GET'] : [])]) {
      for (const r of this.routes) {
        const hit = r.re.exec(path);
        if (!hit) continue;
        pathFound = true;
        if (r.method !== m) continue;
        const params: Record<string, string> = {};
        r.names.forEach((n, i) => {
          params[n] = decode(hit[i + 1]!);
        });
        return { handler: r.handler, params };
      }
    }
    if (pathFound) throw new ApiError(405, `method ${method} not allowed on ${path}`);
    throw new ApiError(404, `page not found: ${method} ${path}`);
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new ApiError(400, 'malformed percent-encoding in the path');
  }
}

function versionNumber(v: string): number {
  const [a, b] = v.split('.').map(Number);
  return a! * 1000 + b!;
}

/** Splits "/v1.41/containers/json" into the version and the route's path; checks the range. */
export function splitVersion(path: string): { version: string; path: string } {
  const m = /^\/v(\d{1,3}\.\d{1,3})(\/.*)$/.exec(path);
  if (!m) return { version: API_VERSION, path };
  const v = m[1]!;
  if (versionNumber(v) > versionNumber(API_VERSION)) throw new ApiError(400, `client version ${v} is too new. Maximum supported API version is ${API_VERSION}`);
  if (versionNumber(v) < versionNumber(MIN_API_VERSION))
    throw new ApiError(400,
      `client version ${v} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
  return { version: v, path: m[2]! };
}
