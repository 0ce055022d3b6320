// berth build, commit and export as a user meets them: real containers for RUN, the cache,
// multi-stage builds, and failures that leave nothing behind.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Berth, BIN, until, type ImageInspect, jsonLines } from './helpers.js';

let b: Berth;
let ctx: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  ctx = mkdtempSync('/tmp/berth-buildctx-');
});
after(() => {
  b.destroy();
  rmSync(ctx, { recursive: true, force: true });
});

function context(name: string, files: Record<string, string>): string {
  const dir = join(ctx, name);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  return dir;
}

const run = (image: string, ...cmd: string[]) => b.run(['run', '--rm', '--network', 'none', image, ...cmd]);

test('a multi-stage build with every instruction; the result runs with its config', () => {
  const dir = context('full', {
    Containerfile: [
      'ARG BASE=busybox',
      'FROM $BASE AS builder',
      'ARG GREETING=hi',
      'RUN echo "$GREETING from the builder" > /greeting',
      'FROM scratch AS files',
      'COPY sub/a.txt /a.txt',
      'FROM busybox',
      'LABEL org.example.name="test image" version=1',
      'ENV APP=/app \\',
      '    MODE=prod',
      'WORKDIR $APP',
      'COPY --from=builder /greeting ./',
      'COPY --from=files /a.txt from-scratch.txt',
      'COPY sub/ data/',
      'COPY --chown=1000:1000 --chmod=600 sub/a.txt /secret.txt',
      'ADD files.tgz /unpacked/',
      'ADD more.tar.xz /unpacked/xz/',
      'SHELL ["/bin/sh", "-c"]',
      'RUN rm /etc/motd 2>/dev/null; rm -rf /tmp && echo done > marker',
      'EXPOSE 8080 53/udp',
      'VOLUME /data',
      'USER nobody',
      'STOPSIGNAL SIGINT',
      'HEALTHCHECK --interval=5s --retries=2 CMD ["true"]',
      'ENTRYPOINT ["sh", "-c"]',
      'CMD ["cat greeting from-scratch.txt data/a.txt /unpacked/in.txt /unpacked/xz/in.txt marker; echo $MODE; id -u"]',
    ].join('\n'),
    'sub/a.txt': 'from the context\n',
    'skip/secret': 'must not be copied\n',
    '.containerignore': 'skip\n',
  });
  mkdirSync(join(dir, 't'));
  writeFileSync(join(dir, 't/in.txt'), 'inside the tarball\n');
  spawnSync('tar', ['czf', join(dir, 'files.tgz'), '-C', join(dir, 't'), 'in.txt']);
  spawnSync('tar', ['cJf', join(dir, 'more.tar.xz'), '-C', join(dir, 't'), 'in.txt']);
  const r = b.run(['build', '--build-arg', 'GREETING=howdy', '-t', 'built:1', '-t', 'other/built', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^[a-f0-9]{64}$/);
  assert.match(r.stderr, /STEP 1\/24: FROM \$BASE AS builder/);
  assert.match(r.stderr, /Successfully tagged localhost\/built:1/);
  const out = run('built:1');
  assert.equal(out.stdout, 'howdy from the builder\nfrom the context\nfrom the context\ninside the tarball\ninside the tarball\ndone\nprod\n65534\n',
    out.stderr);
  const cfg = (JSON.parse(b.ok(['image', 'inspect', 'localhost/other/built:latest'])) as ImageInspect[])[0]!.Config;
  assert.equal(cfg.WorkingDir, '/app');
  assert.equal(cfg.User, 'nobody');
  assert.equal(cfg.StopSignal, 'SIGINT');
  assert.deepEqual(cfg.Labels, { 'org.example.name': 'test image', version: '1' });
  assert.deepEqual(Object.keys(cfg.ExposedPorts ?? {}).sort(), ['53/udp', '8080/tcp']);
  assert.deepEqual(Object.keys(cfg.Volumes ?? {}), ['/data']);
  assert.deepEqual(cfg.Healthcheck, { Test: ['CMD', 'true'], Interval: 5e9, Retries: 2 });
  assert.deepEqual(cfg.Entrypoint, ['sh', '-c']);
  const perms = b.run(['run', '--rm', '--network', 'none', '--user', '0', '--entrypoint', '', 'built:1', 'sh', '-c',
    'stat -c "%u:%g %a" /secret.txt; ls -d /tmp /etc/motd 2>&1; ls /app; test -e /app/skip || echo no-skip']);
  assert.match(perms.stdout, /^1000:1000 600\n/);
  assert.match(perms.stdout, /\/tmp: No such file or directory/);
  assert.match(perms.stdout, /no-skip/);
  assert.doesNotMatch(perms.stdout, /hosts|resolv/);
});

test('an unchanged rebuild comes from the cache and gives the same image', () => {
  const dir = context('cache', { Containerfile: 'FROM busybox\nRUN cat /proc/sys/kernel/random/uuid > /stamp\nCOPY f /f\nCMD ["cat", "/stamp"]\n',
    f: 'one\n' });
  const first = b.ok(['build', '-q', '-t', 'cached:1', dir]).trim();
  const again = b.run(['build', '-t', 'cached:2', dir]);
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout.trim(), first);
  assert.equal((again.stderr.match(/Using cache/g) ?? []).length, 3);
  // A changed file reruns its COPY, not the RUN before it.
  writeFileSync(join(dir, 'f'), 'two\n');
  const changed = b.run(['build', '-t', 'cached:3', dir]);
  assert.equal(changed.status, 0, changed.stderr);
  assert.notEqual(changed.stdout.trim(), first);
  assert.equal(run('cached:3').stdout, run('cached:1').stdout, 'the RUN layer was reused');
  assert.doesNotMatch(b.ok(['images']), /<none>/, 'build-cache steps are not listed');
  const df = jsonLines(b.ok(['system', 'df', '--format', 'json']));
  assert.ok(Number(df.find((l) => l.Type === 'Build Cache')!.TotalCount) >= 2, 'system df counts the build cache');
  assert.match(b.ok(['image', 'prune']), /reclaimed space: 0B/, 'a plain prune keeps the build cache');
  assert.match(b.run(['build', '-t', 'cached:3', dir]).stderr, /Using cache/);
  const nocache = b.run(['build', '--no-cache', '-t', 'cached:4', dir]);
  assert.doesNotMatch(nocache.stderr, /Using cache/);
  assert.notEqual(run('cached:4').stdout, run('cached:1').stdout);
});

