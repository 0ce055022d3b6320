import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { prepareSnapshot, removeSnapshot, snapshotPaths } from './overlay.js';
import { makeTar } from './testtar.js';
import { unpackLayer } from './unpack.js';

let root: string;
const mounted: string[] = [];

before(() => {
  root = mkdtempSync('/tmp/berth-overlay-');
});
after(() => {
  for (const m of mounted) if (isMounted(m)) unmount(m, { lazy: true });
  rmSync(root, { recursive: true, force: true });
});

describe('overlay snapshots', () => {
  it('describes a mount that layers lower dirs, whiteouts applied, with writes going to diff/', async () => {
    const bottom = join(root, 'layers', 'bottom');
    const top = join(root, 'layers', 'top');
    mkdirSync(bottom, { recursive: true });
    mkdirSync(top, { recursive: true });
    await unpackLayer(Readable.from(await makeTar([
      { name: 'etc/motd', body: 'hello' },
      { name: 'etc/keep', body: 'bottom' },
      { name: 'var/cache/old', body: 'old' },
    ])), bottom);
    await unpackLayer(Readable.from(await makeTar([
      { name: 'etc/.wh.motd', body: '' },
      { name: 'etc/keep', body: 'top' },
      { name: 'var/cache/.wh..wh..opq', body: '' },
      { name: 'var/cache/new', body: 'new' },
    ])), top);

    const s = prepareSnapshot(root, 'berthtest1', [top, bottom]);
    assert.equal(s.mount.type, 'overlay');
    assert.deepEqual(s.mount.options, [`lowerdir=${top}:${bottom}`, `upperdir=${s.upper}`, `workdir=${join(root, 'containers/berthtest1/work')}`]);
    assert.equal(isMounted(s.merged), false);
    mount(s.mount, s.merged);
    mounted.push(s.merged);
    assert.equal(isMounted(s.merged), true);
    assert.equal(existsSync(join(s.merged, 'etc/motd')), false);
    assert.equal(readFileSync(join(s.merged, 'etc/keep'), 'utf8'), 'top');
    assert.deepEqual(readdirSync(join(s.merged, 'var/cache')), ['new']);
    writeFileSync(join(s.merged, 'written'), 'w');
    unmount(s.merged);
    assert.equal(isMounted(s.merged), false);
    assert.equal(readFileSync(join(s.upper, 'written'), 'utf8'), 'w');
    removeSnapshot(root, 'berthtest1');
    assert.equal(existsSync(snapshotPaths(root, 'berthtest1').dir), false);
  });

  it('uses an empty lower dir when there are no layers', () => {
    const s = prepareSnapshot(root, 'berthtest2', []);
    assert.equal(s.mount.options[0], `lowerdir=${join(root, 'empty')}`);
    mount(s.mount, s.merged);
    mounted.push(s.merged);
    assert.deepEqual(readdirSync(s.merged), []);
    unmount(s.merged);
  });

  it('shortens long lowerdir lists with links under l/ and still mounts', () => {
    const lowers: string[] = [];
    for (let i = 0; i < 60; i++) {
      const d = join(root, 'layers', `${String(i).padStart(2, '0')}${'a'.repeat(62)}`);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, `f${i}`), String(i));
      lowers.push(d);
    }
    assert.ok(lowers.join(':').length > 4096);
    const s = prepareSnapshot(root, 'berthtest3', lowers);
    assert.ok(s.mount.options.join(',').length <= 4095);
    assert.ok(s.mount.options[0]!.includes(join(root, 'l')));
    assert.ok(lstatSync(join(root, 'l')).isDirectory());
    mount(s.mount, s.merged);
    mounted.push(s.merged);
    assert.equal(readdirSync(s.merged).length, 60);
    unmount(s.merged);
  });

  it('refuses unsafe ids and too many layers', () => {
    assert.throws(() => snapshotPaths(root, '../x'));
    const lowers = Array.from({ length: 400 }, (_, i) => join(root, 'many', String(i)));
    assert.throws(() => prepareSnapshot(root, 'berthtest4', lowers), { code: 'storage.too_many_layers' });
  });
});
