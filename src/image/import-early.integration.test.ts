// Layers unpacked while the archive is read (early-layer.ts): committed only under a checked diff
// id, and nothing of them left when the archive lies, is cut short, or holds blobs no image uses.
// The layers here are over 64 KiB compressed (random bytes), so they take the early path.
import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDb, rowCounts, type Db } from '../state/db.js';
import { imageContextOf } from '../engine/parts.js';
import { makeTar } from '../storage/testtar.js';
import { stageArchive } from './archive.js';
import { discardAll, type EarlyLayer } from './early-layer.js';
import { importImage, loadImages } from './import.js';
import { resolveImage } from './images.js';
import { imageStore } from '../state/image-store.js';
import { layerDir, makeStaging, sha256 } from './store.js';
import { run } from '../sys/exec.js';
import { dockerArchive, ociArchive, type TestImage } from '../../test/image-kit.js';

const tmp = mkdtempSync('/tmp/berth-import-early-');
after(() => rmSync(tmp, { recursive: true, force: true }));

let root: string;
let db: Db;
let n = 0;
beforeEach(() => {
  root = join(tmp, `root${n++}`);
  db = openDb(root);
});
afterEach(() => db.close());

const bigA = randomBytes(300 << 10);
const bigB = randomBytes(200 << 10);
const base: TestImage['layers'][number] = [{ name: 'bin/', type: 'directory', mode: 0o755 }, { name: 'bin/big', body: bigA, mode: 0o755 }];
const top: TestImage['layers'][number] = [{ name: 'etc/data', body: bigB }];

function file(name: string, data: Buffer): string {
  const p = join(tmp, `${n}-${name}`);
  writeFileSync(p, data);
  return p;
}

function storeContents() {
  const ls = (d: string) => (existsSync(d) ? readdirSync(d).sort() : []);
  return { blobs: ls(join(root, 'blobs/sha256')), layers: ls(join(root, 'layers')), images: rowCounts(db)['images'], tmp: ls(join(root, 'tmp')) };
}
const EMPTY = { blobs: [], layers: [], images: 0, tmp: [] };

