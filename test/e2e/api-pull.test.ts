// docker pull and docker run of an image that is not here, through berth serve, from a real
// registry on 127.0.0.1 (Debian's docker-registry), as dockerd pulls: loopback needs no TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Berth, BUSYBOX_TAR } from './helpers.js';
import { ApiServer } from './api-helpers.js';
import { TestRegistry } from './registry-helpers.js';

const reg = new TestRegistry();
let b: Berth;
let api: ApiServer;
before(async () => {
  await reg.start();
  const r = spawnSync('skopeo', ['copy', '--dest-tls-verify=false', `oci-archive:${BUSYBOX_TAR}`, `docker://${reg.host}/lib/busybox:1`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  b = new Berth();
  api = new ApiServer(b);
  await api.start();
});
after(async () => {
  await api.stop();
  b.destroy();
  await reg.stop();
});

test('docker pull streams progress and stores the image berth then lists', () => {
  const r = api.docker(['pull', `${reg.host}/lib/busybox:1`], { timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr + api.log);
  assert.match(r.stdout, /Digest: sha256:[0-9a-f]{64}/);
  assert.match(b.ok(['images']), new RegExp(`${reg.host.replace(/\./g, '\\.')}/lib/busybox`));
});

test('a pull of what the registry does not have fails with its message', () => {
  const r = api.docker(['pull', `${reg.host}/lib/nothing:1`]);
  assert.notEqual(r.status, 0);
  assert.ok(r.stderr.length > 0);
});

test('docker run of an image not here pulls it first (create answers 404 No such image)', () => {
  b.run(['rmi', `${reg.host}/lib/busybox:1`]);
  const r = api.docker(['run', '--rm', '--network', 'none', `${reg.host}/lib/busybox:1`, 'echo', 'pulled'], { timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr + api.log);
  assert.match(r.stdout, /pulled\n$/);
  assert.match(r.stderr, /Unable to find image/);
});

test('docker push to the registry, with X-Registry-Auth sent as the CLI sends it; skopeo sees it', () => {
  api.dockerOk(['tag', `${reg.host}/lib/busybox:1`, `${reg.host}/pushed/box:2`]);
  const r = api.docker(['push', `${reg.host}/pushed/box:2`], { timeoutMs: 120_000 });
  assert.equal(r.status, 0, r.stderr + api.log);
  assert.match(r.stdout, /digest: sha256:[0-9a-f]{64}/);
  const seen = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/pushed/box:2`], { encoding: 'utf8' });
  assert.equal(seen.status, 0, seen.stderr);
  const missing = api.docker(['push', `${reg.host}/pushed/none:1`]);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /No such image/);
});

test('a registry with htpasswd: docker login checks through POST /auth, push and pull send X-Registry-Auth', async () => {
  const sec = new TestRegistry({ auth: 'htpasswd', users: { alice: 'secret' } });
  await sec.start();
  try {
    const bad = spawnSync('docker', ['login', '-u', 'alice', '--password-stdin', sec.host], { input: 'wrong\n', encoding: 'utf8', env: api.env,
      timeout: 30_000 });
    assert.notEqual(bad.status, 0, 'a wrong password is refused');
    const good = spawnSync('docker', ['login', '-u', 'alice', '--password-stdin', sec.host], { input: 'secret\n', encoding: 'utf8', env: api.env,
      timeout: 30_000 });
    assert.equal(good.status, 0, good.stderr + api.log);
    api.dockerOk(['tag', `${reg.host}/lib/busybox:1`, `${sec.host}/priv/box:1`]);
    const pushed = api.docker(['push', `${sec.host}/priv/box:1`], { timeoutMs: 120_000 });
    assert.equal(pushed.status, 0, pushed.stderr + api.log);
    assert.doesNotMatch(pushed.stdout, /error/i, pushed.stdout);
    api.dockerOk(['rmi', `${sec.host}/priv/box:1`]);
    const pulled = api.docker(['pull', `${sec.host}/priv/box:1`], { timeoutMs: 120_000 });
    assert.equal(pulled.status, 0, pulled.stderr + api.log);
    assert.match(b.ok(['images']), /priv\/box/);
    assert.equal(spawnSync('docker', ['logout', sec.host], { env: api.env }).status, 0);
    const anon = api.docker(['pull', `${sec.host}/priv/box:1`], { timeoutMs: 60_000 });
    assert.notEqual(anon.status, 0, 'without credentials the registry refuses');
  } finally {
    await sec.stop();
  }
});
