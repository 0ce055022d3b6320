import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import Database from 'better-sqlite3';
import { openDb } from './db.js';
import { integrityProblems, neededBlobDigests, recordedLayers, reindex } from './check.js';

test('integrity_check finds an index that disagrees with its table, and REINDEX mends it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-check-'));
  try {
    const file = join(dir, 'x.db');
    const raw = new Database(file);
    raw.exec('CREATE TABLE t (a TEXT, b TEXT); CREATE INDEX t_i ON t(a);');
    const ins = raw.prepare('INSERT INTO t VALUES (?, ?)');
    for (let i = 0; i < 50; i++) ins.run(`a${i}`, `b${49 - i}`);
    assert.deepEqual(integrityProblems(raw as never), []);
    // One key inside the index's page is changed on disk: the index now contradicts its table.
    const root = (raw.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 't_i'").get() as { rootpage: number }).rootpage;
    const pageSize = raw.pragma('page_size', { simple: true }) as number;
    raw.close();
    const bytes = readFileSync(file);
    const page = bytes.subarray((root - 1) * pageSize, root * pageSize);
    const at = page.indexOf('a17');
    assert.ok(at > 0, 'the key is in the index page');
    page.write('a99', at);
    writeFileSync(file, bytes);
    const db = new Database(file);
    assert.ok(integrityProblems(db).length > 0, 'the damage is reported');
    reindex(db);
    assert.deepEqual(integrityProblems(db as never), []);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the blobs and layers the image records need', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-check-'));
  try {
    const db = openDb(dir);
    db.prepare("INSERT INTO images (id, manifest_digest, config, layers, size, created) VALUES ('sha256:c', 'sha256:m', '{}', '[\"sha256:d\"]', 1, 'now')")
      .run();
    db.prepare("INSERT INTO layers (diff_id, blob_digest, size) VALUES ('sha256:d', 'sha256:z', 1)").run();
    assert.deepEqual([...neededBlobDigests(db)].sort(), ['sha256:c', 'sha256:m', 'sha256:z']);
    assert.deepEqual([...recordedLayers(db)], ['sha256:d']);
    db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
