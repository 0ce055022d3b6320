import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb } from './db.js';
import { eventsAfter, insertEvent, KEEP_ROWS, lastEventRowid } from './events.js';

test('the journal is read by rowid, bounded, and its rowids never go back after pruning', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-events-'));
  const db = openDb(root);
  try {
    assert.equal(lastEventRowid(db), 0);
    const t0 = BigInt(Date.now()) * 1_000_000n;
    const ev = (i: number) => ({ timeNano: t0 + BigInt(i), type: 'container', action: `a${i}`, actorId: 'x', attributes: { n: String(i) } });
    db.transaction(() => {
      for (let i = 1; i <= KEEP_ROWS + 150; i++) insertEvent(db, ev(i));
    })();
    const last = lastEventRowid(db);
    assert.equal(last, KEEP_ROWS + 150);
    // Pruned at the last multiple of 100: everything up to 100 rows back of it is gone.
    const first = eventsAfter(db, { afterRowid: 0, limit: 1 })[0]!;
    assert.equal(first.rowid, KEEP_ROWS + 100 - KEEP_ROWS + 1);
    assert.equal(first.timeNano, t0 + BigInt(first.rowid));
    assert.deepEqual(first.attributes, { n: String(first.rowid) });
    const page = eventsAfter(db, { afterRowid: last - 3, limit: 10 });
    assert.deepEqual(page.map((e) => e.action), [`a${last - 2}`, `a${last - 1}`, `a${last}`]);
    assert.deepEqual(eventsAfter(db, { afterRowid: 0, sinceNano: t0 + BigInt(last), limit: 10 }).map((e) => e.rowid), [last]);
    // A week-old event goes at the next prune, and rowids go on from where they were.
    db.prepare('DELETE FROM events').run();
    assert.equal(insertEvent(db, ev(1)), last + 1);
  } finally {
    db.close();
    rmSync(root, { recursive: true, force: true });
  }
});
