// podman as the peer: it loads and runs berth's archives, and berth loads and runs podman's, in
// both archive formats. podman runs isolated from the host's podman setup: storage, run and tmp
// directories, network config and (file) locks all under one temporary directory, runc with
// cgroupfs under a cgroup parent of its own, file events, no network, and no default rlimits
// (podman's defaults exceed the hard limits of a caller without CAP_SYS_RESOURCE, and runc then
// fails to set them). Everything it made is removed at the end; the leak check follows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { Berth, BUSYBOX_TAR, until, type ImageInspect } from './helpers.js';

const HAVE_PODMAN = spawnSync('podman', ['--version'], { encoding: 'utf8' }).status === 0;
const SKIP = HAVE_PODMAN ? false : 'podman is not installed here (make deps installs it: it is in APT_PACKAGES)';

let b: Berth;
let dir: string;
const cgroupParent = `/berth-e2e-podman-${randomBytes(4).toString('hex')}`;
// Rootful podman always keeps its network state in /run/containers/networks, whatever the config.
const hadRunContainers = existsSync('/run/containers');

function podman(args: string[]): string {
  const r = spawnSync('podman', [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--storage-driver',
    'vfs',
    '--runtime',
    'runc',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
    ...args,
  ], { encoding: 'utf8', env: { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf') }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`podman ${args.join(' ')} → ${r.status}: ${r.stderr}`);
  return r.stdout;
}

/** podman run --rm, isolated; returns stdout. */
const podmanRun = (args: string[]) => podman(['run', '--rm', '--network', 'none', '--cgroup-parent', cgroupParent, ...args]);

before(() => {
  if (!HAVE_PODMAN) return;
  b = new Berth();
  b.importBusybox();
  b.ok(['tag', 'busybox', 'mybox:1']);
  dir = mkdtempSync('/tmp/berth-podman-');
  // podman reads this containers.conf instead of the host's; /etc/containers stays as it is.
  writeFileSync(join(dir, 'containers.conf'), `[containers]
default_ulimits = []

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
lock_type = "file"
tmp_dir = "${join(dir, 'tmp')}"

[network]
network_config_dir = "${join(dir, 'net')}"
`);
});

after(async () => {
  if (!HAVE_PODMAN) return;
  b.destroy();
  try {
    podman(['system', 'reset', '-f']);
  } catch (e) {
    process.stderr.write(`${String(e)}\n`);
  }
  // conmon of a --rm container is gone once podman run returns; wait for it anyway.
  await until(() => spawnSync('pgrep', ['-f', `conmon.*${dir}`]).status !== 0, 10_000);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').map((l) => l.split(' ')[4] ?? '').filter((m) => m.startsWith(dir)).reverse();
  for (const m of mounts) spawnSync('umount', ['-l', m]);
  rmSync(dir, { recursive: true, force: true });
  for (const base of ['/sys/fs/cgroup', ...readdirSync('/sys/fs/cgroup').map((c) => `/sys/fs/cgroup/${c}`)]) {
    for (const d of [`${base}${cgroupParent}/conmon`, `${base}${cgroupParent}`]) {
      try {
        rmdirSync(d);
      } catch { /* not in this hierarchy */ }
    }
  }
  if (!hadRunContainers) {
    for (const d of ['/run/containers/networks', '/run/containers']) {
      try {
        rmdirSync(d);
      } catch { /* in use by another podman meanwhile */ }
    }
  }
  assert.deepEqual(mounts, [], 'podman left mounts behind');
});

for (const format of ['oci-archive', 'docker-archive'] as const) {
  test(`berth save --format ${format}: podman loads it and runs it`, { skip: SKIP }, () => {
    const file = join(dir, `berth-${format}.tar`);
    b.ok(['image', 'save', '--format', format, '-o', file, 'mybox:1']);
    assert.match(podman(['load', '-i', file]), /Loaded image: localhost\/mybox:1/);
    // The config went over byte for byte, so the image ID is the same on both sides.
    const id = (JSON.parse(b.ok(['image', 'inspect', 'mybox:1'])) as ImageInspect[])[0]!.Id;
    assert.equal(podman(['image', 'inspect', '--format', '{{.Id}}', 'localhost/mybox:1']).trim(), id.replace(/^sha256:/, ''));
    assert.equal(podmanRun(['localhost/mybox:1', 'echo', `hello from berth's ${format}`]), `hello from berth's ${format}\n`);
    podman(['rmi', 'localhost/mybox:1']);
  });
}

test('podman save (oci-archive and docker-archive) of an image podman made: berth loads it and runs it', { skip: SKIP }, () => {
  // podman's own image: busybox plus a layer podman commits.
  podman(['load', '-i', BUSYBOX_TAR]);
  podman(['run', '--name', 'seed', '--network', 'none', '--cgroup-parent', cgroupParent, 'localhost/busybox:latest', 'sh', '-c',
    'echo made by podman > /made-by-podman']);
  podman(['commit', '-q', 'seed', 'localhost/frompodman:1']);
  podman(['rm', 'seed']);
  for (const format of ['oci-archive', 'docker-archive'] as const) {
    const file = join(dir, `podman-${format}.tar`);
    podman(['save', '--format', format, '-o', file, 'localhost/frompodman:1']);
    const other = new Berth();
    try {
      assert.match(other.ok(['load', '-i', file]), /Loaded image: localhost\/frompodman:1/, format);
      const r = other.run(['run', '--rm', '--network', 'none', 'frompodman:1', 'cat', '/made-by-podman']);
      assert.equal(r.stdout, 'made by podman\n', `${format}: ${r.stderr}`);
      assert.equal(r.status, 0);
    } finally {
      other.destroy();
    }
  }
});
