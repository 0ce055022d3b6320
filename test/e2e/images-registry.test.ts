// pull, push, login and logout against a real registry (Debian's docker-registry on 127.0.0.1),
// with skopeo as the other tool on each side.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Berth, BIN, BUSYBOX_TAR, NGINX_TAR, type ImageInspect, type RawManifest, type SkopeoInspect, jsonLines } from './helpers.js';
import { TestRegistry, freePort } from './registry-helpers.js';
import { createServer as createNetServer, connect, type Server } from 'node:net';

function skopeo(args: string[]): string {
  const r = spawnSync('skopeo', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skopeo ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Blobs visible under their digest, and partial downloads, in a root. */
function blobs(b: Berth): { whole: string[]; partial: string[] } {
  const dir = join(b.root, 'blobs/sha256');
  const all = existsSync(dir) ? readdirSync(dir) : [];
  return { whole: all.filter((n) => !n.startsWith('.')), partial: all.filter((n) => n.startsWith('.')) };
}

/**
 * Runs a shell command line on a pseudo-terminal (util-linux `script`), typing each answer only
 * once its prompt has shown, as a user would. Returns everything the terminal showed.
 */
function onTerminal(cmd: string, dialog: Array<[prompt: string, answer: string]>, timeoutMs = 60_000): Promise<string> {
  return new Promise((res, rej) => {
    const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'dumb' } });
    let shown = '';
    let from = 0;
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      rej(new Error(`timed out; the terminal showed: ${JSON.stringify(shown)}`));
    }, timeoutMs);
    const onOutput = (d: Buffer) => {
      shown += d.toString();
      while (dialog.length > 0 && shown.indexOf(dialog[0]![0], from) >= 0) {
        const [prompt, answer] = dialog.shift()!;
        from = shown.indexOf(prompt, from) + prompt.length;
        p.stdin.write(answer);
      }
    };
    p.stdout.on('data', onOutput);
    p.stderr.on('data', onOutput);
    p.on('close', () => {
      clearTimeout(timer);
      p.stdin.destroy();
      res(shown);
    });
  });
}

const imageIds = (b: Berth): string[] => jsonLines(b.ok(['image', 'ls', '--no-trunc', '--format', 'json'])).map((i) => i.ID!);

