import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { copyTree } from './copy-tree.js';

function tree(): { src: string; to: string; outside: string; done: () => void } {
  const base = mkdtempSync(join(tmpdir(), 'copy-tree-'));
  const src = join(base, 'src');
  mkdirSync(join(src, 'sub', 'deep'), { recursive: true });
  writeFileSync(join(src, 'top.txt'), 'top\n');
  writeFileSync(join(src, 'sub', 'deep', 'x.sh'), '#!/bin/sh\n');
  chmodSync(join(src, 'sub', 'deep', 'x.sh'), 0o4755);
  writeFileSync(join(src, 'sub', 'open'), 'rw for all\n');
  chmodSync(join(src, 'sub', 'open'), 0o666);
  chmodSync(join(src, 'sub'), 0o750);
  writeFileSync(join(src, 'big'), Buffer.alloc((1 << 20) + 5, 7));
  writeFileSync(join(src, 'secret'), 'excluded\n');
  symlinkSync('../../etc/passwd', join(src, 'link'));
  utimesSync(join(src, 'top.txt'), 1_600_000_000.75, 1_600_000_000.75);
  const to = join(base, 'to');
  mkdirSync(to);
  const outside = join(base, 'outside');
  writeFileSync(outside, 'untouched\n');
  return { src, to, outside, done: () => rmSync(base, { recursive: true, force: true }) };
}

const opts = { exclude: (r: string) => r === 'secret', owner: undefined, mode: undefined };

test('copyTree copies contents, modes, links as links and whole-second times, less excluded paths', () => {
  const t = tree();
  try {
    copyTree(t.src, '', t.to, opts);
    assert.equal(readFileSync(join(t.to, 'top.txt'), 'utf8'), 'top\n');
    assert.equal(lstatSync(join(t.to, 'top.txt')).mtimeMs, 1_600_000_000_000);
    assert.equal(lstatSync(join(t.to, 'sub', 'deep', 'x.sh')).mode & 0o7777, 0o4755);
    assert.equal(lstatSync(join(t.to, 'sub', 'open')).mode & 0o7777, 0o666);
    assert.equal(lstatSync(join(t.to, 'sub')).mode & 0o7777, 0o750);
    assert.ok(readFileSync(join(t.to, 'big')).equals(readFileSync(join(t.src, 'big'))));
    assert.equal(readlinkSync(join(t.to, 'link')), '../../etc/passwd');
    assert.throws(() => lstatSync(join(t.to, 'secret')), { code: 'ENOENT' });
  } finally {
    t.done();
  }
});

test('copyTree replaces a link already at the destination instead of writing through it', () => {
  const t = tree();
  try {
    symlinkSync(t.outside, join(t.to, 'top.txt'));
    symlinkSync(t.outside, join(t.to, 'big'));
    copyTree(t.src, '', t.to, opts);
    assert.equal(readFileSync(t.outside, 'utf8'), 'untouched\n');
    assert.ok(lstatSync(join(t.to, 'top.txt')).isFile());
    assert.ok(lstatSync(join(t.to, 'big')).isFile());
  } finally {
    t.done();
  }
});

test('copyTree applies --chown and --chmod to every entry, the mode not to links', () => {
  const t = tree();
  try {
    copyTree(t.src, '', t.to, { ...opts, owner: { uid: 1234, gid: 5678 }, mode: 0o640 });
    for (const p of ['top.txt', 'sub', 'sub/deep/x.sh', 'big', 'link']) {
      const st = lstatSync(join(t.to, p));
      assert.deepEqual([st.uid, st.gid], [1234, 5678], p);
      if (!st.isSymbolicLink()) assert.equal(st.mode & 0o7777, 0o640, p);
    }
  } finally {
    t.done();
  }
});