test('-f from elsewhere, .dockerignore, COPY --from an image, a build arg in FROM', () => {
  const dir = context('misc', { 'keep.txt': 'kept\n', 'drop.log': 'dropped\n', '.dockerignore': '*.log\n' });
  const file = join(ctx, 'elsewhere.Containerfile');
  writeFileSync(file, 'ARG BASE=nosuch\nFROM ${BASE}\nCOPY --from=busybox /bin/busybox /copied-busybox\nCOPY . /ctx/\nCMD ["ls", "/ctx"]\n');
  const r = b.run(['build', '-f', file, '--build-arg', 'BASE=busybox', '--build-arg', 'UNUSED=1', '-t', 'misc:1', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /build args not consumed by the Containerfile: UNUSED/);
  assert.equal(run('misc:1').stdout, 'keep.txt\n');
  assert.equal(run('misc:1', 'cmp', '/copied-busybox', '/bin/busybox').status, 0);
});

test('--target stops at a stage; --network none is the default for RUN, host when asked', () => {
  const dir = context('target', { Containerfile: 'FROM busybox AS one\nRUN ip -o link | grep -vc " lo:" > /links || true\nFROM one AS two\nRUN false\n' });
  const r = b.run(['build', '--target', 'one', '-t', 'stage:one', dir]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(run('stage:one', 'cat', '/links').stdout.trim(), '0', 'only loopback inside a build container');
  const host = context('hostnet', { Containerfile: 'FROM busybox\nRUN ip -o link | grep -vc " lo:" > /links || true\n' });
  const h = b.run(['build', '--network', 'host', '-t', 'stage:host', host]);
  assert.equal(h.status, 0, h.stderr);
  assert.notEqual(run('stage:host', 'cat', '/links').stdout.trim(), '0', "--network host sees the host's links");
  const bad = b.run(['build', '--network', 'bridge', host]);
  assert.equal(bad.status, 125);
});

test('bad input: a failing RUN names its exit code and shows its output; an unknown instruction; nothing is left', () => {
  const before = readdirSync(join(b.root, 'containers'));
  const images = b.ok(['images', '-q']);
  const failing = context('fail', { Containerfile: 'FROM busybox\nRUN echo visible-output; echo on-stderr >&2; exit 3\n' });
  const r = b.run(['build', '-t', 'nope:1', failing]);
  assert.equal(r.status, 125);
  assert.match(r.stderr, /visible-output/);
  assert.match(r.stderr, /on-stderr/);
  assert.match(r.stderr, /berth: Containerfile line 2: "RUN echo visible-output; echo on-stderr >&2; exit 3" failed with exit code 3/);
  const unknown = context('unknown', { Containerfile: 'FROM busybox\nFROBNICATE x\n' });
  const u = b.run(['build', unknown]);
  assert.equal(u.status, 125);
  assert.match(u.stderr, /line 2: unknown instruction "FROBNICATE"/);
  const missing = context('missing', { Containerfile: 'FROM busybox\nCOPY nothere /x\n' });
  const m = b.run(['build', missing]);
  assert.equal(m.status, 125);
  assert.match(m.stderr, /"nothere" not found in the build context/);
  const nobase = context('nobase', { Containerfile: 'FROM no-such-image:1\n' });
  const n = b.run(['build', nobase]);
  assert.equal(n.status, 125);
  assert.match(n.stderr, /base image no-such-image:1 not found/);
  for (const x of [r, u, m, n]) assert.equal(x.stderr.split('\n').filter((l) => l.startsWith('berth:')).length, 1);
  assert.deepEqual(readdirSync(join(b.root, 'containers')), before, 'no build container is left');
  assert.equal(b.ok(['images', '-q']), images, 'no image is added');
  assert.equal(b.ok(['ps', '-aq']).trim().split('\n').filter(Boolean).length, 0);
  const tmp = join(b.root, 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], []);
});

test('a build killed during a RUN removes its container', async () => {
  const dir = context('killed', { Containerfile: 'FROM busybox\nRUN echo started; sleep 60\n' });
  const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'build', '--no-cache', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await until(() => /^started$/m.test(err), 30_000).catch(() => {
    throw new Error(`no output in time: ${err}`);
  });
  assert.equal(b.ok(['ps', '-aq']).trim().split('\n').filter(Boolean).length, 1, 'the RUN container exists');
  const code = await new Promise<number | null>((r) => {
    p.on('exit', (c) => r(c));
    p.kill('SIGTERM');
  });
  assert.equal(code, 143);
  assert.equal(b.ok(['ps', '-aq']).trim(), '');
});

test('a build killed with -9 leaves a container the next build removes', async () => {
  const dir = context('killed9', { Containerfile: 'FROM busybox\nRUN echo started; sleep 60\n' });
  const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'build', '--no-cache', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  await until(() => /^started$/m.test(err), 30_000);
  await new Promise<void>((r) => {
    p.on('exit', () => r());
    p.kill('SIGKILL');
  });
  const listed = b.ok(['ps', '-a']);
  assert.match(listed, /berth-build-\d+-/, `${listed}\n${err}\n${readdirSync(join(b.root, 'containers')).join(' ')}`);
  const next = b.run(['build', '-q', context('after9', { Containerfile: 'FROM busybox\nCMD ["true"]\n' })]);
  assert.equal(next.status, 0, next.stderr);
  assert.equal(b.ok(['ps', '-aq']).trim(), '', "the killed build's container is gone");
});

test('an export killed with -9 leaves a mount the next export removes', async () => {
  b.ok(['create', '--name', 'exported', '--network', 'none', 'busybox', 'true']);
  const mounts = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(join(b.runroot, 'export'))).length;
  // Nobody reads its stdout: the export blocks with its private mount in place.
  const p = spawn(BIN, ['--root', b.root, '--runroot', b.runroot, 'export', 'exported'], { stdio: ['ignore', 'pipe', 'ignore'] });
  p.stdout.pause();
  await until(() => mounts() > 0, 20_000);
  await new Promise<void>((r) => {
    p.on('exit', () => r());
    p.kill('SIGKILL');
  });
  assert.equal(mounts(), 1, 'the killed export left its mount');
  const again = spawnSync(BIN, ['--root', b.root, '--runroot', b.runroot, 'export', 'exported'], { maxBuffer: 64 << 20 });
  assert.equal(again.status, 0, String(again.stderr));
  assert.ok(again.stdout.length > 1_000_000);
  assert.equal(mounts(), 0);
  b.ok(['rm', 'exported']);
});

