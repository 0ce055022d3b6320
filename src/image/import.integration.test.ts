import { after, afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, utimesSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openDb, rowCounts, type Db } from '../state/db.js';
import { imageStore } from '../state/image-store.js';
import { insertContainer } from '../state/containers.js';
import { imageContextOf } from '../engine/parts.js';
import { makeTar } from '../storage/testtar.js';
import { importImage } from './import.js';
import { imageConfig, imageLayerDirs, inspectImage, listImages, removeImage, resolveImage } from './images.js';
import { sha256, sweepStale } from './store.js';
import { run } from '../sys/exec.js';
import { dockerArchive, ociArchive, type TestImage } from '../../test/image-kit.js';

const tmp = mkdtempSync('/tmp/berth-import-');
after(() => rmSync(tmp, { recursive: true, force: true }));

let root: string;
let db: Db;
let n = 0;

beforeEach(() => {
  root = join(tmp, `root${n++}`);
  db = openDb(root);
});
afterEach(() => db.close());

function file(name: string, data: Buffer): string {
  const p = join(tmp, `${n}-${name}`);
  writeFileSync(p, data);
  return p;
}

const base: TestImage['layers'][number] = [
  { name: 'bin/', type: 'directory', mode: 0o755 },
  { name: 'bin/sh', body: '#!fake', mode: 0o755 },
  { name: 'etc/motd', body: 'base' },
];
const top: TestImage['layers'][number] = [
  { name: 'etc/.wh.motd', body: '' },
  { name: 'etc/app', body: 'app' },
];

/** Every blob, layer directory and record under root, so "nothing left behind" is one comparison. */
function storeContents() {
  const ls = (d: string) => (existsSync(d) ? readdirSync(d) : []);
  return {
    blobs: ls(join(root, 'blobs/sha256')),
    layers: ls(join(root, 'layers')),
    images: { n: rowCounts(db)['images'] },
    tags: { n: rowCounts(db)['tags'] },
    layerRows: { n: rowCounts(db)['layers'] },
  };
}
const EMPTY = { blobs: [], layers: [], images: { n: 0 }, tags: { n: 0 }, layerRows: { n: 0 } };

