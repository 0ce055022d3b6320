// The unpacker remembers the directories it made (dir-cache.ts) so parents cost no lstat; these
// are the orders in which a hostile layer replaces a remembered directory and then writes under
// it. Each must resolve exactly as a fresh lstat walk would: inside dest, never through a stale
// entry, never outside.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { makeTar, type TarEntry } from './testtar.js';
import { unpackLayer } from './unpack.js';

let base: string;
let sentinel: string;
// What a broken resolver would write at the host's `/` is named so that nothing else has it, and
// removed afterwards: a failing run of these tests must not leave files in the host's /etc or /lib.
const probe = `berth-unpack-probe-${randomBytes(4).toString('hex')}`;

before(() => {
  base = mkdtempSync('/tmp/berth-unpack-cache-');
  sentinel = join(base, 'outside');
  mkdirSync(sentinel);
});
after(() => {
  rmSync(base, { recursive: true, force: true });
  for (const p of [`/${probe}`, `/${probe}-up`]) rmSync(p, { recursive: true, force: true });
});

function newDest(): string {
  const d = join(base, `dest-${randomBytes(4).toString('hex')}`, 'a', 'b');
  mkdirSync(d, { recursive: true });
  return d;
}

async function unpack(entries: TarEntry[], dest: string) {
  return unpackLayer(Readable.from(await makeTar(entries)), dest);
}

describe('unpackLayer with remembered directories', () => {
  it('follows a symlink that replaced a remembered directory, inside dest only', async () => {
    const dest = newDest();
    await unpack([
      { name: 'dir/', type: 'directory', mode: 0o755 },
      { name: 'dir/first', body: '1' },
      { name: 'dir', type: 'symlink', linkname: sentinel },
      { name: 'dir/second', body: '2' },
    ], dest);
    assert.deepEqual(readdirSync(sentinel), []);
    assert.equal(readlinkSync(join(dest, 'dir')), sentinel);
    assert.equal(readFileSync(join(dest, sentinel, 'second'), 'utf8'), '2');
    assert.equal(existsSync(join(dest, sentinel, 'first')), false);
  });

  it('resolves a file under a remembered directory replaced by a symlink to / at dest', async () => {
    const dest = newDest();
    await unpack([
      { name: `usr/${probe}/`, type: 'directory', mode: 0o755 },
      { name: `usr/${probe}/keep`, body: 'k' },
      { name: 'usr', type: 'symlink', linkname: '/' },
      { name: `usr/${probe}/x`, body: 'x' },
      { name: `usr/${probe}/etc/y`, body: 'y' },
    ], dest);
    assert.equal(readFileSync(join(dest, probe, 'x'), 'utf8'), 'x');
    assert.equal(readFileSync(join(dest, probe, 'etc/y'), 'utf8'), 'y');
    assert.equal(existsSync(`/${probe}`), false);
    assert.equal(existsSync(join(dest, probe, 'keep')), false);
  });

  it('follows .. in a symlink that replaced a remembered nested directory, never above dest', async () => {
    const dest = newDest();
    await unpack([
      { name: 'top/mid/', type: 'directory', mode: 0o755 },
      { name: 'top/mid/f', body: 'f' },
      { name: 'top/mid', type: 'symlink', linkname: '../../../../../..' },
      { name: `top/mid/${probe}-up`, body: 'u' },
      { name: 'top', type: 'symlink', linkname: `../../../../..${sentinel}` },
      { name: 'top/mid/../far', body: 'z' },
    ], dest);
    assert.equal(readFileSync(join(dest, `${probe}-up`), 'utf8'), 'u');
    assert.equal(existsSync(`/${probe}-up`), false);
    assert.equal(readFileSync(join(dest, sentinel, 'far'), 'utf8'), 'z');
    assert.deepEqual(readdirSync(sentinel), []);
    assert.equal(existsSync(join(base, `${probe}-up`)), false);
  });

  it('refuses a file under a remembered directory replaced by a file, a hard link or a whiteout', async () => {
    for (const replacement of [
      { name: 'dir', body: 'now a file' },
      { name: 'dir', type: 'link' as const, linkname: 'plain' },
      { name: '.wh.dir', body: '' },
    ]) {
      await assert.rejects(unpack([
        { name: 'plain', body: 'p' },
        { name: 'dir/sub/', type: 'directory', mode: 0o755 },
        { name: 'dir/sub/a', body: 'a' },
        replacement,
        { name: 'dir/sub/b', body: 'b' },
      ], newDest()), { code: 'layer.bad_entry' }, replacement.name);
    }
  });

  it('makes a remembered directory anew after it was replaced, with only the new content', async () => {
    const dest = newDest();
    await unpack([
      { name: 'dir/', type: 'directory', mode: 0o755 },
      { name: 'dir/old', body: 'o' },
      { name: 'dir', type: 'symlink', linkname: sentinel },
      { name: 'dir/', type: 'directory', mode: 0o711 },
      { name: 'dir/new', body: 'n' },
    ], dest);
    const st = lstatSync(join(dest, 'dir'));
    assert.ok(st.isDirectory());
    assert.equal(st.mode & 0o777, 0o711);
    assert.deepEqual(readdirSync(join(dest, 'dir')), ['new']);
    assert.deepEqual(readdirSync(sentinel), []);
  });

  it('refuses a hard link out through a symlink that replaced a remembered directory', async () => {
    writeFileSync(join(sentinel, 'secret'), 'secret');
    try {
      await assert.rejects(unpack([
        { name: 'dir/', type: 'directory', mode: 0o755 },
        { name: 'dir/secret', body: 'inside' },
        { name: 'dir', type: 'symlink', linkname: sentinel },
        { name: 'h', type: 'link', linkname: 'dir/secret' },
      ], newDest()), { code: 'layer.bad_entry' });
      assert.equal(lstatSync(join(sentinel, 'secret')).nlink, 1);
    } finally {
      rmSync(join(sentinel, 'secret'));
    }
  });

  it('forgets only the replaced directory: its siblings stay usable', async () => {
    const dest = newDest();
    await unpack([
      { name: 'p/one/', type: 'directory', mode: 0o755 },
      { name: 'p/two/', type: 'directory', mode: 0o755 },
      { name: 'p/one', type: 'symlink', linkname: 'two' },
      { name: 'p/one/via', body: 'v' },
      { name: 'p/two/direct', body: 'd' },
    ], dest);
    assert.deepEqual(readdirSync(join(dest, 'p/two')).sort(), ['direct', 'via']);
  });

  it("takes dest however it is spelt: a trailing slash or a relative path (the builder's ADD passes root/)", async () => {
    for (const spelt of [(d: string) => `${d}/`, (d: string) => `${d}//`, (d: string) => relative(process.cwd(), d)]) {
      const dest = newDest();
      await unpack([
        { name: 'usr/', type: 'directory', mode: 0o755 },
        { name: 'usr/bin/', type: 'directory', mode: 0o755 },
        { name: 'usr/bin/tool', body: 't' },
        { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
        { name: 'bin/other', body: 'o' },
      ], spelt(dest));
      assert.equal(readFileSync(join(dest, 'usr/bin/tool'), 'utf8'), 't');
      assert.equal(readFileSync(join(dest, 'usr/bin/other'), 'utf8'), 'o');
    }
  });
});