test("commit turns a container's changes, deletions included, into a layer; export writes its filesystem", () => {
  b.ok(['run', '--name', 'changer', '--network', 'none', 'busybox', 'sh', '-c',
    'echo new > /etc/motd2; rm /etc/group; mkdir -p /opt/x && echo y > /opt/x/f; rm -rf /tmp; mkdir /tmp; touch /tmp/fresh']);
  const id = b.ok(['commit', '-c', 'CMD ["cat", "/etc/motd2"]', '-m', 'a message', 'changer', 'committed:1']).trim();
  assert.match(id, /^[a-f0-9]{64}$/);
  assert.equal(run('committed:1').stdout, 'new\n');
  const look = run('committed:1', 'sh', '-c', 'ls /etc/group 2>&1; cat /opt/x/f; ls -A /tmp');
  assert.equal(look.stdout, 'ls: /etc/group: No such file or directory\ny\nfresh\n');
  const layers = (JSON.parse(b.ok(['image', 'inspect', 'committed:1'])) as ImageInspect[])[0]!.RootFS.Layers;
  const baseLayers = (JSON.parse(b.ok(['image', 'inspect', 'busybox'])) as ImageInspect[])[0]!.RootFS.Layers;
  assert.equal(layers.length, baseLayers.length + 1);
  const file = join(ctx, 'export.tar');
  b.ok(['export', '-o', file, 'changer']);
  const names = spawnSync('tar', ['tf', file], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(names.includes('etc/motd2') && names.includes('opt/x/f') && names.includes('tmp/fresh'));
  assert.ok(!names.includes('etc/group'), 'a deleted file is not exported');
  assert.ok(names.includes('bin/busybox'), "the image's files are exported too");
  // The new layer carries OCI whiteouts for what the container deleted.
  const saved = join(ctx, 'committed.tar');
  b.ok(['save', '--format', 'docker-archive', '-o', saved, 'committed:1']);
  const top = spawnSync('sh', ['-c', `tar xOf ${saved} ${layers[layers.length - 1]!.slice(7)}/layer.tar | tar t`], { encoding: 'utf8' }).stdout.split('\n');
  assert.ok(top.includes('etc/.wh.group'), top.join(' '));
  assert.ok(top.includes('tmp/.wh..wh..opq'), top.join(' '));
  b.ok(['rm', 'changer']);
});

test("history: one entry per instruction, newest first, each layer with its size; the example images are berth's own builds", () => {
  const dir = context('hist', { Containerfile: 'FROM busybox\nENV A=1\nRUN echo hi > /f\nCMD ["cat", "/f"]\n' });
  b.ok(['build', '-t', 'hist:1', dir]);
  const h = jsonLines(b.ok(['history', '--no-trunc', '--format', 'json', 'hist:1']));
  assert.deepEqual(h.slice(0, 3).map((e) => e.CreatedBy), ['/bin/sh -c #(nop) CMD ["cat", "/f"]', 'RUN echo hi > /f', '/bin/sh -c #(nop) ENV A=1']);
  assert.equal(h[1]!.Size, '3B');
  assert.equal(h[0]!.ID, (JSON.parse(b.ok(['image', 'inspect', 'hist:1'])) as ImageInspect[])[0]!.Id);
  assert.ok(h.slice(1).every((e) => e.ID === '<missing>'));
  // images/out/nginx.tar, which the web farm runs, came from images/nginx/Containerfile on top of images/busybox/.
  const other = new Berth();
  try {
    other.importNginx();
    const lines = other.ok(['image', 'history', '--no-trunc', 'nginx']);
    for (const step of ['RUN nginx -t', 'COPY nginx/nginx.conf /etc/nginx/nginx.conf', 'ADD out/rootfs/nginx.tar /', 'RUN ["/bin/busybox", "--install", "-s"]',
      'ADD out/rootfs/busybox.tar /'])
    {
      assert.ok(lines.includes(step), `${step} missing from\n${lines}`);
    }
  } finally {
    other.destroy();
  }
  assert.equal(b.run(['history', 'nosuch:1']).status, 125);
  b.ok(['rmi', 'hist:1']);
});
