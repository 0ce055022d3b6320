// The layer unpackers (unpack-pool.ts): a layer follows a blob file while it is written, several
// layers at once, the first on the main thread and the others on workers, with every check of
// unpackLayer made, and every failure reported, the same way on either.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { run } from '../sys/exec.js';
import { makeTar } from './testtar.js';
import { followLayer, unpackers } from './unpack-pool.js';

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

/** A job whose blob is written only at release(): until then it holds its unpacker. */
function held(blob: Buffer, dest: string) {
  const file = join(base, `held-${randomBytes(4).toString('hex')}`);
  const wfd = openSync(file, 'w');
  const rfd = openSync(file, 'r');
  const job = followLayer(rfd, dest);
  return {
    job,
    async release() {
      try {
        writeSync(wfd, blob);
        job.grow(blob.length);
        return await job.finish();
      } finally {
        closeSync(wfd);
        closeSync(rfd);
      }
    },
  };
}

const failure = (p: Promise<unknown>) => p.then(() => assert.fail('expected a failure'), (e: unknown) => e as Error & { kind?: string; code?: string });

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

  it('the first layer unpacks on the main thread, a worker starts only for a second one, and more than the CPUs wait', async () => {
    const cpus = availableParallelism();
    assert.deepEqual({ ...unpackers(), workers: 0 }, { main: false, workers: 0, busyWorkers: 0, queued: 0 });
    const tars = await Promise.all([0, 1, 2].map((i) => makeTar([{ name: `l${i}/f`, body: `layer ${i}\n`.repeat(3000) }])));
    const dests = tars.map((_, i) => newDir(`sched${i}`));
    const first = held(gzipSync(tars[0]!), dests[0]!);
    assert.deepEqual(unpackers().main, true);
    assert.equal(unpackers().busyWorkers, 0, 'no worker while the main thread is free for the first layer');
    const second = held(gzipSync(tars[1]!), dests[1]!);
    assert.equal(unpackers().busyWorkers, cpus >= 2 ? 1 : 0);
    const third = held(gzipSync(tars[2]!), dests[2]!);
    assert.equal(unpackers().busyWorkers, Math.min(2, cpus - 1));
    assert.equal(unpackers().queued, cpus >= 3 ? 0 : 1, 'as many unpackers as CPUs, the main thread one of them');
    assert.ok(unpackers().workers <= Math.max(0, cpus - 1));
    // Released last first: the queued layer takes whichever unpacker comes free.
    const results = (await Promise.all([third.release(), second.release(), first.release()])).reverse();
    results.forEach((r, i) => {
      assert.equal(r.diffId, sha(tars[i]!));
      assert.equal(readFileSync(join(dests[i]!, `l${i}/f`), 'utf8'), `layer ${i}\n`.repeat(3000));
    });
    assert.deepEqual({ ...unpackers(), workers: 0 }, { main: false, workers: 0, busyWorkers: 0, queued: 0 });
  });

  it('BERTH_UNPACK_THREADS=1 unpacks every layer on the main thread, one after another', async () => {
    process.env['BERTH_UNPACK_THREADS'] = '1';
    try {
      const tars = await Promise.all([0, 1].map((i) => makeTar([{ name: `m${i}`, body: randomBytes(70_000) }])));
      const jobs = tars.map((t, i) => held(gzipSync(t), newDir(`one${i}`)));
      assert.equal(unpackers().main, true);
      assert.equal(unpackers().busyWorkers, 0);
      assert.equal(unpackers().queued, 1);
      assert.deepEqual((await Promise.all(jobs.map((j) => j.release()))).map((r) => r.diffId), tars.map(sha));
    } finally {
      delete process.env['BERTH_UNPACK_THREADS'];
    }
  });

  it('a hostile or damaged layer is refused with the same error on the main thread and on a worker', async () => {
    const escape = gzipSync(await makeTar([{ name: 'passwd', type: 'link', linkname: '../../../etc/passwd' }, { name: 'f', body: 'x' }]));
    const damaged = gzipSync(await makeTar([{ name: 'f', body: randomBytes(200_000) }]));
    for (let i = damaged.length >> 1; i < (damaged.length >> 1) + 64; i++) damaged[i] = damaged[i]! ^ 0x5a;
    for (const blob of [escape, damaged]) {
      const onMain = held(blob, newDir('hostile-main'));
      assert.equal(unpackers().main, true);
      const mainErr = await failure(onMain.release());
      // The main thread's unpacker is taken by a layer waiting for its bytes, so the next one goes to a worker.
      const other = await makeTar([{ name: 'ok', body: 'fine' }]);
      const hold = held(gzipSync(other), newDir('hold'));
      const onWorker = held(blob, newDir('hostile-worker'));
      if (availableParallelism() >= 2) assert.equal(unpackers().busyWorkers, 1);
      const [workerErr, fine] = await Promise.all([failure(onWorker.release()), hold.release()]);
      assert.equal(fine.diffId, sha(other));
      assert.deepEqual([workerErr.constructor, workerErr.kind, workerErr.code, workerErr.message], [mainErr.constructor, mainErr.kind, mainErr.code,
        mainErr.message]);
      assert.equal(mainErr.kind, 'Corrupt');
    }
  });

  it('cancel stops a layer on a worker too', async () => {
    const hold = held(gzipSync(await makeTar([{ name: 'ok', body: 'fine' }])), newDir('hold-cancel'));
    const gz = gzipSync(await makeTar([{ name: 'f', body: randomBytes(100_000) }]));
    const file = join(base, 'half-worker');
    const wfd = openSync(file, 'w');
    writeSync(wfd, gz, 0, gz.length >> 1);
    const rfd = openSync(file, 'r');
    const job = followLayer(rfd, newDir('cancel-worker'), gz.length >> 1);
    if (availableParallelism() >= 2) assert.equal(unpackers().busyWorkers, 1);
    await job.cancel();
    await assert.rejects(job.finish(), /cancelled/);
    assert.equal(unpackers().busyWorkers, 0);
    closeSync(wfd);
    closeSync(rfd);
    await hold.release();
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