describe('registry without authentication', () => {
  const reg = new TestRegistry();
  let b: Berth;
  let tmp: string;
  before(async () => {
    await reg.start();
    b = new Berth();
    tmp = mkdtempSync('/tmp/berth-regtest-');
    // skopeo is the pusher here: the busybox archive goes in as an OCI image, nginx as docker v2s2.
    skopeo(['copy', '--dest-tls-verify=false', `oci-archive:${BUSYBOX_TAR}`, `docker://${reg.host}/lib/busybox:1`]);
    skopeo(['copy', '--dest-tls-verify=false', '--format', 'v2s2', `oci-archive:${NGINX_TAR}`, `docker://${reg.host}/lib/nginx:v2s2`]);
  });
  after(async () => {
    b.destroy();
    await reg.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('an image skopeo pushed (OCI manifest) is pulled and run by berth', () => {
    const r = b.run(['pull', '--tls-verify=false', `${reg.host}/lib/busybox:1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout.trim(), /^[a-f0-9]{64}$/);
    assert.match(r.stderr, /Copying blob [a-f0-9]{12}/, 'plain progress lines when stderr is not a terminal');
    const run = b.run(['run', '--rm', '--network', 'none', `${reg.host}/lib/busybox:1`, 'echo', 'pulled']);
    assert.equal(run.stdout, 'pulled\n', run.stderr);
    const digest = (JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/lib/busybox:1`])) as SkopeoInspect).Digest;
    const ins = (JSON.parse(b.ok(['image', 'inspect', `${reg.host}/lib/busybox:1`])) as ImageInspect[])[0]!;
    assert.deepEqual(ins.RepoDigests, [`${reg.host}/lib/busybox@${digest}`]);
    assert.deepEqual(blobs(b).partial, []);
  });

  test('a second pull fetches nothing again', () => {
    const r = b.run(['pull', '--tls-verify=false', `${reg.host}/lib/busybox:1`]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /skipped: already exists/);
    assert.doesNotMatch(r.stderr, /blob [a-f0-9]{12} done/);
  });

  test('a docker v2 schema 2 image (skopeo --format v2s2) is pulled and runs', () => {
    b.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/lib/nginx:v2s2`]);
    const r = b.run(['run', '--rm', '--network', 'none', `${reg.host}/lib/nginx:v2s2`, 'nginx', '-v']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /nginx version/);
    // Pushed back as it was stored: the Docker manifest keeps its bytes and so its digest.
    b.ok(['push', '-q', '--tls-verify=false', `${reg.host}/lib/nginx:v2s2`, `${reg.host}/copy/nginx:1`]);
    const src = (JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/lib/nginx:v2s2`])) as SkopeoInspect).Digest;
    const dst = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/copy/nginx:1`])) as SkopeoInspect;
    assert.equal(dst.Digest, src);
    assert.match(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/copy/nginx:1`]),
      /application\/vnd\.docker\.distribution\.manifest\.v2\+json/);
  });

  test('berth pushes; skopeo inspects it; the digest is the one berth stored', () => {
    b.importBusybox();
    const r = b.run(['push', '--tls-verify=false', 'busybox', `${reg.host}/mine/box:7`]);
    assert.equal(r.status, 0, r.stderr);
    const ins = JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/mine/box:7`])) as SkopeoInspect;
    const local = (JSON.parse(b.ok(['image', 'inspect', 'busybox'])) as ImageInspect[])[0]!;
    assert.equal(ins.Digest, local.RepoDigests[0]!.split('@')[1]);
    assert.deepEqual(ins.Env ?? [], local.Config.Env);
    // And back: a fresh root pulls what berth pushed, by digest too.
    const other = new Berth();
    try {
      other.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/mine/box@${ins.Digest}`]);
      assert.equal(other.run(['run', '--rm', '--network', 'none', `${reg.host}/mine/box@${ins.Digest}`, 'true']).status, 0);
    } finally {
      other.destroy();
    }
  });

  test('push skips blobs the repository has and mounts blobs from another repository', () => {
    b.ok(['tag', 'busybox', `${reg.host}/mine/box:8`]);
    const again = b.run(['push', '--tls-verify=false', `${reg.host}/mine/box:8`]);
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /blob [a-f0-9]{12} done/);
    assert.match(again.stderr, /skipped: already exists/);
    const mounted = b.run(['push', '--tls-verify=false', `${reg.host}/mine/box:8`, `${reg.host}/elsewhere/box:1`]);
    assert.equal(mounted.status, 0, mounted.stderr);
    assert.match(mounted.stderr, /mounted/);
    skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/elsewhere/box:1`]);
  });

  test('an image index: linux/amd64 by default, another platform with --platform', async () => {
    // The index lists busybox as amd64 and nginx as arm64 (the registry only checks they exist).
    const m = (repo: string, tag: string) => {
      const raw = skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/${repo}:${tag}`]);
      return { mediaType: (JSON.parse(raw) as RawManifest).mediaType, size: Buffer.byteLength(raw),
        digest: (JSON.parse(skopeo(['inspect', '--tls-verify=false', `docker://${reg.host}/${repo}:${tag}`])) as SkopeoInspect).Digest };
    };
    skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/lib/nginx:v2s2`, `docker://${reg.host}/multi/img:nginx`]);
    skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/lib/busybox:1`, `docker://${reg.host}/multi/img:busybox`]);
    const bb = m('multi/img', 'busybox');
    const ng = m('multi/img', 'nginx');
    const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [
      { ...ng, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { ...bb, platform: { os: 'linux', architecture: 'amd64' } },
    ] };
    const put = await fetch(`http://${reg.host}/v2/multi/img/manifests/all`, { method: 'PUT', headers: { 'content-type': index.mediaType },
      body: JSON.stringify(index) });
    assert.equal(put.status, 201, await put.text());
    const other = new Berth();
    try {
      const amd = other.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/multi/img:all`]).trim();
      const bbConfig = (JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/lib/busybox:1`])) as RawManifest).config.digest;
      assert.equal(`sha256:${amd}`, bbConfig, 'linux/amd64 is the busybox entry');
      assert.equal(other.run(['run', '--rm', '--network', 'none', `${reg.host}/multi/img:all`, 'busybox', 'true']).status, 0);
      const arm = other.ok(['pull', '-q', '--tls-verify=false', '--platform', 'linux/arm64', `${reg.host}/multi/img:all`]).trim();
      assert.notEqual(arm, amd);
      const none = other.run(['pull', '--tls-verify=false', '--platform', 'linux/s390x', `${reg.host}/multi/img:all`]);
      assert.equal(none.status, 125);
      assert.match(none.stderr, /no image for linux\/s390x \(it has linux\/arm64\/v8, linux\/amd64\)/);
    } finally {
      other.destroy();
    }
  });

  test('short names go through the search list in registries.json', () => {
    const other = new Berth();
    try {
      writeFileSync(join(other.root, 'registries.json'), JSON.stringify({ search: [reg.host], insecure: [reg.host] }));
      other.ok(['pull', '-q', 'lib/busybox:1']);
      assert.ok(
        jsonLines(other.ok(['image', 'ls', '--format', 'json'])).some((i) => i.Repository === `${reg.host}/lib/busybox`),
      );
    } finally {
      other.destroy();
    }
  });

  test('run, create and build pull a missing image first (--pull missing by default), never and always as asked', () => {
    const other = new Berth();
    try {
      const ref = `${reg.host}/lib/busybox:1`;
      const never = other.run(['run', '--rm', '--network', 'none', '--pull', 'never', ref, 'true']);
      assert.equal(never.status, 125);
      assert.match(never.stderr, /image not found/);
      const first = other.run(['run', '--rm', '--network', 'none', '--tls-verify=false', ref, 'echo', 'auto']);
      assert.equal(first.stdout, 'auto\n', first.stderr);
      assert.match(first.stderr, new RegExp(`Unable to find image '${ref}' locally`));
      assert.match(first.stderr, /Copying blob [a-f0-9]{12}/);
      const again = other.run(['run', '--rm', '--network', 'none', ref, 'true']);
      assert.equal(again.status, 0, again.stderr);
      assert.equal(again.stderr, '', 'an image already here is not pulled again');
      const always = other.run(['create', '--name', 'asked', '--pull=always', '--tls-verify=false', ref]);
      assert.equal(always.status, 0, always.stderr);
      assert.match(always.stderr, /skipped: already exists/);
      other.ok(['rm', 'asked']);
      const dir = mkdtempSync('/tmp/berth-pullbuild-');
      try {
        writeFileSync(join(dir, 'Containerfile'), `FROM ${reg.host}/lib/nginx:v2s2\nCMD ["nginx", "-v"]\n`);
        const built = other.run(['build', '--tls-verify=false', '-t', 'from-registry', dir]);
        assert.equal(built.status, 0, built.stderr);
        assert.match(built.stderr, /Copying blob/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      // A short name with no search registry configured is looked up here only.
      const short = other.run(['run', '--rm', 'nosuchimage', 'true']);
      assert.equal(short.status, 125);
      assert.match(short.stderr, /image not found: nosuchimage/);
      assert.doesNotMatch(short.stderr, /Unable to find/);
      const bad = other.run(['run', '--pull', 'sometimes', ref, 'true']);
      assert.equal(bad.status, 125);
      assert.match(bad.stderr, /invalid --pull "sometimes"/);
      assert.equal((jsonLines<unknown>(other.ok(['ps', '-a', '--format', 'json']))).length, 0);
    } finally {
      other.destroy();
    }
  });

  test('bad input: a missing tag, an unreachable registry, plain HTTP without --tls-verify=false; nothing stored', () => {
    const other = new Berth();
    try {
      const missing = other.run(['pull', '--tls-verify=false', `${reg.host}/lib/busybox:nope`]);
      assert.equal(missing.status, 125);
      assert.match(missing.stderr, /berth: 127\.0\.0\.1:\d+\/lib\/busybox: manifest unknown/);
      const unreachable = other.run(['pull', '--tls-verify=false', '127.0.0.1:1/lib/busybox:1']);
      assert.equal(unreachable.status, 125);
      assert.match(unreachable.stderr, /cannot reach registry 127\.0\.0\.1:1: connection refused/);
      const tls = other.run(['pull', `${reg.host}/lib/busybox:1`]);
      assert.equal(tls.status, 125);
      assert.match(tls.stderr, /does not speak HTTPS/);
      for (const r of [missing, unreachable, tls]) assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1);
      assert.deepEqual(imageIds(other), []);
      assert.deepEqual(blobs(other), { whole: [], partial: [] });
    } finally {
      other.destroy();
    }
  });

  test('a damaged blob in the registry is refused by digest and nothing is stored', () => {
    skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/lib/busybox:1`, `docker://${reg.host}/damaged/box:1`]);
    const manifest = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/damaged/box:1`])) as RawManifest;
    const layer = manifest.layers[0]!.digest;
    const data = reg.blobData(layer);
    const saved = readFileSync(data);
    const bad = Buffer.from(saved);
    bad.writeUInt8(bad.readUInt8(bad.length - 100) ^ 0xff, bad.length - 100);
    writeFileSync(data, bad);
    const other = new Berth();
    try {
      const r = other.run(['pull', '--tls-verify=false', `${reg.host}/damaged/box:1`]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, new RegExp(`blob ${layer} of .* has digest sha256:`));
      assert.deepEqual(imageIds(other), []);
      assert.deepEqual(blobs(other), { whole: [], partial: [] });
      const layers = join(other.root, 'layers');
      assert.deepEqual(existsSync(layers) ? readdirSync(layers).filter((n) => !n.startsWith('.')) : [], []);
    } finally {
      writeFileSync(data, saved);
      other.destroy();
    }
  });

  test('a blob damaged in its middle, while its layer is unpacking, leaves no blob, layer or half-unpacked directory', () => {
    skopeo(['copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${reg.host}/lib/nginx:v2s2`, `docker://${reg.host}/midway/box:1`]);
    const manifest = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/midway/box:1`])) as RawManifest;
    const biggest = [...(manifest.layers as Array<{ digest: string; size: number }>)].sort((x, y) => y.size - x.size)[0]!.digest;
    const data = reg.blobData(biggest);
    const saved = readFileSync(data);
    const bad = Buffer.from(saved);
    for (let i = bad.length >> 1; i < (bad.length >> 1) + 512; i++) bad[i] = bad[i]! ^ 0xa5;
    writeFileSync(data, bad);
    const other = new Berth();
    try {
      const r = other.run(['pull', '--tls-verify=false', `${reg.host}/midway/box:1`]);
      assert.equal(r.status, 125);
      assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`blob ${biggest} of .* has digest sha256:`));
      assert.deepEqual(imageIds(other), []);
      assert.deepEqual(blobs(other), { whole: [], partial: [] });
      const layers = join(other.root, 'layers');
      assert.deepEqual(existsSync(layers) ? readdirSync(layers) : [], [], 'not even a .tmp- directory');
    } finally {
      writeFileSync(data, saved);
      other.destroy();
    }
  });

  test('two pulls of one image at once into one root both succeed', async () => {
    const other = new Berth();
    try {
      const ref = `${reg.host}/lib/nginx:v2s2`;
      const [x, y] = await Promise.all([other.runAsync(['pull', '-q', '--tls-verify=false', ref]), other.runAsync(['pull', '-q', '--tls-verify=false', ref])]);
      assert.equal(x.status, 0, x.stderr);
      assert.equal(y.status, 0, y.stderr);
      assert.equal(x.stdout, y.stdout);
      assert.deepEqual(blobs(other).partial, []);
      assert.equal((await other.runAsync(['run', '--rm', '--network', 'none', ref, 'nginx', '-v'])).status, 0);
    } finally {
      other.destroy();
    }
  });

  test('an interrupted pull is completed by the next one (resumed from the partial blob)', () => {
    const manifest = JSON.parse(skopeo(['inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/lib/busybox:1`])) as RawManifest;
    const layer = manifest.layers[0]!.digest;
    const data = readFileSync(reg.blobData(layer));
    const other = new Berth();
    try {
      // What a killed pull leaves: half the blob under its partial name, nothing under its digest.
      other.ok(['images']);
      const dir = join(other.root, 'blobs/sha256');
      spawnSync('mkdir', ['-p', dir]);
      const partial = join(dir, `.tmp-pull-${layer.slice(7)}`);
      const fd = openSync(partial, 'w');
      writeSync(fd, data.subarray(0, Math.floor(data.length / 2)));
      closeSync(fd);
      assert.equal(other.run(['run', '--rm', '--network', 'none', `${reg.host}/lib/busybox:1`, 'true']).status, 125, 'no image yet');
      other.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/lib/busybox:1`]);
      assert.equal(existsSync(partial), false);
      assert.equal(statSync(join(dir, layer.slice(7))).size, data.length);
      assert.equal(other.run(['run', '--rm', '--network', 'none', `${reg.host}/lib/busybox:1`, 'true']).status, 0);
    } finally {
      other.destroy();
    }
  });
});

describe('a connection that drops in the middle of a blob', () => {
  const reg = new TestRegistry();
  let proxy: Server;
  let port = 0;
  let cuts = 0;
  let ranges = 0;
  before(async () => {
    await reg.start();
    skopeo(['copy', '--dest-tls-verify=false', `oci-archive:${BUSYBOX_TAR}`, `docker://${reg.host}/lib/busybox:1`]);
    // A TCP proxy that cuts the first connection which has carried 300 kB back to the client.
    proxy = createNetServer((client) => {
      const upstream = connect(reg.port, '127.0.0.1');
      let down = 0;
      client.on('data', (d: Buffer) => {
        if (/^GET [^\r]*\r\n(?:[^\r]+\r\n)*range: bytes=/im.test(d.toString('latin1'))) ranges++;
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        down += d.length;
        if (cuts === 0 && down > 300_000) {
          cuts++;
          client.destroy();
          upstream.destroy();
          return;
        }
        client.write(d);
      });
      const end = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    port = await freePort();
    await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
  });
  after(async () => {
    await new Promise<void>((r) => proxy.close(() => r()));
    await reg.stop();
  });

  test('is retried, resuming with a Range request, and the pull completes', async () => {
    const b = new Berth();
    try {
      const r = await b.runAsync(['pull', '--tls-verify=false', `127.0.0.1:${port}/lib/busybox:1`]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(cuts, 1, 'the proxy cut a connection');
      assert.ok(ranges >= 1, 'the download resumed with a Range request');
      assert.deepEqual(blobs(b).partial, []);
      const run = await b.runAsync(['run', '--rm', '--network', 'none', `127.0.0.1:${port}/lib/busybox:1`, 'echo', 'whole']);
      assert.equal(run.stdout, 'whole\n', run.stderr);
    } finally {
      b.destroy();
    }
  });
});

