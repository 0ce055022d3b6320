// Every container's rows are also kept beside it, in ROOT/containers/ID/berth.json, written
// atomically at create, start and exit. The instances file is the truth while it exists; when
// it is lost (deleted, truncated to nothing) berth refuses to start afresh over containers it
// would orphan, and `berth system recover` (recoverRecords) rebuilds the records from these
// files: names kept, running containers still running.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { stageFileAtomic, writeFileAtomic, type StagedFile } from '../sys/atomic.js';
import { statusCells, type StatusUpdate } from '../state/containers.js';
import { join } from 'node:path';
import { tx } from '../state/db.js';
import { readNetworkRow, readRecordSet, restoreNetworkRow, restoreRecordSet, type RecordSet } from '../state/records.js';
import { containerDir, type EngineContext } from './context.js';
import { containersOnDisk } from './instances-guard.js';

const FILE = 'berth.json';

/**
 * Writes (temp file, fsync, rename) the container's rows as they are now. `bestEffort`: at the
 * end of a run, a full disk must not stop a stop; a copy left saying "running" is reconciled
 * like any record whose process has gone.
 */
export function saveRecordFile(ctx: EngineContext, id: string, opts: { bestEffort?: boolean } = {}): void {
  try {
    writeRecordFile(ctx, id);
  } catch (e) {
    if (!opts.bestEffort) throw e;
  }
}

/**
 * The record file as it will be once `update` commits, written now and synced while the caller
 * runs what the update records (the runtime's start): it takes its name at commit, and abort
 * leaves the old one. Best effort, as saveRecordFile's at a start: undefined when it cannot.
 */
export function stageRecordFile(ctx: EngineContext, id: string, update: StatusUpdate): StagedFile | undefined {
  try {
    const set = readRecordSet(ctx.db, id);
    if (!set || !existsSync(containerDir(ctx, id))) return undefined;
    return stageFileAtomic(join(containerDir(ctx, id), FILE), JSON.stringify({ ...set, container: { ...set.container, ...statusCells(update) } }), {
      mode: 0o600,
    });
  } catch {
    return undefined;
  }
}

function writeRecordFile(ctx: EngineContext, id: string): void {
  const set = readRecordSet(ctx.db, id);
  // A container being removed may have lost its directory already.
  if (!set || !existsSync(containerDir(ctx, id))) return;
  writeFileAtomic(join(containerDir(ctx, id), FILE), JSON.stringify(set), { mode: 0o600 });
}

// Networks are kept too (ROOT/networks/ID.json), so that one no container uses yet is not lost
// with the instances file. Made after the network, removed after it: a berth killed in between
// leaves, at worst, a file that a recover after a lost instances file would bring back.
const networksDir = (ctx: EngineContext) => join(ctx.paths.root, 'networks');

export const networkFile = (ctx: EngineContext, id: string) => join(networksDir(ctx), `${id}.json`);

export function saveNetworkFile(ctx: EngineContext, name: string): void {
  const row = readNetworkRow(ctx.db, name);
  if (row) writeFileAtomic(networkFile(ctx, String(row.id)), JSON.stringify(row), { mode: 0o600, mkdirMode: 0o700 });
}

export function forgetNetworkFile(ctx: EngineContext, id: string): void {
  if (/^[0-9a-f]{64}$/.test(id)) rmSync(networkFile(ctx, id), { force: true });
}

function recoverNetworks(ctx: EngineContext): number {
  let n = 0;
  let files: string[] = [];
  try {
    files = readdirSync(networksDir(ctx)).filter((f) => /^[0-9a-f]{64}\.json$/.test(f));
  } catch { /* none kept */ }
  for (const f of files) {
    try {
      const row = JSON.parse(readFileSync(join(networksDir(ctx), f), 'utf8')) as Record<string, unknown>;
      if (`${String(row.id)}.json` !== f) continue;
      if (tx(ctx.db, () => restoreNetworkRow(ctx.db, row))) n++;
    } catch { /* a damaged copy: the network is recreated by hand */ }
  }
  return n;
}

export interface RecoverReport {
  recovered: { id: string; name: string; status: string }[];
  present: number;
  /** Networks brought back from ROOT/networks/ (those of recovered containers come with them). */
  networks: number;
  /** Containers whose files could not give a record back, and why. */
  skipped: { id: string; reason: string }[];
}

/**
 * Rebuilds the records of every container found on disk that the instances file lacks. A lost
 * instances file's stale -wal/-shm belong to the old file and are set aside first, so SQLite
 * does not replay them into the new one.
 */
export function recoverRecords(ctx: EngineContext): RecoverReport {
  const root = ctx.paths.root;
  const file = join(root, 'berth.db');
  let size = -1;
  try {
    size = statSync(file).size;
  } catch { /* missing */ }
  if (size <= 0) {
    const aside = `.lost-${Date.now()}`;
    for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) renameSync(f, `${f}${aside}`);
  }
  const report: RecoverReport = { recovered: [], present: 0, networks: 0, skipped: [] };
  ctx.recovering = true;
  report.networks = recoverNetworks(ctx);
  for (const id of containersOnDisk(root)) {
    let set: RecordSet;
    try {
      set = JSON.parse(readFileSync(join(containerDir(ctx, id), FILE), 'utf8')) as RecordSet;
      if (set.version !== 1 || set.container.id !== id) throw new Error("not this container's record");
    } catch (e) {
      report.skipped.push({ id, reason: (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${FILE}` : `unreadable ${FILE}: ${(e as Error).message}` });
      continue;
    }
    const outcome = tx(ctx.db, () => restoreRecordSet(ctx.db, set));
    if (outcome === 'present') report.present++;
    else if (outcome === 'name_taken') report.skipped.push({ id, reason: `its name ${String(set.container.name)} is taken by another container` });
    else report.recovered.push({ id, name: String(set.container.name), status: String(set.container.status) });
  }
  return report;
}
