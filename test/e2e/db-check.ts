// The instances file passes SQLite's own integrity check: what every bad-disk test asks after a
// failure it provoked.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export function integrityOk(root: string): void {
  const db = new Database(join(root, 'berth.db'), { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
}