describe('registry with htpasswd authentication', () => {
  const reg = new TestRegistry({ auth: 'htpasswd', users: { alice: 'secret' } });
  let b: Berth;
  before(async () => {
    await reg.start();
    b = new Berth();
    b.importBusybox();
  });
  after(async () => {
    b.destroy();
    await reg.stop();
  });

  test('push and pull need a login; a wrong password is refused and not stored', () => {
    const anon = b.run(['push', '--tls-verify=false', 'busybox', `${reg.host}/sec/box:1`]);
    assert.equal(anon.status, 125);
    assert.match(anon.stderr, /requires authentication/);
    const wrong = b.run(['login', '--tls-verify=false', '-u', 'alice', '-p', 'wrong', reg.host]);
    assert.equal(wrong.status, 125);
    assert.match(wrong.stderr, /refused the credentials of user "alice"/);
    assert.equal(existsSync(join(b.root, 'auth.json')), false);
    const ok = b.run(['login', '--tls-verify=false', '-u', 'alice', '--password-stdin', reg.host], { input: 'secret\n' });
    assert.equal(ok.status, 0, ok.stderr);
    const auth = join(b.root, 'auth.json');
    assert.equal(statSync(auth).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(auth, 'utf8')), { auths: { [reg.host]: { auth: Buffer.from('alice:secret').toString('base64') } } });
    b.ok(['push', '--tls-verify=false', 'busybox', `${reg.host}/sec/box:1`]);
    // skopeo reads berth's auth file (Docker's format).
    skopeo(['inspect', '--tls-verify=false', '--authfile', auth, `docker://${reg.host}/sec/box:1`]);
    const other = new Berth();
    try {
      const denied = other.run(['pull', '--tls-verify=false', `${reg.host}/sec/box:1`]);
      assert.equal(denied.status, 125);
      assert.match(denied.stderr, /requires authentication/);
      other.ok(['pull', '-q', '--tls-verify=false', '--authfile', auth, `${reg.host}/sec/box:1`]);
    } finally {
      other.destroy();
    }
    assert.match(b.ok(['logout', reg.host]), /Removed login credentials/);
    assert.deepEqual(JSON.parse(readFileSync(auth, 'utf8')), { auths: {} });
    const again = b.run(['logout', reg.host]);
    assert.equal(again.status, 125);
    assert.match(again.stderr, /not logged into/);
  });
  test('login asks at the terminal for what is missing, without echoing the password', async () => {
    const u = new Berth();
    try {
      const login = `"${BIN}" --root ${u.root} --runroot ${u.runroot} login --tls-verify=false ${reg.host}`;
      // A typo fixed with Backspace on the way; the terminal is as it was afterwards.
      const shown = await onTerminal(`${login}; echo "rc=$?"; stty -a`, [['Username: ', 'alice\r'], ['Password: ', 'secrX\x7fet\r']]);
      assert.match(shown, /rc=0/, shown);
      assert.match(shown, /Username: alice/);
      assert.match(shown, /Login Succeeded!/);
      const dialog = shown.slice(0, shown.indexOf('rc='));
      assert.doesNotMatch(dialog, /secr|X/, 'the password is not echoed');
      assert.match(shown, /(^|[\s;])echo($|[\s;])/m, 'echo is back on');
      assert.match(shown, /(^|[\s;])icanon($|[\s;])/m, 'line mode is back on');
      const auth = join(u.root, 'auth.json');
      assert.equal(statSync(auth).mode & 0o777, 0o600);
      assert.deepEqual(JSON.parse(readFileSync(auth, 'utf8')), { auths: { [reg.host]: { auth: Buffer.from('alice:secret').toString('base64') } } });
    } finally {
      u.destroy();
    }
  });

  test('login -u asks only for the password; Ctrl-C there exits 130 and restores the terminal', async () => {
    const u = new Berth();
    try {
      const login = `"${BIN}" --root ${u.root} --runroot ${u.runroot} login --tls-verify=false -u alice ${reg.host}`;
      const shown = await onTerminal(`${login}; echo "rc=$?"; stty -a`, [['Password: ', 'sec\x03']]);
      assert.match(shown, /rc=130/, shown);
      assert.doesNotMatch(shown, /Username/);
      assert.doesNotMatch(shown.slice(0, shown.indexOf('rc=')), /sec/, 'what was typed is not echoed');
      assert.match(shown, /(^|[\s;])echo($|[\s;])/m, 'echo is back on');
      assert.match(shown, /(^|[\s;])icanon($|[\s;])/m, 'line mode is back on');
      assert.equal(existsSync(join(u.root, 'auth.json')), false);
    } finally {
      u.destroy();
    }
  });

  test('login without a terminal and without -u or a password says what is missing', () => {
    const noUser = b.run(['login', '--tls-verify=false', reg.host], { input: '' });
    assert.equal(noUser.status, 125);
    assert.match(noUser.stderr, /a user name is needed: -u USER/);
    const noPassword = b.run(['login', '--tls-verify=false', '-u', 'alice', reg.host], { input: '' });
    assert.equal(noPassword.status, 125);
    assert.match(noPassword.stderr, /a password is needed: -p PASSWORD or --password-stdin/);
  });
});

