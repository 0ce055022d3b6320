// The one place that knows where things live for one berth root. Parts receive paths, not the context.
import { join } from 'node:path';
import type { Db } from '../state/db.js';
import { openDb } from '../state/db.js';
import type { BerthPaths } from '../common/types.js';
import type { Host } from './host.js';

export interface EngineConfig {
  paths: BerthPaths;
  /** How conmon calls berth back when a container exits (node + script, and the root flags). */
  self: { path: string; args: string[] };
  debug: boolean;
}

export interface EngineContext {
  config: EngineConfig;
  paths: BerthPaths;
  readonly db: Db;
  /** What the lifecycle asks of the host; the real one (engine/host.ts) when absent. */
  host?: Host;
}

export function createContext(config: EngineConfig, opts: { host?: Host } = {}): EngineContext {
  let db: Db | undefined;
  return {
    config,
    paths: config.paths,
    ...(opts.host ? { host: opts.host } : {}),
    // Opened on first use: `berth --version` and `--help` never pay for SQLite.
    get db() {
      db ??= openDb(config.paths.root);
      return db;
    },
  };
}

export const containerDir = (ctx: EngineContext, id: string) => join(ctx.paths.root, 'containers', id);
export const runDirsParent = (ctx: EngineContext) => join(ctx.paths.runroot, 'containers');
export const containerRunDir = (ctx: EngineContext, id: string) => join(runDirsParent(ctx), id);
export const runtimeRoot = (ctx: EngineContext, runtime: string) => join(ctx.paths.runroot, runtime);
export const logPath = (ctx: EngineContext, id: string) => join(containerDir(ctx, id), 'ctr.log');
/** Keeps cgroups of different roots apart too: /berth-<hash of root>/<id> would be long; one parent is enough since ids are random. */
export const cgroupsPath = (id: string) => `/berth/${id}`;
