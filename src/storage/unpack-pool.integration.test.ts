// The worker-thread unpacker (unpack-pool.ts): a layer follows a blob file while it is written,
// several layers at once, with every check of unpackLayer still made on the worker.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../sys/exec.js';
import { makeTar } from './testtar.js';
import { followLayer } from './unpack-pool.js';

let base: string;
before(() => {
  base = mkdtempSync('/tmp/berth-unpack-pool-');
});
after(() => rmSync(base, { recursive: true, force: true }));

function newDir(name: string): string {
  const d = join(base, `${name}-${randomBytes(4).toString('hex')}`);
  mkdirSync(d, { recursive: true });
  return d;
}

/** Writes `blob` into a file in pieces, telling the job after each one, as the downloader does. */
async function feed(blob: Buffer, dest: string, pieces = 7) {
  const file = join(base, `blob-${randomBytes(4).toString('hex')}`);
  const wfd = openSync(file, 'w');
  const rfd = openSync(file, 'r');
  const job = followLayer(rfd, dest);
  try {
    const step = Math.ceil(blob.length / pieces);
    for (let off = 0; off < blob.length; off += step) {
      writeSync(wfd, blob, off, Math.min(step, blob.length - off));
      job.grow(Math.min(off + step, blob.length));
      await new Promise((r) => setImmediate(r));
    }
    return await job.finish();
  } finally {
    closeSync(wfd);
    closeSync(rfd);
  }
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('followLayer', () => {
  it('unpacks a gzip blob that arrives in pieces; the diff id is the uncompressed tar', async () => {
    const tar = await makeTar([
      { name: './', type: 'directory', mode: 0o755 },
      { name: 'etc/hostname', body: 'box\n', mode: 0o640, uid: 33, gid: 34 },
      { name: 'big', body: randomBytes(300_000) },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' },
      { name: 'bin/ash', type: 'link', linkname: 'etc/hostname' },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666 },
    ]);
    const dest = newDir('gz');
    const r = await feed(gzipSync(tar), dest);
    assert.equal(r.diffId, sha(tar));
    assert.equal(r.size, 4 + 300_000);
    assert.equal(readFileSync(join(dest, 'etc/hostname'), 'utf8'), 'box\n');
    assert.equal(lstatSync(join(dest, 'etc/hostname')).uid, 33);
    assert.equal(lstatSync(join(dest, 'bin/ash')).ino, lstatSync(join(dest, 'etc/hostname')).ino);
    assert.equal(lstatSync(join(dest, 'dev/null')).rdev, lstatSync('/dev/null').rdev);
  });

  it('unpacks a plain tar blob too', async () => {
    const tar = await makeTar([{ name: 'x/y', body: 'plain' }]);
    const dest = newDir('plain');
    assert.equal((await feed(tar, dest)).diffId, sha(tar));
    assert.equal(readFileSync(join(dest, 'x/y'), 'utf8'), 'plain');
  });

  it('refuses a hard link that points out of the layer, and writes nothing outside', async () => {
    const outside = newDir('outside');
    const dest = newDir('escape');
    const tar = await makeTar([
      { name: 'up', type: 'symlink', linkname: '../../..' },
      { name: 'up/pwned', body: 'x' },
      { name: 'passwd', type: 'link', linkname: '../../../etc/passwd' },
    ]);
    await assert.rejects(feed(gzipSync(tar), dest), (e: Error & { code?: string }) => e.code === 'layer.bad_entry' && /hard link "passwd"/.test(e.message));
    assert.deepEqual(readdirSync(outside), []);
    assert.equal(existsSync(join(base, 'pwned')), false);
    // The symlinked parent was followed inside the layer only.
    assert.equal(readFileSync(join(dest, 'pwned'), 'utf8'), 'x');
  });

  it('a blob damaged in the middle fails as a corrupt layer', async () => {
    const gz = gzipSync(await makeTar([{ name: 'f', body: randomBytes(200_000) }]));
    for (let i = gz.length >> 1; i < (gz.length >> 1) + 64; i++) gz[i] = gz[i]! ^ 0x5a;
    await assert.rejects(feed(gz, newDir('bad')), (e: Error & { kind?: string }) => e.kind === 'Corrupt');
  });

  it('cancel stops a layer that is waiting for bytes', async () => {
    const gz = gzipSync(await makeTar([{ name: 'f', body: randomBytes(100_000) }]));
    const file = join(base, 'half');
    const wfd = openSync(file, 'w');
    writeSync(wfd, gz, 0, gz.length >> 1);
    const rfd = openSync(file, 'r');
    const job = followLayer(rfd, newDir('cancel'), gz.length >> 1);
    await new Promise((r) => setTimeout(r, 50));
    await job.cancel();
    await assert.rejects(job.finish(), /cancelled/);
    closeSync(wfd);
    closeSync(rfd);
  });

  it('more layers than CPUs at once, with whiteouts and opaque directories, each give their own tree', async () => {
    const n = availableParallelism() * 2 + 1;
    const layers = await Promise.all(Array.from({ length: n }, async (_, i) => {
      const tar = await makeTar([
        { name: `only${i}/`, type: 'directory', mode: 0o755 },
        { name: `only${i}/file`, body: `layer ${i}\n`.repeat(5000) },
        { name: 'etc/.wh.passwd', body: '' },
        { name: 'var/.wh..wh..opq', body: '' },
        { name: 'var/kept', body: String(i) },
      ]);
      return { tar, dest: newDir(`par${i}`) };
    }));
    const results = await Promise.all(layers.map((l) => feed(gzipSync(l.tar), l.dest, 3)));
    layers.forEach((l, i) => {
      assert.equal(results[i]!.diffId, sha(l.tar));
      assert.deepEqual(readdirSync(l.dest).sort(), ['etc', `only${i}`, 'var']);
      assert.equal(readFileSync(join(l.dest, `only${i}/file`), 'utf8'), `layer ${i}\n`.repeat(5000));
      const wh = lstatSync(join(l.dest, 'etc/passwd'));
      assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'a whiteout is a 0/0 character device');
      assert.equal(run('getfattr', ['--only-values', '-h', '-n', 'trusted.overlay.opaque', join(l.dest, 'var')]).stdout, 'y');
      assert.equal(readFileSync(join(l.dest, 'var/kept'), 'utf8'), String(i));
    });
  });
});