describe('importImage', () => {
  it('imports an OCI archive: blobs, shared layer dirs, records, config', async () => {
    const archive = file('oci.tar',
      await ociArchive({ layers: [base, top], config: { Cmd: ['sh'], Env: ['A=1'], ExposedPorts: { '80/tcp': {} } } }, 'localhost/app:1'));
    const s = await importImage(imageContextOf(db, root), archive);
    assert.equal(s.repository, 'localhost/app');
    assert.equal(s.tag, '1');
    assert.match(s.id, /^sha256:[a-f0-9]{64}$/);
    assert.equal(s.size, 6 + 4 + 3);
    const img = resolveImage(imageStore(db), 'app:1');
    assert.equal(img.id, s.id);
    assert.deepEqual(img.repoTags, ['localhost/app:1']);
    const dirs = imageLayerDirs(root, img);
    assert.equal(dirs.length, 2);
    // Uppermost first: the top layer holds the whiteout.
    assert.ok(lstatSync(join(dirs[0]!, 'etc/motd')).isCharacterDevice());
    assert.equal(readFileSync(join(dirs[1]!, 'etc/motd'), 'utf8'), 'base');
    assert.equal(lstatSync(dirs[1]!).mode & 0o777, 0o755);
    assert.equal(readdirSync(join(root, 'blobs/sha256')).length, 4);
    assert.deepEqual(imageConfig(img).ExposedPorts, ['80/tcp']);
    assert.deepEqual(imageConfig(img).Env, ['A=1']);
    const ins = inspectImage(imageStore(db), s.id.slice(7, 15));
    assert.equal(ins.Id, s.id);
    assert.deepEqual(ins.Config.Cmd, ['sh']);
    assert.deepEqual(ins.RootFS.Layers, img.layers);
    assert.deepEqual(listImages(imageStore(db)).map((i) => `${i.repository}:${i.tag}`), ['localhost/app:1']);
  });

  it('imports a docker-archive and names it from RepoTags (or the name given)', async () => {
    const archive = file('docker.tar', await dockerArchive({ layers: [base] }, ['web:2']));
    const s = await importImage(imageContextOf(db, root), archive);
    assert.equal(`${s.repository}:${s.tag}`, 'localhost/web:2');
    assert.equal(resolveImage(imageStore(db), 'web:2').layers.length, 1);
    const again = await importImage(imageContextOf(db, root), archive, 'other');
    assert.equal(again.id, s.id);
    assert.deepEqual(resolveImage(imageStore(db), 'other').repoTags, ['localhost/other:latest', 'localhost/web:2']);
    // The manifest berth made for it is a stored blob.
    assert.ok(existsSync(join(root, 'blobs/sha256', resolveImage(imageStore(db), 'web:2').manifestDigest.slice(7))));
  });

  it('imports a gzipped rootfs tarball with config changes', async () => {
    const tarball = file('rootfs.tgz', gzipSync(await makeTar(base)));
    const s = await importImage(imageContextOf(db, root), tarball, 'rootfs:v1', {
      changes: { cmd: ['/bin/sh'], env: ['X=y'], workdir: '/srv', exposedPorts: ['8080'] },
    });
    assert.equal(`${s.repository}:${s.tag}`, 'localhost/rootfs:v1');
    const img = resolveImage(imageStore(db), 'rootfs:v1');
    const c = imageConfig(img);
    assert.deepEqual(c.Cmd, ['/bin/sh']);
    assert.deepEqual(c.Env, ['X=y']);
    assert.equal(c.WorkingDir, '/srv');
    assert.deepEqual(c.ExposedPorts, ['8080/tcp']);
    assert.equal(img.layers[0], sha256(await makeTar(base)));
    assert.equal(readFileSync(join(imageLayerDirs(root, img)[0]!, 'bin/sh'), 'utf8'), '#!fake');
  });

  it('refuses a blob whose content does not match its digest, leaving nothing behind', async () => {
    // Import something first: what it stored must survive the failed import untouched.
    const ok = await importImage(imageContextOf(db, root), file('ok.tar', await ociArchive({ layers: [base] }, 'localhost/ok:1')));
    const before = storeContents();
    const bad = await ociArchive({ layers: [base, top] }, 'localhost/bad:1', (files) => {
      for (const [k, v] of files) if (k.startsWith('blobs/') && v[0] === 0x1f) files.set(k, Buffer.concat([v, Buffer.from('x')]));
    });
    await assert.rejects(importImage(imageContextOf(db, root), file('bad.tar', bad)), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'image.corrupt');
      assert.match(e.message, /corrupt: layer sha256:[a-f0-9]+ (is \d+ bytes|has digest)/);
      return true;
    });
    assert.deepEqual(storeContents(), before);
    assert.equal(resolveImage(imageStore(db), 'ok:1').id, ok.id);
    assert.deepEqual(readdirSync(join(root, 'tmp')), []);
  });

  it('refuses a config whose diff ids lie, removing the layers it unpacked', async () => {
    const lying = await ociArchive({ layers: [base, top], diffIds: [sha256(await makeTar(base)), sha256('not the layer')] }, 'localhost/lie:1');
    await assert.rejects(importImage(imageContextOf(db, root), file('lie.tar', lying)), { code: 'image.corrupt' });
    // The first layer was unpacked before the second one's lie was found; it must be gone too.
    assert.deepEqual(storeContents(), EMPTY);
  });

  it('refuses truncated and garbage archives with one clear error', async () => {
    const whole = await ociArchive({ layers: [base, top] }, 'localhost/t:1');
    const gz = gzipSync(whole);
    for (const [name, data] of [['trunc.tar', whole.subarray(0, whole.length - 1200)], ['trunc.tgz', gz.subarray(0, gz.length - 40)], ['junk.tar',
      Buffer.alloc(2048, 7)], ['empty.tar', Buffer.alloc(0)]] as const)
    {
      await assert.rejects(importImage(imageContextOf(db, root), file(name, data)), (e: Error & { code?: string; kind?: string }) => {
        assert.equal(e.kind, 'Corrupt', `${name}: ${e.message}`);
        assert.equal(e.code, 'image.corrupt');
        return true;
      });
      assert.deepEqual(storeContents(), EMPTY, name);
    }
    await assert.rejects(importImage(imageContextOf(db, root), join(tmp, 'missing.tar')), { code: 'image.source_not_found' });
    await assert.rejects(importImage(imageContextOf(db, root), file('x.tar', whole), 'Bad Name'), { code: 'image.bad_reference' });
  });

  it('two concurrent imports of one archive share one copy of each layer', async () => {
    const archive = file('c.tar', await ociArchive({ layers: [base, top] }, 'localhost/c:1'));
    const [a, b] = await Promise.all([importImage(imageContextOf(db, root), archive), importImage(imageContextOf(db, root), archive)]);
    assert.equal(a.id, b.id);
    assert.equal(readdirSync(join(root, 'layers')).length, 2);
    assert.equal(readdirSync(join(root, 'blobs/sha256')).length, 4);
  });
});

