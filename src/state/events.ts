// The events journal: Docker's events, one row each, in the instances file. Every berth process
// (the CLI, conmon's exit callback, berth serve) appends; `events` followers read by rowid.
// Bounded: every PRUNE_EVERY inserts, rows beyond the last KEEP_ROWS or older than KEEP_NS go.
import type { Db } from './db.js';

export interface EventRow {
  rowid: number;
  timeNano: bigint;
  type: string;
  action: string;
  actorId: string;
  attributes: Record<string, string>;
}

export const KEEP_ROWS = 10_000;
const KEEP_NS = 7n * 24n * 3600n * 1_000_000_000n;
const PRUNE_EVERY = 100;

interface RawEvent {
  rowid: number;
  time_nano: bigint;
  type: string;
  action: string;
  actor_id: string;
  attributes: string;
}

const fromRaw = (r: RawEvent): EventRow => ({
  rowid: r.rowid,
  timeNano: BigInt(r.time_nano),
  type: r.type,
  action: r.action,
  actorId: r.actor_id,
  attributes: JSON.parse(r.attributes) as Record<string, string>,
});

/** One INSERT (and, one time in PRUNE_EVERY, one DELETE of what is beyond the bound). */
export function insertEvent(db: Db, e: Omit<EventRow, 'rowid'>): number {
  const rowid = Number(
    db.prepare('INSERT INTO events (time_nano, type, action, actor_id, attributes) VALUES (?, ?, ?, ?, ?)')
      .run(e.timeNano, e.type, e.action, e.actorId, JSON.stringify(e.attributes)).lastInsertRowid,
  );
  if (rowid % PRUNE_EVERY === 0) {
    db.prepare('DELETE FROM events WHERE seq <= ? OR time_nano < ?').run(rowid - KEEP_ROWS, e.timeNano - KEEP_NS);
  }
  return rowid;
}

/** Events after `afterRowid` (0: from the first), oldest first, within [sinceNano, untilNano]. */
export function eventsAfter(db: Db, q: { afterRowid: number; sinceNano?: bigint; untilNano?: bigint; limit?: number }): EventRow[] {
  const rows = db.prepare(
    'SELECT seq AS rowid, time_nano, type, action, actor_id, attributes FROM events WHERE seq > ? AND time_nano >= ? AND time_nano <= ? ORDER BY seq LIMIT ?',
  ).safeIntegers(true).all(q.afterRowid, q.sinceNano ?? 0n, q.untilNano ?? 2n ** 63n - 1n, q.limit ?? 1000) as RawEvent[];
  return rows.map((r) => fromRaw({ ...r, rowid: Number(r.rowid) }));
}

/** The newest event's rowid (0 when none): a follower that wants only new events starts here. */
export function lastEventRowid(db: Db): number {
  const r = db.prepare('SELECT max(seq) AS n FROM events').get() as { n: number | null };
  return r.n ?? 0;
}
