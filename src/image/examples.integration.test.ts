// The example images of images/build.sh import cleanly and work: checked by running their
// programs with chroot on an overlay of their layers (berth build makes several).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDb, type Db } from '../state/db.js';
import { imageStore } from '../state/image-store.js';
import { imageContextOf } from '../engine/parts.js';
import { run } from '../sys/exec.js';
import { isMounted, mount, unmount } from '../sys/mount.js';
import { prepareSnapshot, removeSnapshot } from '../storage/overlay.js';
import { randomBytes } from 'node:crypto';
import { importImage } from './import.js';
import { imageConfig, imageLayerDirs, resolveImage } from './images.js';

// Compiled to <out>/src/image/; the repository is found from the working directory or the source tree.
const repo = [process.cwd(), join(dirname(fileURLToPath(import.meta.url)), '../../..')].find((d) => existsSync(join(d, 'images/build.sh')))!;
const out = join(repo, 'images/out');

let root: string;

function hasProgram(name: string): boolean {
  try {
    return run(name, ['--version'], { allowFail: true }).status === 0;
  } catch {
    return false;
  }
}
let db: Db;

before(() => {
  assert.ok(repo, 'images/build.sh not found');
  if (!existsSync(join(out, 'busybox.tar')) || !existsSync(join(out, 'nginx.tar'))) {
    run('bash', [join(repo, 'images/build.sh')], { timeoutMs: 600_000 });
  }
  root = mkdtempSync('/tmp/berth-examples-');
  db = openDb(root);
});
after(() => {
  db.close();
  rmSync(root, { recursive: true, force: true });
});

/** Mounts the image's layers as one tree for fn, then takes it down. */
function withMerged(ref: string, fn: (dir: string) => void): void {
  const id = `berthtest${randomBytes(4).toString('hex')}`;
  const snap = prepareSnapshot(root, id, imageLayerDirs(root, resolveImage(imageStore(db), ref)));
  mount(snap.mount, snap.merged);
  try {
    fn(snap.merged);
  } finally {
    unmount(snap.merged);
    removeSnapshot(root, id);
  }
}

describe('example images', () => {
  it('busybox: applets, users and config', async () => {
    const s = await importImage(imageContextOf(db, root), join(out, 'busybox.tar'));
    assert.equal(`${s.repository}:${s.tag}`, 'localhost/busybox:latest');
    const img = resolveImage(imageStore(db), 'busybox');
    const c = imageConfig(img);
    assert.deepEqual(c.Cmd, ['sh']);
    assert.deepEqual(c.Env, ['PATH=/usr/sbin:/usr/bin:/sbin:/bin']);
    withMerged('busybox', (layer) => {
      assert.equal(lstatSync(join(layer, 'bin/busybox')).mode & 0o777, 0o755);
      assert.equal(readlinkSync(join(layer, 'bin/sh')), '/bin/busybox');
      assert.match(readFileSync(join(layer, 'etc/passwd'), 'utf8'), /^nobody:x:65534:65534:/m);
      assert.match(readFileSync(join(layer, 'etc/passwd'), 'utf8'), /^www-data:x:33:33:/m);
      assert.equal(lstatSync(join(layer, 'tmp')).mode & 0o7777, 0o1777);
      const r = run('chroot', [layer, '/bin/sh', '-c', 'echo hi; id -u nobody; busybox --list | grep -cxE "httpd|nc"']);
      assert.equal(r.stdout, 'hi\n65534\n2\n');
    });
  });

  it('nginx: binary with its libraries, a valid config, port 80', async () => {
    const s = await importImage(imageContextOf(db, root), join(out, 'nginx.tar'));
    assert.equal(`${s.repository}:${s.tag}`, 'localhost/nginx:latest');
    const img = resolveImage(imageStore(db), 'nginx:latest');
    const c = imageConfig(img);
    assert.deepEqual(c.Cmd, ['nginx', '-g', 'daemon off;']);
    assert.deepEqual(c.ExposedPorts, ['80/tcp']);
    withMerged('nginx:latest', (layer) => {
      assert.ok(existsSync(join(layer, 'usr/share/nginx/html/index.html')));
      // nginx -t loads every library, resolves www-data through NSS and parses the config.
      const r = run('chroot', [layer, '/usr/sbin/nginx', '-t', '-g', 'daemon off;'], { allowFail: true });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stderr, /syntax is ok/);
    });
  });

  it('archives re-written by skopeo (docker-archive and OCI) import as the same image', async (t) => {
    if (!hasProgram('skopeo')) {
      t.skip('skopeo is not installed');
      return;
    }
    const ours = await importImage(imageContextOf(db, root), join(out, 'busybox.tar'));
    const da = join(root, 'skopeo-docker.tar');
    const oa = join(root, 'skopeo-oci.tar');
    run('skopeo', ['copy', '-q', `oci-archive:${join(out, 'busybox.tar')}`, `docker-archive:${da}:busybox:skopeo`]);
    run('skopeo', ['copy', '-q', `oci-archive:${join(out, 'busybox.tar')}`, `oci-archive:${oa}:localhost/bb:1`]);
    const d = await importImage(imageContextOf(db, root), da);
    assert.equal(d.id, ours.id);
    assert.equal(`${d.repository}:${d.tag}`, 'docker.io/library/busybox:skopeo');
    const o = await importImage(imageContextOf(db, root), oa);
    assert.equal(o.id, ours.id);
    assert.equal(`${o.repository}:${o.tag}`, 'localhost/bb:1');
    assert.deepEqual(resolveImage(imageStore(db), ours.id).repoTags, ['docker.io/library/busybox:skopeo', 'localhost/bb:1', 'localhost/busybox:latest']);
  });

  it('busybox mounts as an overlay snapshot whose writes land in the container layer', async () => {
    await importImage(imageContextOf(db, root), join(out, 'busybox.tar'));
    const id = `berthtest${randomBytes(4).toString('hex')}`;
    const snap = prepareSnapshot(root, id, imageLayerDirs(root, resolveImage(imageStore(db), 'busybox')));
    mount(snap.mount, snap.merged);
    try {
      const r = run('chroot', [snap.merged, '/bin/sh', '-c', 'echo written > /tmp/f && rm /etc/group && ls /bin/busybox']);
      assert.equal(r.stdout, '/bin/busybox\n');
    } finally {
      unmount(snap.merged);
    }
    assert.equal(isMounted(snap.merged), false);
    assert.equal(readFileSync(join(snap.upper, 'tmp/f'), 'utf8'), 'written\n');
    assert.ok(lstatSync(join(snap.upper, 'etc/group')).isCharacterDevice());
    removeSnapshot(root, id);
    assert.equal(existsSync(join(root, 'containers', id)), false);
  });
});