describe('importImage from stdin and leftovers', () => {
  it('reads an archive from stdin ("-")', async () => {
    const archive = await ociArchive({ layers: [base] }, 'localhost/stdin:1');
    const importJs = new URL('./import.js', import.meta.url).href;
    const dbJs = new URL('../state/db.js', import.meta.url).href;
    const partsJs = new URL('../engine/parts.js', import.meta.url).href;
    const code = `const { importImage } = await import(${JSON.stringify(importJs)});
      const { openDb } = await import(${JSON.stringify(dbJs)});
      const { imageContextOf } = await import(${JSON.stringify(partsJs)});
      const db = openDb(${JSON.stringify(root)});
      const s = await importImage(imageContextOf(db, ${JSON.stringify(root)}), '-');
      process.stdout.write(s.repository + ':' + s.tag);`;
    const r = run(process.execPath, ['--input-type=module', '-e', code], { input: archive });
    assert.equal(r.stdout, 'localhost/stdin:1');
    assert.equal(resolveImage(imageStore(db), 'stdin:1').layers.length, 1);
  });

  it('sweeps what killed imports and removals left behind', () => {
    const staleStaging = join(root, 'tmp', 'import-old');
    const freshStaging = join(root, 'tmp', 'import-new');
    const trash = join(root, 'layers', '.trash-x');
    for (const d of [staleStaging, freshStaging, trash]) mkdirSync(d, { recursive: true });
    const dayAgo = new Date(Date.now() - 25 * 3600 * 1000);
    utimesSync(staleStaging, dayAgo, dayAgo);
    sweepStale(root);
    assert.equal(existsSync(staleStaging), false);
    assert.equal(existsSync(trash), false);
    assert.equal(existsSync(freshStaging), true);
  });
});

describe('resolve and remove', () => {
  it('resolves by name, id prefix and digest; unknown names are NotFound with a hint', async () => {
    const s = await importImage(imageContextOf(db, root), file('r.tar', await ociArchive({ layers: [base] }, 'localhost/r:1')));
    const img = resolveImage(imageStore(db), 'r:1');
    assert.equal(resolveImage(imageStore(db), s.id).id, s.id);
    assert.equal(resolveImage(imageStore(db), s.id.slice(7, 10)).id, s.id);
    assert.equal(resolveImage(imageStore(db), `localhost/r@${img.manifestDigest}`).id, s.id);
    assert.throws(() => resolveImage(imageStore(db), 'nope'), (e: Error & { code?: string; hint?: string }) => {
      assert.equal(e.code, 'image.not_found');
      assert.equal(e.message, 'image not found: nope');
      assert.ok(e.hint);
      return true;
    });
    assert.throws(() => resolveImage(imageStore(db), 'r:2'), { code: 'image.not_found' });
  });

  it('removes tags, then the image, collecting only what no other image uses', async () => {
    const one = await importImage(imageContextOf(db, root), file('1.tar', await ociArchive({ layers: [base] }, 'localhost/one:1')));
    await importImage(imageContextOf(db, root), file('2.tar', await ociArchive({ layers: [base, top] }, 'localhost/two:1')));
    await importImage(imageContextOf(db, root), file('1b.tar', await ociArchive({ layers: [base] }, 'localhost/one:alias')));
    assert.throws(() => removeImage(imageContextOf(db, root), one.id), { code: 'image.multiple_tags' });
    assert.deepEqual(removeImage(imageContextOf(db, root), 'one:alias'), { untagged: ['localhost/one:alias'], deleted: [] });
    assert.deepEqual(removeImage(imageContextOf(db, root), 'one:1'), { untagged: ['localhost/one:1'], deleted: [one.id] });
    // The base layer is still used by two:1.
    assert.equal(readdirSync(join(root, 'layers')).length, 2);
    assert.equal(readdirSync(join(root, 'blobs/sha256')).length, 4);
    removeImage(imageContextOf(db, root), 'two:1');
    assert.deepEqual(storeContents(), EMPTY);
  });

  it('refuses to remove an image a container uses, and force only untags it', async () => {
    const s = await importImage(imageContextOf(db, root), file('u.tar', await ociArchive({ layers: [base] }, 'localhost/used:1')));
    insertContainer(db, {
      id: 'c1',
      name: 'berthtest_c',
      imageId: s.id,
      imageRef: 'used:1',
      spec: {},
      labels: {},
      status: 'created',
      pid: null,
      conmonPid: null,
      conmonStart: null,
      exitCode: null,
      oomKilled: false,
      restartCount: 0,
      runtime: 'runc',
      createdAt: 'now',
      startedAt: null,
      finishedAt: null,
      bootId: null,
      stopRequested: false,
      runId: null,
      pidStart: null,
      restartBackoffMs: 0,
    });
    assert.throws(() => removeImage(imageContextOf(db, root), 'used:1'), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'image.in_use');
      assert.match(e.message, /berthtest_c/);
      return true;
    });
    assert.deepEqual(removeImage(imageContextOf(db, root), 'used:1', { force: true }), { untagged: ['localhost/used:1'], deleted: [] });
    assert.equal(resolveImage(imageStore(db), s.id).repoTags.length, 0);
    assert.equal(readdirSync(join(root, 'layers')).length, 1);
    assert.deepEqual(listImages(imageStore(db)).map((i) => i.repository), ['<none>']);
  });
});
