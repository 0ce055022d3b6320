// Every container's rows are also kept beside it, in ROOT/containers/ID/berth.json, written
// atomically at create, start and exit. The instances file is the truth while it exists; when
// it is lost (deleted, truncated to nothing) berth refuses to start afresh over containers it
// would orphan, and `berth system recover` (recoverRecords) rebuilds the records from these
// files: names kept, running containers still running.
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs';
import { writeFileAtomic } from '../sys/atomic.js';
import { join } from 'node:path';
import { tx } from '../state/db.js';
import { readRecordSet, restoreRecordSet, type RecordSet } from '../state/records.js';
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

function writeRecordFile(ctx: EngineContext, id: string): void {
  const set = readRecordSet(ctx.db, id);
  // A container being removed may have lost its directory already.
  if (!set || !existsSync(containerDir(ctx, id))) return;
  writeFileAtomic(join(containerDir(ctx, id), FILE), JSON.stringify(set), { mode: 0o600 });
}

export interface RecoverReport {
  recovered: { id: string; name: string; status: string }[];
  present: number;
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
  try { size = statSync(file).size; } catch { /* missing */ }
  if (size <= 0) {
    const aside = `.lost-${Date.now()}`;
    for (const f of [`${file}-wal`, `${file}-shm`]) if (existsSync(f)) renameSync(f, `${f}${aside}`);
  }
  const report: RecoverReport = { recovered: [], present: 0, skipped: [] };
  ctx.recovering = true;
  for (const id of containersOnDisk(root)) {
    let set: RecordSet;
    try {
      set = JSON.parse(readFileSync(join(containerDir(ctx, id), FILE), 'utf8')) as RecordSet;
      if (set.version !== 1 || set.container.id !== id) throw new Error('not this container\'s record');
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
