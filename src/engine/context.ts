// The one place that knows where things live for one berth root. Parts receive paths, not the context.
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Db } from '../state/db.js';
import { openDb } from '../state/db.js';
import type { BerthPaths } from '../common/types.js';
import type { Host } from './host.js';
import { guardInstancesFile } from './instances-guard.js';
import { withWritersHeld } from './quiet-writers.js';

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
  /** Set by recoverRecords: the instances file may be opened although it was lost. */
  recovering?: boolean;
}

export function createContext(config: EngineConfig, opts: { host?: Host } = {}): EngineContext {
  let db: Db | undefined;
  const ctx: EngineContext = {
    config,
    paths: config.paths,
    ...(opts.host ? { host: opts.host } : {}),
    // Opened on first use: `berth --version` and `--help` never pay for SQLite.
    get db() {
      if (db === undefined) {
        privateDir(config.paths.root);
        privateDir(config.paths.runroot);
        if (ctx.recovering !== true) guardInstancesFile(config.paths.root);
        // On a full disk, a running log would take the room the open frees (quiet-writers.ts).
        db = withWritersHeld(config.paths.root, () => openDb(config.paths.root));
      }
      return db;
    },
  };
  return ctx;
}

/**
 * The root holds every container's files and the runroot their runtime state: root's alone
 * (0700), as Podman keeps its storage. A root of ours made looser, by hand or by an older
 * berth, is tightened; someone else's directory is left as its owner set it.
 */
function privateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  // Search alone (0711) is left: a --userns container's root must pass through to its rootfs
  // (userns-rootfs.ts makes it so). Anything more is taken back to 0700.
  if ((st.mode & 0o066) !== 0 && st.uid === process.getuid?.()) chmodSync(dir, 0o700);
}

export const containerDir = (ctx: EngineContext, id: string) => join(ctx.paths.root, 'containers', id);
export const runDirsParent = (ctx: EngineContext) => join(ctx.paths.runroot, 'containers');
export const containerRunDir = (ctx: EngineContext, id: string) => join(runDirsParent(ctx), id);
export const runtimeRoot = (ctx: EngineContext, runtime: string) => join(ctx.paths.runroot, runtime);
export const logPath = (ctx: EngineContext, id: string) => join(containerDir(ctx, id), 'ctr.log');
/** Keeps cgroups of different roots apart too: /berth-<hash of root>/<id> would be long; one parent is enough since ids are random. */
export const cgroupsPath = (id: string) => `/berth/${id}`;
