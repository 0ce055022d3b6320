import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDb } from '../state/db.js';
import { imageStore } from '../state/image-store.js';
import { imageContextOf } from '../engine/parts.js';
import { importImage } from './import.js';
import { removeImage, resolveImage, listImages } from './images.js';
import { pruneImages, sweepOrphanBlobs, tagImage } from './manage.js';
import { dockerArchive, ociArchive } from '../../test/image-kit.js';

const tmp = mkdtempSync('/tmp/berth-manage-');
after(() => rmSync(tmp, { recursive: true, force: true }));

const layer = [{ name: 'f', body: 'x' }];

describe('tags, prune and orphan blobs', () => {
  it('tags, prunes dangling images, and sweeps a blob only a removed manifest named', async () => {
    const root = join(tmp, 'r1');
    const db = openDb(root);
    const ctx = imageContextOf(db, root);
    try {
      // The same layer twice: gzip in the OCI archive, plain in the docker-archive.
      writeFileSync(join(tmp, 'a.tar'), await ociArchive({ layers: [layer], config: { Cmd: ['a'] } }, 'localhost/a:1'));
      writeFileSync(join(tmp, 'b.tar'), await dockerArchive({ layers: [layer], config: { Cmd: ['b'] } }, ['localhost/b:1']));
      await importImage(ctx, join(tmp, 'a.tar'));
      await importImage(ctx, join(tmp, 'b.tar'));
      assert.equal(tagImage(ctx, 'a:1', 'again:2'), 'localhost/again:2');
      assert.equal(resolveImage(imageStore(db), 'again:2').id, resolveImage(imageStore(db), 'a:1').id);
      removeImage(ctx, 'a:1');
      removeImage(ctx, 'again:2');
      const b = resolveImage(imageStore(db), 'b:1');
      // b's own layer blob (plain tar) is named only by b's manifest: the layer record kept a's gzip blob.
      assert.equal(readdirSync(join(root, 'blobs/sha256')).length, 4);
      const old = new Date(Date.now() - 2 * 3600 * 1000);
      for (const n of readdirSync(join(root, 'blobs/sha256'))) utimesSync(join(root, 'blobs/sha256', n), old, old);
      assert.equal(sweepOrphanBlobs(ctx), 0, 'nothing is an orphan while b exists');
      // Untag b: it is dangling, and prune removes it with every blob it had, the one only its manifest named included.
      for (const t of resolveImage(ctx.store, 'b:1').repoTags) ctx.store.deleteTag(t);
      const r = pruneImages(ctx);
      assert.deepEqual(r.deleted, [b.id]);
      assert.deepEqual(listImages(imageStore(db)), []);
      assert.deepEqual(readdirSync(join(root, 'layers')), []);
      assert.deepEqual(readdirSync(join(root, 'blobs/sha256')), []);
    } finally {
      db.close();
    }
  });
});
