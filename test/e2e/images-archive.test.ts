// save, load, tag, prune and system df, through the CLI, with skopeo as the peer that reads
// berth's archives and writes archives berth loads.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Berth, BIN, type ImageInspect, jsonLines } from './helpers.js';

let b: Berth;
let tmp: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  tmp = mkdtempSync('/tmp/berth-archive-');
});
after(() => {
  b.destroy();
  rmSync(tmp, { recursive: true, force: true });
});

function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('tag adds a name; rmi of one name keeps the other', () => {
  b.ok(['tag', 'busybox', 'mybox:1']);
  b.ok(['image', 'tag', 'busybox', 'example.com/team/box:2']);
  const names = jsonLines(b.ok(['image', 'ls', '--format', 'json'])).map((i) => `${i.Repository}:${i.Tag}`);
  assert.ok(names.includes('localhost/mybox:1') && names.includes('example.com/team/box:2'), names.join(' '));
  const missing = b.run(['tag', 'nosuchimage', 'x']);
  assert.equal(missing.status, 125);
  assert.match(missing.stderr, /image not found: nosuchimage/);
  b.ok(['rmi', 'example.com/team/box:2']);
});

for (const format of ['oci-archive', 'docker-archive'] as const) {
  test(`save --format ${format}: skopeo reads it, and it loads into another root and runs`, () => {
    const file = join(tmp, `box-${format}.tar`);
    b.ok(['image', 'save', '--format', format, '-o', file, 'mybox:1']);
    const info = JSON.parse(skopeo(['inspect', `${format}:${file}`])) as { Layers: string[] };
    const layers = (JSON.parse(b.ok(['image', 'inspect', 'mybox:1'])) as ImageInspect[])[0]!.RootFS.Layers;
    assert.equal(info.Layers.length, layers.length);
    const other = new Berth();
    try {
      assert.match(other.ok(['load', '-i', file]), /Loaded image: localhost\/mybox:1/);
      const r = other.run(['run', '--rm', '--network', 'none', 'mybox:1', 'echo', 'hello from the archive']);
      assert.equal(r.stdout, 'hello from the archive\n', r.stderr);
      assert.equal((JSON.parse(other.ok(['image', 'inspect', 'mybox:1'])) as ImageInspect[])[0]!.Id,
        (JSON.parse(b.ok(['image', 'inspect', 'mybox:1'])) as ImageInspect[])[0]!.Id);
    } finally {
      other.destroy();
    }
  });
}

test('load reads an archive skopeo wrote (from stdin too)', () => {
  const src = join(tmp, 'src.tar');
  b.ok(['save', '-o', src, '--format', 'docker-archive', 'busybox']);
  const sk = join(tmp, 'skopeo-oci.tar');
  skopeo(['copy', `docker-archive:${src}`, `oci-archive:${sk}:localhost/fromskopeo:3`]);
  const other = new Berth();
  try {
    const r = spawnSync('sh', ['-c', `"${BIN}" --root ${other.root} --runroot ${other.runroot} load < ${sk}`], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /localhost\/fromskopeo:3/);
    assert.equal(other.run(['run', '--rm', '--network', 'none', 'fromskopeo:3', 'true']).status, 0);
  } finally {
    other.destroy();
  }
});

test('several images in one archive, in both formats, all load with all their names', () => {
  b.ok(['tag', 'busybox', 'second:2']);
  const other0 = new Berth();
  try {
    other0.importNginx();
    other0.ok(['save', '-o', join(tmp, 'nginx.tar'), 'nginx']);
    b.ok(['load', '-i', join(tmp, 'nginx.tar')]);
  } finally {
    other0.destroy();
  }
  for (const format of ['oci-archive', 'docker-archive']) {
    const file = join(tmp, `multi-${format}.tar`);
    b.ok(['save', '--format', format, '-o', file, 'mybox:1', 'second:2', 'nginx']);
    const other = new Berth();
    try {
      const out = other.ok(['load', '-i', file]);
      assert.deepEqual(out.trim().split('\n').sort(), ['Loaded image: localhost/mybox:1', 'Loaded image: localhost/nginx:latest',
        'Loaded image: localhost/second:2'], format);
      assert.equal(other.run(['run', '--rm', '--network', 'none', 'nginx', 'nginx', '-v']).status, 0);
    } finally {
      other.destroy();
    }
  }
});

test('load refuses a plain root filesystem tarball, pointing at import', () => {
  const dir = mkdtempSync(join(tmp, 'rootfs-'));
  spawnSync('sh', ['-c', `echo x > ${dir}/f && tar cf ${tmp}/rootfs.tar -C ${dir} f`]);
  const r = b.run(['load', '-i', join(tmp, 'rootfs.tar')]);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /is not an image archive/);
  assert.match(r.stderr, /berth import/);
});

test('save of a missing image fails with 125 and leaves no file', () => {
  const file = join(tmp, 'nothing.tar');
  const r = b.run(['save', '-o', file, 'busybox', 'nosuch:tag']);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /image not found: nosuch:tag/);
  assert.equal(existsSync(file), false);
  assert.deepEqual(readdirSync(tmp).filter((n) => n.endsWith('.tmp')), []);
});

test('image prune removes dangling images only; -a removes unused ones; system df counts them', () => {
  const other = new Berth();
  try {
    other.importBusybox();
    other.ok(['tag', 'busybox', 'keep:1']);
    let df = jsonLines(other.ok(['system', 'df', '--format', 'json']));
    assert.equal(df.find((l) => l.Type === 'Images')!.TotalCount, '1');
    assert.match(df.find((l) => l.Type === 'Images')!.Size!, /^[\d.]+MB$/);
    assert.match(other.ok(['image', 'prune']), /Total reclaimed space: 0B/);
    other.ok(['create', '--name', 'holder', '--network', 'none', 'busybox', 'true']);
    other.ok(['image', 'prune', '-a']);
    assert.equal((jsonLines<unknown>(other.ok(['image', 'ls', '--format', 'json']))).length, 2, 'an image a container uses is kept');
    other.ok(['rm', 'holder']);
    const out = other.ok(['image', 'prune', '-a']);
    assert.match(out, /deleted: sha256:/);
    assert.deepEqual(readdirSync(join(other.root, 'layers')), []);
    assert.deepEqual(readdirSync(join(other.root, 'blobs/sha256')), []);
    df = jsonLines(other.ok(['system', 'df', '--format', 'json']));
    assert.equal(df.find((l) => l.Type === 'Images')!.TotalCount, '0');
  } finally {
    other.destroy();
  }
});
