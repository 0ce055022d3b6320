// The image store against a real instances file in a temporary directory (no root needed):
// lookups, the in-use questions garbage collection asks, and the build-cache filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, rowCounts, type Db } from './db.js';
import { insertContainer } from './containers.js';
import { imageStore } from './image-store.js';

function withDb(fn: (db: Db) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'berth-state-'));
  const db = openDb(dir);
  try {
    fn(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const hex = (c: string) => c.repeat(64);
function container(db: Db, id: string, imageId: string): void {
  insertContainer(db, {
    id,
    name: `n-${id}`,
    imageId,
    imageRef: 'x',
    spec: { volumes: [{ source: 'v1', named: true }] },
    labels: {},
    status: 'running',
    pid: null,
    conmonPid: null,
    conmonStart: null,
    exitCode: null,
    oomKilled: false,
    restartCount: 0,
    runtime: 'runc',
    createdAt: '2026-01-01T00:00:00Z',
    startedAt: null,
    finishedAt: null,
    bootId: null,
    stopRequested: false,
    runId: null,
    pidStart: null,
    restartBackoffMs: 0,
  });
}

test('images: stored as given, found by id, digest, id prefix and tag', () =>
  withDb((db) => {
    const s = imageStore(db);
    const a = { id: `sha256:${hex('a')}`, manifestDigest: `sha256:${hex('1')}`, config: '{"os":"linux"}', layers: ['sha256:l1', 'sha256:l2'], size: 10,
      created: '2026-01-01T00:00:00Z' };
    s.insertImage(a);
    s.insertImage({ ...a, size: 99 });
    assert.deepEqual(s.image(a.id), a, 'a second insert of the same id is ignored');
    assert.deepEqual(s.imageByDigest(a.manifestDigest), a);
    assert.deepEqual(s.imageByDigest(a.id), a);
    assert.deepEqual(s.imagesByIdPrefix('aaa', 2).map((i) => i.id), [a.id]);
    assert.deepEqual(s.imagesByIdPrefix('aab', 2), []);
    s.setTag('localhost/x:1', a.id);
    s.setTag('localhost/a:1', a.id);
    assert.equal(s.imageIdForTag('localhost/x:1'), a.id);
    assert.deepEqual(s.tagsOf(a.id), ['localhost/a:1', 'localhost/x:1'], 'sorted');
    s.deleteTag('localhost/x:1');
    assert.deepEqual(s.tagsOf(a.id), ['localhost/a:1']);
    s.deleteImage(a.id);
    assert.equal(s.imageIdForTag('localhost/a:1'), undefined, 'tags go with the image');
    assert.deepEqual(rowCounts(db)['images'], 0);
  }));

test('layers and blobs: in use while an image lists or records them', () =>
  withDb((db) => {
    const s = imageStore(db);
    const a = { id: `sha256:${hex('a')}`, manifestDigest: `sha256:${hex('1')}`, config: '{}', layers: ['sha256:l1'], size: 1, created: '2026-01-01T00:00:00Z' };
    s.insertLayer({ diffId: 'sha256:l1', blobDigest: 'sha256:b1', size: 5 });
    s.insertLayer({ diffId: 'sha256:l1', blobDigest: 'sha256:b2', size: 6 });
    assert.deepEqual(s.layer('sha256:l1'), { diffId: 'sha256:l1', blobDigest: 'sha256:b1', size: 5 }, 'the first blob stays the source');
    assert.equal(s.layerInUse('sha256:l1'), false);
    s.insertImage(a);
    assert.equal(s.layerInUse('sha256:l1'), true);
    assert.equal(s.blobInUse('sha256:b1'), true, 'a layer record names it');
    assert.equal(s.blobInUse(a.manifestDigest), true);
    assert.equal(s.blobInUse(a.id), true);
    assert.equal(s.blobInUse('sha256:b2'), false);
    s.deleteLayer('sha256:l1');
    assert.equal(s.blobInUse('sha256:b1'), false);
    assert.deepEqual(s.allLayers(), []);
  }));

test('unused images, containers and the build cache', () =>
  withDb((db) => {
    const s = imageStore(db);
    const mk = (c: string, created: string) => ({ id: `sha256:${hex(c)}`,
      manifestDigest: `sha256:${hex(c === 'a' ? '1' : c === 'b' ? '2' : c === 'c' ? '3' : '4')}`, config: '{}', layers: [`sha256:l${c}`], size: 1, created });
    const [a, b, c, d] = [mk('a', '2026-01-04T00:00:00Z'), mk('b', '2026-01-03T00:00:00Z'), mk('c', '2026-01-02T00:00:00Z'), mk('d', '2026-01-01T00:00:00Z')];
    for (const i of [a, b, c, d]) s.insertImage(i);
    s.setTag('localhost/a:1', a.id);
    container(db, 'c1', b.id);
    db.prepare('INSERT INTO build_cache (key, image_id, created) VALUES (?, ?, ?)').run('k1', c.id, 'now');
    // a: tagged; b: used by a container; c: a build-cache step; d: dangling.
    assert.deepEqual(s.unusedImages({ all: false }).map((i) => i.id), [d.id]);
    assert.deepEqual(s.unusedImages({ all: true }).map((i) => i.id).sort(), [a.id, c.id, d.id].sort());
    assert.equal(s.containerUsing(b.id), 'n-c1');
    assert.equal(s.containerUsing(a.id), undefined);
    assert.deepEqual(s.imagesInUse(), [b.id]);
    assert.deepEqual(s.containers(), [{ id: 'c1', status: 'running', spec: { volumes: [{ source: 'v1', named: true }] } }]);
    assert.deepEqual(s.untaggedBuildCacheImages(), [c.id]);
    assert.deepEqual(s.imageList({ buildCache: false }).map((r) => [r.id, r.name]), [[a.id, 'localhost/a:1'], [b.id, null], [d.id, null]]);
    assert.deepEqual(s.imageList({ buildCache: true }).map((r) => r.id), [a.id, b.id, c.id, d.id], 'newest first');
    assert.deepEqual(s.allImages().map((i) => i.layers).flat().sort(), ['sha256:la', 'sha256:lb', 'sha256:lc', 'sha256:ld']);
  }));