describe('registry with bearer tokens', () => {
  const reg = new TestRegistry({ auth: 'token', users: { bob: 'hunter2' } });
  let b: Berth;
  before(async () => {
    await reg.start();
    b = new Berth();
    b.importBusybox();
  });
  after(async () => {
    b.destroy();
    await reg.stop();
  });

  test('login, push and pull through the token service, with the scopes asked for', async () => {
    const wrong = await b.runAsync(['login', '--tls-verify=false', '-u', 'bob', '-p', 'nope', reg.host]);
    assert.equal(wrong.status, 125, wrong.stderr);
    const ok = await b.runAsync(['login', '--tls-verify=false', '-u', 'bob', '-p', 'hunter2', reg.host]);
    assert.equal(ok.status, 0, ok.stderr);
    const push = await b.runAsync(['push', '--tls-verify=false', 'busybox', `${reg.host}/tok/box:1`]);
    assert.equal(push.status, 0, push.stderr);
    assert.ok(reg.scopes.includes('repository:tok/box:pull,push'), reg.scopes.join(' '));
    const pull = await b.runAsync(['pull', '-q', '--tls-verify=false', `${reg.host}/tok/box:1`]);
    assert.equal(pull.status, 0, pull.stderr);
    assert.ok(reg.scopes.includes('repository:tok/box:pull'));
  });
});

describe('registry over HTTPS with a self-signed certificate', () => {
  const reg = new TestRegistry({ tls: true });
  let b: Berth;
  before(async () => {
    await reg.start();
    b = new Berth();
    b.importBusybox();
  });
  after(async () => {
    b.destroy();
    await reg.stop();
  });

  test('refused with certificate checks, works with --tls-verify=false', () => {
    const strict = b.run(['push', 'busybox', `${reg.host}/tls/box:1`]);
    assert.equal(strict.status, 125);
    assert.match(strict.stderr, /certificate not trusted/);
    b.ok(['push', '--tls-verify=false', 'busybox', `${reg.host}/tls/box:1`]);
    const other = new Berth();
    try {
      other.ok(['pull', '-q', '--tls-verify=false', `${reg.host}/tls/box:1`]);
    } finally {
      other.destroy();
    }
  });
});
