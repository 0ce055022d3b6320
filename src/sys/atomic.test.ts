import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stageFileAtomic, writeFileAtomic } from './atomic.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'berth-atomic-'));
}

test('writeFileAtomic replaces the file and leaves no temporary file', () => {
  const d = tempDir();
  try {
    const p = join(d, 'config.json');
    writeFileSync(p, 'old');
    writeFileAtomic(p, 'new\n');
    assert.equal(readFileSync(p, 'utf8'), 'new\n');
    assert.deepEqual(readdirSync(d), ['config.json']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('writeFileAtomic applies the mode exactly, whatever the umask', () => {
  const d = tempDir();
  const old = process.umask(0o077);
  try {
    const p = join(d, 'hosts');
    writeFileAtomic(p, Buffer.from('x'), { mode: 0o644 });
    assert.equal(statSync(p).mode & 0o777, 0o644);
    writeFileAtomic(join(d, 'auth.json'), '{}', { mode: 0o600 });
    assert.equal(statSync(join(d, 'auth.json')).mode & 0o777, 0o600);
  } finally {
    process.umask(old);
    rmSync(d, { recursive: true, force: true });
  }
});

test('writeFileAtomic makes the directory when asked, and fails cleanly when it is missing', () => {
  const d = tempDir();
  try {
    const p = join(d, 'a', 'b', 'f');
    assert.throws(() => writeFileAtomic(p, 'x'), { code: 'ENOENT' });
    writeFileAtomic(p, 'x', { mkdirMode: 0o700 });
    assert.equal(readFileSync(p, 'utf8'), 'x');
    assert.equal(statSync(join(d, 'a')).mode & 0o777, 0o700);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('writeFileAtomic removes its temporary file when the rename fails', () => {
  const d = tempDir();
  try {
    // A non-empty directory under the name: rename(2) refuses to replace it.
    const p = join(d, 'target');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), '');
    assert.throws(() => writeFileAtomic(p, 'x'), (e: NodeJS.ErrnoException) => e.code === 'EISDIR' || e.code === 'ENOTEMPTY');
    assert.deepEqual(readdirSync(d), ['target']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('stageFileAtomic: the old file stays until commit, abort leaves it, and neither leaves a temporary file', async () => {
  const d = tempDir();
  try {
    const p = join(d, 'berth.json');
    writeFileSync(p, 'old');
    const kept = stageFileAtomic(p, 'not wanted', { mode: 0o600 });
    assert.equal(readFileSync(p, 'utf8'), 'old', 'staged, not named');
    assert.equal(readdirSync(d).length, 2);
    await kept.abort();
    assert.equal(readFileSync(p, 'utf8'), 'old');
    assert.deepEqual(readdirSync(d), ['berth.json']);
    const staged = stageFileAtomic(p, 'new', { mode: 0o600 });
    await staged.commit();
    assert.equal(readFileSync(p, 'utf8'), 'new');
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(d), ['berth.json']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('writeFileAtomic with durable: false still replaces the file whole', () => {
  const d = tempDir();
  try {
    const p = join(d, 'config.json');
    writeFileSync(p, 'old');
    writeFileAtomic(p, 'new', { durable: false });
    assert.equal(readFileSync(p, 'utf8'), 'new');
    assert.deepEqual(readdirSync(d), ['config.json']);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
