import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { OVERLAYFS_SUPER_MAGIC, containerShortfall, missingAdminCaps } from './contained.js';

const EXT4 = 0xef53;
// CapEff lines as /proc/self/status shows them: a default (unprivileged) container's set, and
// every capability of this kernel (a privileged container's, or the host's root).
const DOCKER_DEFAULT = 'Name:\tsh\nCapInh:\t0000000000000000\nCapEff:\t00000000a80425fb\n';
const FULL = 'CapEff:\t000001ffffffffff\n';

test('the default container set lacks CAP_SYS_ADMIN and CAP_NET_ADMIN; a full one lacks none', () => {
  assert.deepEqual(missingAdminCaps(DOCKER_DEFAULT), ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN']);
  assert.deepEqual(missingAdminCaps(FULL), []);
  assert.deepEqual(missingAdminCaps('CapEff:\t0000000000201000\n'), []);
  assert.deepEqual(missingAdminCaps('CapEff:\t0000000000200000\n'), ['CAP_NET_ADMIN']);
});

test('root without the admin capabilities cannot run containers; another user is not judged on them', () => {
  assert.deepEqual(containerShortfall(undefined, { euid: 0, status: DOCKER_DEFAULT }), { kind: 'privileges', missing: ['CAP_SYS_ADMIN', 'CAP_NET_ADMIN'] });
  assert.equal(containerShortfall(undefined, { euid: 0, status: FULL }), null);
  assert.equal(containerShortfall(undefined, { euid: 1000, status: DOCKER_DEFAULT }), null);
});

test('a root whose containers/ is on overlayfs cannot hold writable layers', () => {
  const root = mkdtempSync(join(tmpdir(), 'berth-contained-'));
  try {
    const types = new Map<string, number>([[root, EXT4]]);
    const fsType = (p: string) => types.get(p) ?? EXT4;
    // Not made yet: the root itself is judged.
    types.set(root, OVERLAYFS_SUPER_MAGIC);
    assert.deepEqual(containerShortfall(root, { euid: 0, status: FULL, fsType }), { kind: 'overlay-root', dir: root });
    // containers/ is what holds the layers: a volume mounted there is enough.
    mkdirSync(join(root, 'containers'));
    types.set(join(root, 'containers'), EXT4);
    assert.equal(containerShortfall(root, { euid: 0, status: FULL, fsType }), null);
    types.set(join(root, 'containers'), OVERLAYFS_SUPER_MAGIC);
    assert.deepEqual(containerShortfall(root, { euid: 0, status: FULL, fsType }), { kind: 'overlay-root', dir: join(root, 'containers') });
    // Privileges come first: they are what a user must fix first.
    assert.equal(containerShortfall(root, { euid: 0, status: DOCKER_DEFAULT, fsType })?.kind, 'privileges');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
