import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../sys/exec.js';
import { makeTar, type TarEntry } from './testtar.js';
import { unpackLayer } from './unpack.js';

let base: string;
let sentinel: string;

before(() => {
  base = mkdtempSync('/tmp/berth-unpack-');
  // Everything hostile aims at this directory; the tests check it stays empty.
  sentinel = join(base, 'outside');
  mkdirSync(sentinel);
});
after(() => rmSync(base, { recursive: true, force: true }));

function newDest(): string {
  const d = join(base, `dest-${randomBytes(4).toString('hex')}`, 'a', 'b');
  mkdirSync(d, { recursive: true });
  return d;
}

async function unpack(entries: TarEntry[], dest: string) {
  return unpackLayer(Readable.from(await makeTar(entries)), dest);
}

function assertSentinelEmpty() {
  assert.deepEqual(readdirSync(sentinel), []);
  // The parents of dest must not have grown anything either.
  for (const p of [join(base, 'etc'), join(base, 'x'), join(base, 'pwned'), '/abs', '/tmp/berth-pwned-x']) assert.equal(existsSync(p), false, p);
}

describe('unpackLayer', () => {
  it('writes regular content with metadata and returns the diff id of the tar bytes', async () => {
    const dest = newDest();
    const entries: TarEntry[] = [
      { name: './', type: 'directory', mode: 0o755 },
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/hostname', body: 'box\n', mode: 0o640, uid: 33, gid: 34, mtime: new Date('2020-01-02T03:04:05Z') },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 1, gid: 1 },
      { name: 'bin/busybox', body: 'ELF', mode: 0o4755 },
      { name: 'bin/ash', type: 'link', linkname: 'bin/busybox' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
    ];
    const buf = await makeTar(entries);
    const r = await unpackLayer(Readable.from(buf), dest);
    assert.equal(r.diffId, `sha256:${createHash('sha256').update(buf).digest('hex')}`);
    assert.equal(r.size, 4 + 3);
    assert.equal(readFileSync(join(dest, 'etc/hostname'), 'utf8'), 'box\n');
    const st = lstatSync(join(dest, 'etc/hostname'));
    assert.equal(st.mode & 0o7777, 0o640);
    assert.equal(st.uid, 33);
    assert.equal(st.gid, 34);
    assert.equal(st.mtime.toISOString(), '2020-01-02T03:04:05.000Z');
    assert.equal(readlinkSync(join(dest, 'bin/sh')), '/bin/busybox');
    assert.equal(lstatSync(join(dest, 'bin/sh')).uid, 1);
    assert.equal(lstatSync(join(dest, 'bin/busybox')).mode & 0o7777, 0o4755);
    assert.equal(lstatSync(join(dest, 'bin/ash')).ino, lstatSync(join(dest, 'bin/busybox')).ino);
    const dev = lstatSync(join(dest, 'dev/null'));
    assert.ok(dev.isCharacterDevice());
    assert.equal(dev.rdev, (1 << 8) | 3);
    assert.ok(lstatSync(join(dest, 'run/fifo')).isFIFO());
    assert.equal(lstatSync(dest).mode & 0o777, 0o755);
  });

  it('converts OCI whiteouts to overlayfs whiteouts', async () => {
    const dest = newDest();
    await unpack([
      { name: 'etc/', type: 'directory', mode: 0o755 },
      { name: 'etc/.wh.motd', body: '' },
      { name: 'var/cache/.wh..wh..opq', body: '' },
      { name: 'var/cache/new', body: 'n' },
    ], dest);
    const wh = lstatSync(join(dest, 'etc/motd'));
    assert.ok(wh.isCharacterDevice());
    assert.equal(wh.rdev, 0);
    assert.equal(existsSync(join(dest, 'etc/.wh.motd')), false);
    const x = run('getfattr', ['-h', '--only-values', '-n', 'trusted.overlay.opaque', join(dest, 'var/cache')]);
    assert.equal(x.stdout, 'y');
    assert.equal(existsSync(join(dest, 'var/cache/.wh..wh..opq')), false);
    assert.equal(readFileSync(join(dest, 'var/cache/new'), 'utf8'), 'n');
  });

  it('refuses whiteouts that name . or ..', async () => {
    for (const name of ['.wh..', '.wh...', 'sub/.wh...']) {
      const dest = newDest();
      writeFileSync(join(dest, 'keep'), 'k');
      await assert.rejects(unpack([{ name, body: '' }], dest), { code: 'layer.bad_entry' }, name);
      assert.equal(readFileSync(join(dest, 'keep'), 'utf8'), 'k');
      assert.ok(lstatSync(join(dest, '..')).isDirectory());
    }
  });

  it('keeps ../ and absolute names inside dest', async () => {
    const dest = newDest();
    await unpack([
      { name: '../../etc/x', body: 'dotdot' },
      { name: '/abs/x', body: 'abs' },
      { name: '../../../../../../../outside/y', body: 'deep' },
    ], dest);
    assert.equal(readFileSync(join(dest, 'etc/x'), 'utf8'), 'dotdot');
    assert.equal(readFileSync(join(dest, 'abs/x'), 'utf8'), 'abs');
    assert.equal(readFileSync(join(dest, 'outside/y'), 'utf8'), 'deep');
    assertSentinelEmpty();
  });

  it('follows parent symlinks inside dest only', async () => {
    const dest = newDest();
    await unpack([
      { name: 'evil', type: 'symlink', linkname: sentinel },
      { name: 'evil/pwned', body: 'p1' },
      { name: 'rel', type: 'symlink', linkname: '../../../../../../..' + sentinel },
      { name: 'rel/pwned2', body: 'p2' },
      { name: 'up', type: 'symlink', linkname: '../../..' },
      { name: 'up/x', body: 'p3' },
      { name: 'loop', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: '/loop' },
    ], dest);
    assertSentinelEmpty();
    assert.equal(readFileSync(join(dest, sentinel, 'pwned'), 'utf8'), 'p1');
    assert.equal(readFileSync(join(dest, sentinel, 'pwned2'), 'utf8'), 'p2');
    assert.equal(readFileSync(join(dest, 'x'), 'utf8'), 'p3');
    // The links themselves are kept as written.
    assert.equal(readlinkSync(join(dest, 'evil')), sentinel);
    await assert.rejects(unpack([
      { name: 'loop', type: 'symlink', linkname: 'loop2' },
      { name: 'loop2', type: 'symlink', linkname: '/loop' },
      { name: 'loop/x', body: 'z' },
    ], newDest()), { code: 'layer.bad_entry' });
    assertSentinelEmpty();
  });

  it('does not touch directory times through a symlink that replaced a directory', async () => {
    const dest = newDest();
    const victim = join(sentinel, 'times');
    mkdirSync(victim);
    try {
      const before = lstatSync(victim).mtimeMs;
      await unpack([
        { name: 'd/', type: 'directory', mode: 0o755 },
        { name: 'd/times/', type: 'directory', mode: 0o755, mtime: new Date(0) },
        { name: 'd', type: 'symlink', linkname: sentinel },
      ], dest);
      assert.equal(lstatSync(victim).mtimeMs, before);
      assert.equal(readlinkSync(join(dest, 'd')), sentinel);
    } finally {
      rmSync(victim, { recursive: true });
    }
  });

  it('never writes through a symlink at the final component', async () => {
    const dest = newDest();
    const victim = join(sentinel, 'victim');
    await unpack([
      { name: 'f', type: 'symlink', linkname: victim },
      { name: 'f', body: 'overwrite' },
    ], dest);
    assert.equal(existsSync(victim), false);
    assert.ok(lstatSync(join(dest, 'f')).isFile());
    assertSentinelEmpty();
  });

  it('resolves hard links inside dest and refuses missing targets', async () => {
    const outsideFile = join(base, 'x');
    writeFileSync(join(sentinel, 'secret'), 'secret');
    try {
      const dest = newDest();
      await unpack([
        { name: 'x', body: 'inside' },
        { name: 'h1', type: 'link', linkname: '../../x' },
      ], dest);
      assert.equal(lstatSync(join(dest, 'h1')).ino, lstatSync(join(dest, 'x')).ino);
      await assert.rejects(unpack([{ name: 'h', type: 'link', linkname: '/etc/passwd' }], newDest()), { code: 'layer.bad_entry' });
      await assert.rejects(unpack([
        { name: 'evil', type: 'symlink', linkname: sentinel },
        { name: 'h', type: 'link', linkname: 'evil/secret' },
      ], newDest()), { code: 'layer.bad_entry' });
      assert.equal(lstatSync(join(sentinel, 'secret')).nlink, 1);
      assert.equal(existsSync(outsideFile), false);
    } finally {
      rmSync(join(sentinel, 'secret'));
    }
    assertSentinelEmpty();
  });

  it('rejects a truncated archive with a corrupt error', async () => {
    const buf = await makeTar([{ name: 'big', body: Buffer.alloc(10_000, 1) }]);
    await assert.rejects(unpackLayer(Readable.from(buf.subarray(0, 3000)), newDest()), { kind: 'Corrupt' });
  });
});
