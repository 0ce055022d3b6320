// The instances file: one SQLite database per berth root. WAL mode lets `ps` read while a
// `run` writes; every change goes through tx(), a BEGIN IMMEDIATE transaction, so parallel
// berth commands serialise on the write lock instead of losing each other's records.
import Database from 'better-sqlite3';
import type BetterSqlite3 from 'better-sqlite3';
import { createRequire } from 'node:module';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleepMs } from '../common/sleep.js';
import { keepReserve, registerRoot, spendReserve, spendReserveToOpen } from './reserve.js';

export type Db = BetterSqlite3.Database;

/** How long a berth command waits for another one's write transaction. */
const BUSY_TIMEOUT_MS = 30_000;

// A static import, so that the bundle (build/bundle/berth.cjs) holds better-sqlite3's JavaScript
// and its V8 code cache covers it: required from node_modules it was a dozen files resolved,
// read and compiled on every start. The addon is loaded here by path and handed over: that skips
// the `bindings` package (which stats a dozen candidate paths on every start) and the resolver.
const ADDON_IN_PACKAGE = join('build', 'Release', 'better_sqlite3.node');
const ADDON = [join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules', 'better-sqlite3', ADDON_IN_PACKAGE)]
  .find((p) => existsSync(p)) ?? join(dirname(createRequire(import.meta.url).resolve('better-sqlite3')), '..', ADDON_IN_PACKAGE);
let addon: object | undefined;
function nativeBinding(): object {
  if (!addon) {
    const m = { exports: {} };
    process.dlopen(m, ADDON);
    addon = m.exports;
  }
  return addon;
}

const MIGRATIONS: readonly string[] = [
  // 1: the first schema. JSON columns hold documents whose shape is owned by one module
  // (image config by image/, container characteristics by engine/), typed in their accessors.
  `
  CREATE TABLE images (
    id TEXT PRIMARY KEY,              -- sha256 digest of the image config blob ("sha256:…")
    manifest_digest TEXT NOT NULL,
    config TEXT NOT NULL,             -- the OCI image config JSON, as stored in the blob
    layers TEXT NOT NULL,             -- JSON array of layer diff_ids (uncompressed digests), bottom first
    size INTEGER NOT NULL,
    created TEXT NOT NULL             -- RFC 3339, from the config or import time
  );
  CREATE TABLE tags (
    name TEXT PRIMARY KEY,            -- fully qualified "registry/repo:tag", e.g. localhost/busybox:latest
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
  );
  CREATE TABLE layers (
    diff_id TEXT PRIMARY KEY,         -- sha256 of the uncompressed tar; names the unpacked directory
    blob_digest TEXT NOT NULL,        -- digest of the (possibly compressed) blob it came from
    size INTEGER NOT NULL             -- unpacked bytes
  );
  CREATE TABLE containers (
    id TEXT PRIMARY KEY,              -- 64 hex
    name TEXT NOT NULL UNIQUE,
    image_id TEXT NOT NULL,
    image_ref TEXT NOT NULL,          -- what the user typed, as Docker shows it
    spec TEXT NOT NULL,               -- characteristics, fixed at create (JSON, engine/ owns the shape)
    labels TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,             -- created | running | exited | removing
    pid INTEGER,
    conmon_pid INTEGER,
    exit_code INTEGER,
    oom_killed INTEGER NOT NULL DEFAULT 0,
    restart_count INTEGER NOT NULL DEFAULT 0,
    runtime TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    boot_id TEXT,                     -- kernel boot id when started; another boot means it is not running
    conmon_start INTEGER,             -- conmon's start time in clock ticks, to tell it from a reused pid
    stop_requested INTEGER NOT NULL DEFAULT 0  -- a user stopped it: restart policies must not revive it
  );
  CREATE TABLE networks (
    name TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    bridge TEXT NOT NULL UNIQUE,
    subnet TEXT NOT NULL,
    gateway TEXT NOT NULL,
    ip_range TEXT,
    internal INTEGER NOT NULL DEFAULT 0,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  );
  CREATE TABLE endpoints (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    network TEXT NOT NULL REFERENCES networks(name),
    ifname TEXT NOT NULL,
    ip TEXT,                          -- NULL while a dynamic address is released (container stopped)
    static_ip INTEGER NOT NULL DEFAULT 0,
    mac TEXT,
    aliases TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (container_id, network),
    UNIQUE (network, ip)
  );
  CREATE TABLE ports (
    container_id TEXT NOT NULL REFERENCES containers(id) ON DELETE CASCADE,
    host_ip TEXT NOT NULL,
    host_port INTEGER NOT NULL,
    container_port INTEGER NOT NULL,
    proto TEXT NOT NULL,
    UNIQUE (host_port, proto)
  );
  CREATE TABLE volumes (
    name TEXT PRIMARY KEY,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL
  );
  `,
  // 2: the build cache. A step's cache key (parent, instruction and inputs, hashed) names the
  // image that step made; the row goes with the image.
  `
  CREATE TABLE build_cache (
    key TEXT PRIMARY KEY,             -- sha256 hex of the step's inputs
    image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
    created TEXT NOT NULL
  );
  CREATE INDEX build_cache_image ON build_cache(image_id);
  `,
  // 3: which run of a container a record describes. conmon's exit callback names its run, so the
  // callback of a run that a restart already replaced leaves the new one alone; the init's start
  // time tells it from a reused pid; the restart back-off survives between callbacks.
  `
  ALTER TABLE containers ADD COLUMN run_id TEXT;
  ALTER TABLE containers ADD COLUMN pid_start INTEGER;
  ALTER TABLE containers ADD COLUMN restart_backoff_ms INTEGER NOT NULL DEFAULT 0;
  `,
  // 4: locks held by berth processes (engine/lock.ts), released by the holder or taken over
  // once it is gone.
  `
  CREATE TABLE locks (
    name TEXT PRIMARY KEY,            -- "container:<id>", "network:<name>"
    pid INTEGER NOT NULL,
    start INTEGER NOT NULL,           -- the holder's start time in clock ticks
    boot TEXT NOT NULL                -- the kernel boot id when it was taken
  );
  `,
  // 5: the events journal (state/events.ts). AUTOINCREMENT keeps rowids rising even after the
  // oldest rows are pruned, so a follower's "after seq N" never skips a reused one.
  `
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time_nano INTEGER NOT NULL,       -- Unix nanoseconds (within 2^63)
    type TEXT NOT NULL,               -- container | image | network | volume
    action TEXT NOT NULL,             -- Docker's: create, start, die, exec_start: sh, …
    actor_id TEXT NOT NULL,
    attributes TEXT NOT NULL DEFAULT '{}'
  );
  CREATE INDEX events_time ON events(time_nano);
  `,
  // 6: a container's health, kept by its health runner (engine/health-run.ts) between checks.
  `
  CREATE TABLE health (
    container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,
    run_id TEXT NOT NULL,             -- the run the status belongs to; a new start begins again
    status TEXT NOT NULL,             -- starting, healthy, unhealthy
    failing_streak INTEGER NOT NULL,
    log TEXT NOT NULL,                -- JSON: the last checks, Docker's {Start, End, ExitCode, Output}
    runner_pid INTEGER,               -- the health runner of this run, and its start time in ticks
    runner_start INTEGER
  );
  `,
  // 7: the subordinate uid and gid ranges that --userns=auto gave each container, so that two
  // never overlap; a container's row going frees them.
  `
  CREATE TABLE userns_ranges (
    container_id TEXT PRIMARY KEY REFERENCES containers(id) ON DELETE CASCADE,
    uid_start INTEGER NOT NULL,
    uid_size INTEGER NOT NULL,
    gid_start INTEGER NOT NULL,
    gid_size INTEGER NOT NULL
  );
  `,
];

/** Opens (creating if needed) the instances file under `root` and brings its schema up to date. */
export function openDb(root: string): Db {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const file = join(root, 'berth.db');
  privateFile(file);
  let db: Db;
  try {
    db = openFile(file);
  } catch (e) {
    if (!spendReserveToOpen(root, e)) throw e;
    db = openFile(file);
  }
  registerRoot(db, root);
  keepReserve(root);
  return db;
}

function openFile(file: string): Db {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, nativeBinding: nativeBinding() as unknown as string });
  try {
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * The instances file is root's alone (0600). SQLite gives its -wal and -shm files the mode of
 * the database file, so making that one first, or tightening it once, covers all three.
 */
function privateFile(file: string): void {
  try {
    closeSync(openSync(file, 'wx', 0o600));
    return;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if ((statSync(file).mode & 0o077) === 0) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      chmodSync(f, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

// Two first commands on a new root race to make the file: switching it to WAL takes an exclusive
// lock that SQLite refuses at once while the other connection reads. The loser tries again until
// the winner's schema is in place.
function migrate(db: Db): void {
  retryBusy(() => migrateOnce(db));
}

function migrateOnce(db: Db): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= MIGRATIONS.length) return;
  // WAL is a property of the file, set once when it is made (each setting costs a write).
  db.pragma('journal_mode = WAL');
  // The check is repeated inside the write lock: two first commands may race to migrate.
  db.transaction(() => {
    const v = db.pragma('user_version', { simple: true }) as number;
    for (let i = v; i < MIGRATIONS.length; i++) db.exec(MIGRATIONS[i]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/**
 * Copies the WAL into the instances file and empties it, giving its room back (best effort: a
 * reader elsewhere keeps it as it is). On a full disk that room becomes the next reserve.
 */
export function truncateWal(db: Db): void {
  try {
    db.pragma('wal_checkpoint(TRUNCATE)');
  } catch { /* busy or no room: the WAL stays, and is reused */ }
}

/** Runs fn in a write transaction taken up front, so read-then-write never races another berth. */
export function tx<T>(db: Db, fn: () => T): T {
  // Retrying is safe only before fn has run: once it has, its error is the answer.
  let began = false;
  const attempt = () =>
    retryBusy(() =>
      db.transaction(() => {
        began = true;
        return fn();
      }).immediate(), () => !began);
  try {
    return attempt();
  } catch (e) {
    // The transaction was rolled back whole: trying it again once the reserve is freed is safe.
    if (!spendReserve(db, e)) throw e;
    began = false;
    return attempt();
  }
}

/**
 * SQLite waits out a busy writer (the connection's busy timeout), but answers some lock conflicts
 * at once with SQLITE_BUSY instead, e.g. while another connection turns a new file to WAL.
 * Those are tried again, for as long as the busy timeout, while `mayRetry` allows.
 */
function retryBusy<T>(attempt: () => T, mayRetry: () => boolean = () => true): T {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (;;) {
    try {
      return attempt();
    } catch (e) {
      const busy = String((e as { code?: unknown } | null)?.code).startsWith('SQLITE_BUSY');
      if (!busy || !mayRetry() || Date.now() > deadline) throw e;
      sleepMs(5 + Math.floor(Math.random() * 20));
    }
  }
}

/** A UNIQUE constraint refused the row: another berth (or an earlier call) holds that value. */
export function isUniqueViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** A UNIQUE constraint or the primary key refused the row. */
export function isKeyViolation(e: unknown): boolean {
  return isUniqueViolation(e) || (typeof e === 'object' && e !== null && (e as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY');
}

/** Rows per table, for checks that an operation left no record behind. */
export function rowCounts(db: Db): Record<string, number> {
  const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>;
  return Object.fromEntries(tables.map((t) => [t.name, (db.prepare(`SELECT count(*) AS n FROM "${t.name}"`).get() as { n: number }).n]));
}