describe('layers unpacked while the archive is read', () => {
  it('starts on the layer entries only, and leaves nothing when dropped', async () => {
    const archive = file('s.tar', await ociArchive({ layers: [base, top] }, 'localhost/s:1'));
    const staging = makeStaging(root);
    const open: EarlyLayer[] = [];
    const c = await stageArchive(archive, staging, { ctx: imageContextOf(db, root), open });
    const early = [...c.files.values()].filter((f) => f.early !== undefined);
    assert.equal(early.length, 2, 'the two layer blobs, not the config, manifest or index');
    assert.equal(open.length, 2);
    assert.ok(readdirSync(join(root, 'layers')).every((d) => d.startsWith('.tmp-')));
    await discardAll(open);
    assert.deepEqual(readdirSync(join(root, 'layers')), []);
    rmSync(staging, { recursive: true });
  });

  for (const [format, make] of [['oci', () => ociArchive({ layers: [base, top] }, 'localhost/big:1')], ['docker',
    () => dockerArchive({ layers: [base, top] }, ['localhost/big:1'])]] as const)
  {
    it(`loads a ${format} archive whose index comes after its layers, from the file and from stdin`, async () => {
      const archive = file('big.tar', await make());
      const [s] = await loadImages(imageContextOf(db, root), archive);
      assert.equal(`${s!.repository}:${s!.tag}`, 'localhost/big:1');
      const img = resolveImage(imageStore(db), 'big:1');
      assert.deepEqual(readFileSync(join(layerDir(root, img.layers[0]!), 'bin/big')), bigA);
      assert.deepEqual(readFileSync(join(layerDir(root, img.layers[1]!), 'etc/data')), bigB);
      assert.equal(img.layers[0], sha256(await makeTar(base)));
      assert.deepEqual(storeContents().layers, img.layers.map((l) => l.slice(7)).sort(), 'no temp directory is left');
      assert.deepEqual(storeContents().tmp, []);
      // stdin: streamed straight into the store, never copied to a file first.
      const other = join(tmp, `stdin-${format}`);
      const code = `const { loadImages } = await import(${JSON.stringify(new URL('./import.js', import.meta.url).href)});
        const { openDb } = await import(${JSON.stringify(new URL('../state/db.js', import.meta.url).href)});
        const { imageContextOf } = await import(${JSON.stringify(new URL('../engine/parts.js', import.meta.url).href)});
        const db = openDb(${JSON.stringify(other)});
        const [s] = await loadImages(imageContextOf(db, ${JSON.stringify(other)}), '-');
        process.stdout.write(s.id);`;
      for (const data of [readFileSync(archive), gzipSync(readFileSync(archive))]) {
        rmSync(other, { recursive: true, force: true });
        assert.equal(run(process.execPath, ['--input-type=module', '-e', code], { input: data }).stdout, img.id);
        assert.deepEqual(readdirSync(join(other, 'layers')).sort(), img.layers.map((l) => l.slice(7)).sort());
      }
    });
  }

  it('loads a manifest that lists one layer blob twice', async () => {
    const [s] = await loadImages(imageContextOf(db, root), file('twice.tar', await ociArchive({ layers: [base, base] }, 'localhost/twice:1')));
    assert.equal(resolveImage(imageStore(db), s!.id).layers.length, 2);
    assert.deepEqual(storeContents().layers, [sha256(await makeTar(base)).slice(7)]);
  });

  it('drops what it unpacked of a blob no image uses', async () => {
    const extra = gzipSync(await makeTar([{ name: 'stray', body: randomBytes(100 << 10) }]));
    const archive = file('x.tar', await ociArchive({ layers: [base] }, 'localhost/x:1', (files) => files.set(`blobs/sha256/${sha256(extra).slice(7)}`, extra)));
    await importImage(imageContextOf(db, root), archive);
    assert.equal(storeContents().layers.length, 1);
    assert.equal(storeContents().blobs.length, 3, 'config, manifest, the one layer: not the stray blob');
  });

  it('refuses diff ids that lie, and leaves nothing it unpacked early', async () => {
    const lying = await ociArchive({ layers: [base, top], diffIds: [sha256(await makeTar(base)), sha256('not the layer')] }, 'localhost/lie:1');
    await assert.rejects(loadImages(imageContextOf(db, root), file('lie.tar', lying)), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'image.corrupt');
      assert.match(e.message, /has diff id/);
      return true;
    });
    assert.deepEqual(storeContents(), EMPTY);
  });

  it('refuses a layer blob that does not match its digest, and an archive cut inside a layer, leaving nothing', async () => {
    const bad = await ociArchive({ layers: [base, top] }, 'localhost/bad:1', (files) => {
      for (const [k, v] of files)
        if (k.startsWith('blobs/') && v[0] === 0x1f) files.set(k, Buffer.concat([v.subarray(0, 1000), Buffer.alloc(64), v.subarray(1064)]));
    });
    await assert.rejects(loadImages(imageContextOf(db, root), file('bad.tar', bad)), { code: 'image.corrupt' });
    assert.deepEqual(storeContents(), EMPTY);
    const whole = await ociArchive({ layers: [base, top] }, 'localhost/cut:1');
    for (const cut of [0.3, 0.7]) {
      await assert.rejects(loadImages(imageContextOf(db, root), file('cut.tar', whole.subarray(0, Math.floor(whole.length * cut)))), { code: 'image.corrupt' });
      assert.deepEqual(storeContents(), EMPTY, `cut at ${cut}`);
    }
  });

  it('refuses a hostile layer unpacked on the main thread (the first one) or after it, leaving nothing', async () => {
    // Files first, so the refusal comes with the layer's directory half made.
    const hostile: TestImage['layers'][number] = [{ name: 'big', body: randomBytes(100 << 10) }, { name: 'passwd', type: 'link',
      linkname: '../../../etc/passwd' }];
    for (const layers of [[hostile, top], [base, hostile]]) {
      await assert.rejects(loadImages(imageContextOf(db, root), file('hostile.tar', await ociArchive({ layers }, 'localhost/hostile:1'))),
        (e: Error & { code?: string }) => e.code === 'image.corrupt' && /hard link "passwd"/.test(e.message));
      assert.deepEqual(storeContents(), EMPTY);
    }
  });

  it('imports a big root filesystem tarball unpacked while it is copied, under the diff id it hashed', async () => {
    const tarball = await makeTar(base);
    for (const data of [tarball, gzipSync(tarball)]) {
      const s = await importImage(imageContextOf(db, root), file('rootfs.tar', data), `localhost/rootfs:${data === tarball ? 'plain' : 'gz'}`);
      const img = resolveImage(imageStore(db), s.id);
      assert.equal(img.layers[0], sha256(tarball));
      assert.deepEqual(readFileSync(join(layerDir(root, img.layers[0]), 'bin/big')), bigA);
      assert.deepEqual(storeContents().layers, [sha256(tarball).slice(7)]);
    }
  });
});
