// The instances file under parallel first use: several berth commands on a new root each open
// (and so create and migrate) the file at once; every one must succeed, none may see a half schema.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DB_MODULE = fileURLToPath(new URL('./db.js', import.meta.url));
const CHILD = `
const { openDb, tx } = await import(process.argv[1]);
const db = openDb(process.argv[2]);
const n = tx(db, () => db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get().n);
db.close();
process.stdout.write(String(n));
`;

function child(root: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--input-type=module', '-e', CHILD, DB_MODULE, root]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('close', (code) => resolve({ code, out, err }));
  });
}

test('six processes opening a new instances file at once all succeed and see the whole schema', async () => {
  const base = mkdtempSync(join(tmpdir(), 'berth-db-'));
  try {
    for (let round = 0; round < 8; round++) {
      const root = join(base, `r${round}`);
      const results = await Promise.all(Array.from({ length: 6 }, () => child(root)));
      for (const r of results) assert.equal(r.code, 0, r.err);
      const counts = new Set(results.map((r) => r.out));
      assert.equal(counts.size, 1, `tables seen: ${[...counts].join(', ')}`);
      assert.ok(Number(results[0]!.out) > 3);
    }
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});
