import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { gatherer, packLayerDir } from './pack-layer.js';

test('packLayerDir: the diff id is the tar inside the blob, the digest the blob itself, the size its files', async () => {
  const base = mkdtempSync(join(tmpdir(), 'pack-layer-'));
  try {
    const dir = join(base, 'root');
    mkdirSync(join(dir, 'sub', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'small'), 'small\n');
    writeFileSync(join(dir, 'sub', 'deep', 'big'), Buffer.alloc((1 << 20) + 3, 1));
    symlinkSync('small', join(dir, 'link'));
    const blob = join(base, 'layer.tar.gz');
    const p = await packLayerDir(dir, blob);
    const gz = readFileSync(blob);
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    assert.equal(p.digest, sha(gz));
    assert.equal(p.blobSize, gz.length);
    const tar = gunzipSync(gz);
    assert.equal(p.diffId, sha(tar));
    assert.equal(p.size, 6 + (1 << 20) + 3);
    assert.ok(tar.includes(Buffer.from('sub/deep/big')));
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
});

test('gatherer: the bytes pass unchanged, hashed, in chunks of at least its size but the last', async () => {
  const h = createHash('sha256');
  const g = gatherer(h, () => undefined, 1000);
  const out: Buffer[] = [];
  g.on('data', (c: Buffer) => out.push(c));
  const input = Array.from({ length: 50 }, (_, i) => Buffer.alloc(97, i));
  for (const c of input) g.write(c);
  g.end();
  await new Promise((res) => g.on('end', res));
  const all = Buffer.concat(input);
  assert.ok(Buffer.concat(out).equals(all));
  assert.equal(h.digest('hex'), createHash('sha256').update(all).digest('hex'));
  assert.ok(out.slice(0, -1).every((c) => c.length >= 1000));
  assert.equal(out.length, Math.ceil(all.length / 1067));
});
