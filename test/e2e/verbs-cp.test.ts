// cp both ways (files, directories, tar on stdin/stdout), on running and stopped containers,
// with hostile paths inside the container; and diff's A/C/D from the writable layer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Berth } from './helpers.js';

let b: Berth;
let host: string;
before(() => {
  b = new Berth();
  b.importBusybox();
  host = mkdtempSync('/tmp/berth-cp-host-');
  mkdirSync(join(host, 'dir/sub'), { recursive: true });
  writeFileSync(join(host, 'dir/sub/f'), 'nested\n');
  writeFileSync(join(host, 'file'), 'top\n');
});
after(() => {
  rmSync(host, { recursive: true, force: true });
  b.destroy();
});

const sh = (ctr: string, script: string) => b.ok(['exec', ctr, 'sh', '-c', script]);

test('host → running container: a file into a directory, a directory under a new name, contents with dir/.', () => {
  b.ok(['run', '-d', '--name', 'c1', '--network', 'none', 'busybox', 'sleep', '1000']);
  b.ok(['cp', join(host, 'file'), 'c1:/tmp/']);
  b.ok(['cp', join(host, 'dir'), 'c1:/tmp/copied']);
  b.ok(['cp', `${join(host, 'dir')}/.`, 'c1:/srv']);
  b.ok(['cp', join(host, 'file'), 'c1:/tmp/renamed.txt']);
  assert.equal(sh('c1', 'cat /tmp/file /tmp/copied/sub/f /srv/sub/f /tmp/renamed.txt'), 'top\nnested\nnested\ntop\n');
  // Without -a the files are root's in the container, as Docker's.
  assert.equal(sh('c1', 'stat -c %u:%g /tmp/copied/sub/f'), '0:0\n');
  assert.equal(b.inspect('c1').State.Status, 'running', 'frozen only while copying');
});

test('container → host: a file, a directory, and a tar on stdout', () => {
  sh('c1', 'mkdir -p /out/d && echo inside > /out/d/x && ln -s /etc/passwd /out/link');
  const dest = join(host, 'from');
  b.ok(['cp', 'c1:/out/d', dest]);
  assert.equal(readFileSync(join(dest, 'x'), 'utf8'), 'inside\n');
  b.ok(['cp', 'c1:/out/d/x', join(host, 'x.txt')]);
  assert.equal(readFileSync(join(host, 'x.txt'), 'utf8'), 'inside\n');
  b.ok(['cp', 'c1:/out/link', join(host, 'link')]);
  assert.equal(readlinkSync(join(host, 'link')), '/etc/passwd', 'a link is copied as a link without -L');
  const tar = spawnSync('sh', ['-c', `"$0" --root "$1" --runroot "$2" cp c1:/out/d - | tar -t`, join(process.cwd(), 'bin/berth'), b.root, b.runroot], {
    encoding: 'utf8',
  });
  assert.deepEqual(tar.stdout.trim().split('\n').sort(), ['d/', 'd/x']);
});

test("-L follows a source link and keeps its name; the container's / copies as its files, without the kernel's /proc", () => {
  sh('c1', 'echo target > /tmp/t && ln -s /tmp/t /tmp/tl');
  b.ok(['cp', '-L', 'c1:/tmp/tl', join(host, 'followed')]);
  assert.equal(readFileSync(join(host, 'followed'), 'utf8'), 'target\n');
  assert.ok(!lstatSync(join(host, 'followed')).isSymbolicLink());
  const whole = join(host, 'whole');
  mkdirSync(whole);
  b.ok(['cp', 'c1:/', whole]);
  assert.equal(readFileSync(join(whole, 'tmp/t'), 'utf8'), 'target\n');
  assert.ok(statSync(join(whole, 'proc')).isDirectory());
  assert.deepEqual(spawnSync('ls', ['-A', join(whole, 'proc')], { encoding: 'utf8' }).stdout, '', "the container's procfs is not copied");
});

test('a tar on stdin unpacks into a container directory', () => {
  sh('c1', 'mkdir -p /opt');
  const t = spawnSync('tar', ['-C', host, '-c', 'dir'], { encoding: 'buffer' });
  const r = spawnSync(join(process.cwd(), 'bin/berth'), ['--root', b.root, '--runroot', b.runroot, 'cp', '-', 'c1:/opt'], { input: t.stdout });
  assert.equal(r.status, 0, r.stderr.toString());
  assert.equal(sh('c1', 'cat /opt/dir/sub/f'), 'nested\n');
});

test('symlinks and .. inside the container never lead a copy outside it', () => {
  const marker = `/tmp/berth-cp-escape-${process.pid}`;
  sh('c1', `ln -s / /tmp/rootlink && ln -s ${marker} /tmp/abslink && ln -s ../../../../.. /tmp/rel && mkdir -p /a`);
  b.ok(['cp', join(host, 'file'), `c1:/tmp/rootlink${marker}`]);
  b.ok(['cp', join(host, 'file'), 'c1:/tmp/abslink']);
  b.ok(['cp', join(host, 'file'), 'c1:/tmp/rel/escaped-rel']);
  b.ok(['cp', join(host, 'file'), 'c1:/../../../../escaped-dots']);
  assert.ok(!existsSync(marker), 'nothing written to the host path the links name');
  assert.ok(!existsSync('/escaped-rel') && !existsSync('/escaped-dots'));
  // All of them landed in the container's own root, where a chroot would put them.
  assert.equal(sh('c1', `cat ${marker} /escaped-rel /escaped-dots`), 'top\ntop\ntop\n');
  // Reading through a link to / reads the container's /etc, not the host's.
  b.ok(['cp', 'c1:/tmp/rootlink/etc/hostname', join(host, 'hostname')]);
  assert.equal(readFileSync(join(host, 'hostname'), 'utf8').trim(), sh('c1', 'cat /etc/hostname').trim());
  // A tar whose entries climb out is held inside its destination too.
  const evil = mkdtempSync('/tmp/berth-cp-evil-');
  try {
    writeFileSync(join(evil, 'e'), 'x');
    const t = spawnSync('tar', ['-C', evil, '-c', '--transform', 's,^e,../../../../tmp/berth-cp-tar-escape,', 'e'], { encoding: 'buffer' });
    const r = spawnSync(join(process.cwd(), 'bin/berth'), ['--root', b.root, '--runroot', b.runroot, 'cp', '-', 'c1:/a'], { input: t.stdout });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.ok(!existsSync('/tmp/berth-cp-tar-escape'));
  } finally {
    rmSync(evil, { recursive: true, force: true });
  }
});

test('a stopped container is copied to and from, and is left unmounted', () => {
  b.ok(['create', '--name', 'cold', '--network', 'none', 'busybox', 'cat', '/data/in']);
  b.ok(['cp', join(host, 'file'), 'cold:/tmp/']);
  b.ok(['cp', 'cold:/tmp/file', join(host, 'cold-out')]);
  assert.equal(readFileSync(join(host, 'cold-out'), 'utf8'), 'top\n');
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  assert.ok(!mounts.includes(join(b.runroot, 'cp')), 'the private mount is gone');
  assert.match(b.ok(['diff', 'cold']), /^C \/tmp\nA \/tmp\/file\n$/);
});

test('bad cp input is one line, 125, and nothing made', () => {
  const cases: [string[], RegExp][] = [
    [['cp', join(host, 'file'), 'nosuch:/tmp'], /^berth: no such container: nosuch\n/],
    [['cp', 'c1:/does/not/exist', join(host, 'nothing')], /^berth: could not find the file \/does\/not\/exist in container c1\n/],
    [['cp', join(host, 'file'), 'c1:/no/such/dir/x'], /^berth: no such directory: \/no\/such\/dir\n/],
    [['cp', join(host, 'dir'), 'c1:/etc/passwd'], /^berth: cannot copy a directory to a file/],
    [['cp', 'a', 'b'], /^berth: must specify at least one container source\n/],
  ];
  for (const [args, re] of cases) {
    const r = b.run(args);
    assert.equal(r.status, 125, args.join(' '));
    assert.match(r.stderr, re, args.join(' '));
  }
  assert.ok(!existsSync(join(host, 'nothing')));
});

test('diff: A for added, C for changed, D for deleted (an overlay whiteout), sorted', () => {
  b.ok(['run', '-d', '--name', 'd1', '--network', 'none', 'busybox', 'sleep', '1000']);
  sh('d1', 'echo new > /new && echo x >> /etc/passwd && rm /etc/group && mkdir -p /usr/local/n && touch /usr/local/n/f');
  assert.equal(b.ok(['diff', 'd1']), [
    'C /etc',
    'D /etc/group',
    'C /etc/passwd',
    'A /new',
    'C /usr',
    'A /usr/local',
    'A /usr/local/n',
    'A /usr/local/n/f',
    '',
  ].join('\n'));
  b.ok(['stop', '-t', '0', 'd1']);
  assert.match(b.ok(['diff', 'd1']), /D \/etc\/group/, "a stopped container's layer is read too");
  const r = b.run(['diff', 'nosuch']);
  assert.equal(r.status, 125);
  assert.equal(r.stderr, 'berth: no such container: nosuch\n');
});
